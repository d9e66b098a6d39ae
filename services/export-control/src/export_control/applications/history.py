"""Recording the past: an audited, all-or-nothing import of historic applications and their
decisions (from the previous system), so the turnaround figures and reports cover them.

Behind csg.head; every date through the kit's timeline rule (submitted and decided not in the
future, decided not before submitted); references keep the CSG/<year>/<sequence> form, must be
new and lie in an earlier year than today's (this year's numbers belong to the gap-free
counter). No licence is issued for a historic grant.
"""

import re
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.timeline import check_timeline
from export_control.applications.figures import add_clock_event
from export_control.applications.figures import record_turnaround
from export_control.applications.models import Application
from export_control.applications.models import Decision
from export_control.applications.schemas import HistoricApplicationIn
from export_control.applications.service import lines_and_parties
from export_control.applications.service import owner_org
from export_control.applications.workflow import Status
from export_control.errors import Errors
from export_control.routing.service import active_rule_set

REFERENCE = re.compile(r"^CSG/(\d{4})/\d{6}$")


def _check(index: int, item: HistoricApplicationIn, now: datetime) -> None:
    where = f"applications[{index}]"
    check_timeline(f"{where}.submitted_at", item.submitted_at, now=now)
    check_timeline(f"{where}.decided_at", item.decided_at, now=now,
                   follows=[("submitted_at", item.submitted_at)])
    match = REFERENCE.match(item.reference)
    if not match or int(match[1]) >= brussels_date(now).year:
        raise Errors.HISTORY_INVALID(
            f"{where}.reference {item.reference!r}: CSG/<year>/<6 digits> of an earlier year",
            field=f"{where}.reference")
    if item.outcome.value == "refused" and not item.refusal_criteria:
        raise Errors.REFUSAL_CRITERIA_REQUIRED(f"{where}: a refusal names its criteria")


async def import_history(session: AsyncSession, items: list[HistoricApplicationIn], *,
                         principal: Principal, now: datetime) -> list[Application]:
    for index, item in enumerate(items):
        _check(index, item, now)
    references = [item.reference for item in items]
    if len(set(references)) != len(references):
        raise Errors.HISTORY_INVALID("a reference appears twice in the batch")
    taken = (await session.scalars(select(Application.reference)
                                   .where(Application.reference.in_(references)))).all()
    if taken:
        raise Errors.HISTORY_INVALID(f"references exist already: {sorted(taken)}",
                                     existing=sorted(taken))
    _, rules = await active_rule_set(session)
    imported = [await _one(session, item, principal, rules.tracks, now) for item in items]
    await record_audit(session, entity_type="application_history", entity_id=str(uuid.uuid4()),
                       action="history_imported", data={"count": len(imported),
                                                        "references": references})
    return imported


async def _one(session: AsyncSession, item: HistoricApplicationIn, principal: Principal,
               tracks: dict[str, int], now: datetime) -> Application:
    lines, parties = lines_and_parties(item, now)
    track = item.track or "standard"
    app = Application(id=uuid.uuid4(), reference=item.reference,
                      application_type=item.application_type.value,
                      applicant_org=owner_org(item, principal),
                      applicant_name=item.applicant_name,
                      destination_country=item.destination_country, end_use=item.end_use,
                      status=Status.decided.value, outcome=item.outcome.value,
                      screening_status="clear", track=track,
                      decision_authority=item.authority,
                      indicative_max_working_days=tracks[track],
                      submitted_at=item.submitted_at, decided_at=item.decided_at,
                      lines=lines, parties=parties)
    session.add(app)
    await session.flush()
    session.add(Decision(application_id=app.id, outcome=item.outcome.value,
                         authority=item.authority, decided_by=f"history:{principal.sub}",
                         decided_at=item.decided_at,
                         refusal_criteria=sorted(set(item.refusal_criteria)),
                         reason="imported from the previous system"))
    await add_clock_event(session, app, "submitted", item.submitted_at)
    await add_clock_event(session, app, "decided", item.decided_at)
    await session.flush()
    await record_turnaround(session, app, decision_at=item.decided_at)
    await record_audit(session, entity_type="application", entity_id=app.id,
                       action="history_imported", to_state=Status.decided.value,
                       data={"reference": item.reference, "outcome": item.outcome.value})
    return app
