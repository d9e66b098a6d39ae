"""The documents a dossier needs before intake, per rule set (data/required_documents.json):
what is required, what is present (uploaded and not withdrawn, or recorded as received on
paper), what is missing; intake is refused while anything is missing."""

import json
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.applications.journal import log_event
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import ApplicationEvent
from disaster_fund.applications.queries import rule_set_for
from disaster_fund.disasters.models import Disaster
from disaster_fund.documents.models import Document
from disaster_fund.errors import Errors
from dkbuza_kit.documents.checklist import Requirement as KitRequirement
from dkbuza_kit.documents.checklist import evaluate
from dkbuza_kit.documents.checklist import present_documents
from dkbuza_kit.timeline import check_timeline

PAPER_RECEIPT = "document.received_on_paper"


@dataclass(frozen=True)
class Requirement(KitRequirement):
    when: str | None = None  # "insured": only for a dossier whose damage is insured


@cache
def _requirements_by_regime() -> dict[str, tuple[str, tuple[Requirement, ...]]]:
    raw = json.loads(resources.files("disaster_fund").joinpath("data/required_documents.json")
                     .read_text(encoding="utf-8"))
    return {regime: (entry["source"], tuple(Requirement(r["requirement"], tuple(r["any_of"]),
                                                        entry["source"], r.get("when"))
                                            for r in entry["required"]))
            for regime, entry in raw.items() if not regime.startswith("_")}


def _applies(requirement: Requirement, application: Application) -> bool:
    return requirement.when is None or (requirement.when == "insured" and application.insured)


async def required_for(session: AsyncSession, application: Application
                       ) -> tuple[str, str, list[Requirement]]:
    disaster = await session.get(Disaster, application.disaster_id)
    rule_set, _ = await rule_set_for(session, disaster)
    source, requirements = _requirements_by_regime().get(rule_set.regime, ("working value", ()))
    return rule_set.regime, source, [r for r in requirements if _applies(r, application)]


async def _present_kinds(session: AsyncSession, application: Application) -> dict[str, str]:
    """Kind -> how it is present ("uploaded" wins over "paper")."""
    paper = await session.scalars(select(ApplicationEvent.data).where(
        ApplicationEvent.application_id == application.id,
        ApplicationEvent.action == PAPER_RECEIPT))
    return {**{data["kind"]: "paper" for data in paper},
            **await present_documents(session, Document, "application", str(application.id))}


async def checklist(session: AsyncSession, application: Application) -> dict:
    regime, source, requirements = await required_for(session, application)
    result = evaluate(requirements, await _present_kinds(session, application))
    rows = [{"requirement": c.requirement.name, "any_of": list(c.requirement.any_of),
             "present": c.present, "missing": c.missing} for c in result.checked]
    return {"application_id": application.id, "regime": regime, "source": source,
            "requirements": rows, "missing": result.missing}


async def ensure_complete(session: AsyncSession, application: Application) -> None:
    result = await checklist(session, application)
    if result["missing"]:
        raise Errors.REQUIRED_DOCUMENTS_MISSING(
            f"intake needs the documents its rule set requires; missing: "
            f"{', '.join(result['missing'])}", missing=result["missing"])


async def record_paper_receipt(session: AsyncSession, application: Application, *, kind: str,
                               received_on: date, reason: str, actor: str, at: datetime) -> dict:
    """A required kind received on paper (a dossier migrated from paper): recorded in the
    dossier's event table and audit trail with who, when and why; never a silent bypass."""
    _, _, requirements = await required_for(session, application)
    if not any(kind in r.any_of for r in requirements):
        raise Errors.DOCUMENT_NOT_REQUIRED(f"{kind} is not a required kind of this dossier")
    if not reason.strip():
        raise Errors.REASON_REQUIRED("a reason is required")
    check_timeline("received_on", received_on, now=at,
                   follows=[("application received_on", application.received_on)])
    data = {"kind": kind, "received_on": received_on.isoformat()}
    await log_event(session, application, PAPER_RECEIPT, None, None, actor, at, reason=reason,
                    data=data)  # not a state change
    return {**data, "recorded_by": actor, "recorded_at": at, "reason": reason}
