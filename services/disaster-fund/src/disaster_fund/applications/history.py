"""History import: historic dossiers (completed before this service) with their dates, as one
all-or-nothing batch, so that the KPIs can cover past disasters.

Each dossier's dates pass the same timeline rule as live ones (receipt not before the
publication, completion and payment not before receipt, nothing in the future); any refusal
names the item and nothing of the batch is written. Audited as `imported_from_history`.
"""

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import deadlines
from disaster_fund.applications.journal import log_event
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import DamageItem
from disaster_fund.applications.schemas import HistoricDossierIn
from disaster_fund.disasters.models import Disaster
from disaster_fund.errors import Errors
from disaster_fund.municipalities import canonical_one
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import DisasterState
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import start_of_day
from dkbuza_kit.clock import Clock
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.timeline import check_timeline

A = ApplicationState
STATE_OF_KIND = {"paid": A.paid, "rejected": A.final, "inadmissible": A.inadmissible,
                 "withdrawn": A.withdrawn}


def check_dossier(item: HistoricDossierIn, disaster: Disaster | None, now) -> None:
    if disaster is None:
        raise KitErrors.NOT_FOUND("disaster not found")
    if disaster.state not in (DisasterState.published, DisasterState.closed):
        raise Errors.DISASTER_NOT_RECOGNISED("historic dossiers belong to a published disaster")
    check_timeline("received_on", item.received_on, now=now,
                   origin=("publication_date", disaster.publication_date))
    check_timeline("completed_on", item.completed_on, now=now,
                   follows=[("received_on", item.received_on)])
    check_timeline("first_paid_on", item.first_paid_on, now=now,
                   follows=[("received_on", item.received_on)])
    paid = item.completion_kind == "paid"
    if paid != (item.first_paid_on is not None and item.paid_amount > 0):
        raise Errors.HISTORY_INCONSISTENT(
            "a paid dossier has first_paid_on and paid_amount; others have neither")
    if paid and item.paid_amount > (item.decided_amount or Decimal(0)):
        raise Errors.HISTORY_INCONSISTENT("paid_amount exceeds decided_amount")


def dossier_row(item: HistoricDossierIn, disaster: Disaster, principal: Principal) -> Application:
    received_at = start_of_day(item.received_on)
    state = STATE_OF_KIND[item.completion_kind]
    one_year = deadlines.one_year_mark(disaster.publication_date)  # type: ignore[arg-type]
    completed = item.completion_kind != "withdrawn"
    lead = (item.completed_on - item.received_on).days
    return Application(
        id=uuid.uuid4(), disaster_id=disaster.id, applicant_sub=item.applicant_id,
        applicant_name=item.applicant_name, channel="paper", received_at=received_at,
        received_on=item.received_on, municipality_nis=canonical_one(item.municipality_nis),
        damage_date=item.damage_date, category=item.category.value,
        claimed_total=sum((i.claimed_amount for i in item.items), Decimal("0.00")),
        state=state.value, state_changed_at=start_of_day(item.completed_on), version=1,
        dossier_number=item.dossier_number, one_year_mark=one_year,
        decided_amount=item.decided_amount, paid_amount=item.paid_amount,
        recovered_amount=Decimal("0.00"), first_paid_on=item.first_paid_on,
        completed_on=item.completed_on if completed else None,
        completion_kind=item.completion_kind if completed else None,
        completed_on_time=item.completed_on <= one_year if completed else None,
        lead_gross_days=lead if completed else None, lead_net_days=lead if completed else None,
        paused_days=0, phase=None, phase_paused_days=0, handler_sub=principal.sub)


async def _check_numbers_free(session: AsyncSession, numbers: list[str]) -> None:
    taken = set((await session.scalars(select(Application.dossier_number).where(
        Application.dossier_number.in_(numbers)))).all())
    duplicates = {n for n in numbers if numbers.count(n) > 1}
    if taken or duplicates:
        raise Errors.DOSSIER_NUMBER_TAKEN(
            "historic dossier numbers must be new and unique in the batch",
            numbers=sorted(taken | duplicates))


async def import_history(session: AsyncSession, items: list[HistoricDossierIn],
                         principal: Principal, clock: Clock) -> list[Application]:
    ids = {item.disaster_id for item in items}
    found = {d.id: d for d in (await session.scalars(
        select(Disaster).where(Disaster.id.in_(ids)))).all()}
    now = clock.now()
    for index, item in enumerate(items):
        try:
            check_dossier(item, found.get(item.disaster_id), now)
        except ProblemError as problem:
            problem.extra["item"] = index  # which dossier of the batch was refused
            raise
    await _check_numbers_free(session, [item.dossier_number for item in items])
    rows = [dossier_row(item, found[item.disaster_id], principal) for item in items]
    session.add_all(rows)
    await session.flush()
    for row, item in zip(rows, items, strict=True):
        session.add_all([DamageItem(application_id=row.id, position=n, description=i.description,
                                    claimed_amount=i.claimed_amount)
                         for n, i in enumerate(item.items, start=1)])
        await log_event(session, row, "imported_from_history", None, row.state, principal.sub,
                        now, None, {"completion_kind": item.completion_kind,
                                    "received_on": item.received_on.isoformat()})
    return rows
