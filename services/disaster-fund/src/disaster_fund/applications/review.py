"""The sampled review of decisions: a share of the decisions (rule set: review_sample_share,
a working value) is drawn for a second person's review, whose outcome is recorded.

The draw is deterministic (a hash of dossier and version), so it is reproducible and cannot be
steered by retrying."""

import hashlib
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.applications.journal import log_event
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import Decision
from disaster_fund.applications.schemas import DecisionReviewIn
from disaster_fund.errors import Errors
from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import Clock
from dkbuza_kit.errors import KitErrors


def drawn_for_review(application_id: uuid.UUID, version: int, share: Decimal) -> bool:
    digest = hashlib.sha256(f"{application_id}:{version}".encode()).digest()
    return Decimal(int.from_bytes(digest[:4], "big")) / Decimal(2**32) < share


async def record_review(session: AsyncSession, application: Application, version: int,
                        body: DecisionReviewIn, principal: Principal, clock: Clock) -> Decision:
    decision = await session.scalar(select(Decision).where(
        Decision.application_id == application.id, Decision.version == version))
    if decision is None:
        raise KitErrors.NOT_FOUND("decision version not found")
    if not decision.review_selected or decision.review_outcome is not None:
        raise Errors.REVIEW_NOT_OPEN("this decision was not drawn for review or is reviewed")
    if principal.sub == decision.decided_by:
        raise Errors.SECOND_PERSON_REQUIRED("the review comes from another person than the "
                                            "one who decided")
    decision.review_outcome = body.outcome.value
    decision.review_note = body.note
    decision.reviewed_by = principal.sub
    decision.reviewed_at = clock.now()
    await log_event(session, application, "decision_reviewed", application.state,
                    application.state, principal.sub, clock.now(), body.note,
                    {"decision_version": version, "outcome": body.outcome.value})
    return decision
