"""Submission: the guards of a new application and its one-statement insert."""

import uuid
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Integer
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import bindparam
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import calculation
from disaster_fund import deadlines
from disaster_fund import roles
from disaster_fund.applications.models import MONEY
from disaster_fund.applications.models import Application
from disaster_fund.applications.models import ApplicationEvent
from disaster_fund.applications.models import DamageItem
from disaster_fund.applications.schemas import ApplicationIn
from disaster_fund.applications.schemas import ApplicationOut
from disaster_fund.applications.schemas import Category
from disaster_fund.applications.schemas import Channel
from disaster_fund.disasters.models import Disaster
from disaster_fund.errors import Errors
from disaster_fund.municipalities import canonical_nis
from disaster_fund.municipalities import canonical_one
from disaster_fund.rules import service as rules
from disaster_fund.workflow import PHASE_OF_STATE
from disaster_fund.workflow import ApplicationState
from disaster_fund.workflow import DisasterState
from dkbuza_kit.audit import audit_row
from dkbuza_kit.audit import outbox_row
from dkbuza_kit.auth import Principal
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.clock import Clock
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.models import AuditEvent
from dkbuza_kit.models import OutboxEvent
from dkbuza_kit.timeline import check_timeline

A = ApplicationState


def _applicant(principal: Principal, body: ApplicationIn, municipality: str,
               clock: Clock) -> tuple[str, str | None, Channel, datetime]:
    """(applicant_sub, applicant_org, channel, received_at) by role; paper uses received_at."""
    if principal.has_any(*roles.STAFF):
        if not body.applicant_id or body.received_at is None:
            raise Errors.PAPER_APPLICATION_FIELDS_REQUIRED(
                "a handler registers a paper application: applicant_id and received_at are "
                "required")
        if body.received_at.tzinfo is None:
            raise Errors.TIMEZONE_REQUIRED("received_at needs a UTC offset")
        return body.applicant_id, None, Channel.paper, body.received_at
    if body.applicant_id or body.received_at:
        raise Errors.PAPER_FIELDS_NOT_ALLOWED(
            "applicant_id and received_at are for paper applications (handlers)")
    if principal.has_any(roles.MUNICIPALITY) and not principal.has_any(roles.CITIZEN):
        if body.category is not Category.public_domain:
            raise Errors.CATEGORY_NOT_ALLOWED("a municipality applies for damage to its public domain")
        if canonical_nis(principal.org) != municipality:
            raise Errors.NOT_OWN_MUNICIPALITY("a municipality applies for its own public domain only")
        return principal.sub, principal.org, Channel.online, clock.now()
    if body.category is Category.public_domain:
        raise Errors.CATEGORY_NOT_ALLOWED("public-domain damage is claimed by the municipality")
    return principal.sub, None, Channel.online, clock.now()


def check_facts(body: ApplicationIn, now: datetime) -> None:
    """The application's own facts agree with each other and with time."""
    if body.priority_requested and not (body.priority_reason or "").strip():
        raise Errors.PRIORITY_REASON_REQUIRED(
            "a priority request (financial hardship) states its reason")
    if not body.insured and body.insurance_compensation > 0:
        raise Errors.INSURANCE_INCONSISTENT(
            "insurance compensation is given but the goods are declared not insured",
            insurance_compensation=str(body.insurance_compensation))
    for field in ("damage_date", "insurer_attest_received_on", "impediment_ended_on"):
        check_timeline(field, getattr(body, field), now=now)


def check_window_opened(disaster: Disaster, received_at: datetime, now: datetime) -> None:
    """The application window opens with the publication in the Belgian State Gazette: a
    (paper) application received earlier is refused, as is one received in the future."""
    check_timeline("received_at", received_at, now=now,
                   origin=("publication_date", disaster.publication_date))


def check_scope(disaster: Disaster, municipality: str, damage_date: date) -> None:
    if disaster.state not in (DisasterState.published, DisasterState.closed):
        raise Errors.DISASTER_NOT_RECOGNISED(
            "applications open when the recognition is published in the Belgian State Gazette "
            f"(disaster is {disaster.state})")
    in_area = municipality in (disaster.scope_municipalities or [])
    in_period = disaster.scope_period_start <= damage_date <= disaster.scope_period_end  # type: ignore[operator]
    if not (in_area and in_period):
        raise Errors.OUTSIDE_RECOGNITION_SCOPE("the recognition covers municipalities "
            f"{', '.join(disaster.scope_municipalities or [])} from "
            f"{disaster.scope_period_start} to {disaster.scope_period_end}",
            in_municipalities=in_area, in_period=in_period,
        )


# The response fields a new dossier does not have yet.
_NOT_YET_SET = dict.fromkeys(("dossier_number", "handler_sub", "expert_sub", "assessed_amount",
                              "decision_version", "decided_amount", "completed_on",
                              "completion_kind", "completed_on_time"))


def _insert_bound(table: Table, prefix: str):
    """INSERT with a bind parameter `<prefix>_<column>` for each column the database does not
    fill itself, and a function making the parameters of a row (absent columns: NULL)."""
    columns = [c for c in table.columns
               if c.server_default is None and c.autoincrement is not True]
    statement = insert(table).values(
        {c.name: bindparam(f"{prefix}_{c.name}", type_=c.type) for c in columns})

    def params(row: dict) -> dict:
        unknown = row.keys() - {c.name for c in columns}
        assert not unknown, f"not columns of {table.name}: {unknown}"
        return {f"{prefix}_{c.name}": row.get(c.name) for c in columns}

    return statement, params


_APPLICATION_INSERT, _application_params = _insert_bound(Application.__table__, "app")
_EVENT_INSERT, _event_params = _insert_bound(ApplicationEvent.__table__, "event")
_AUDIT_INSERT, _audit_params = _insert_bound(AuditEvent.__table__, "audit")
_OUTBOX_INSERT, _outbox_params = _insert_bound(OutboxEvent.__table__, "outbox")


def _submission_statement():
    """The dossier, its items (unnest of arrays, so any number of items is the same
    statement), its submitted event, the audit row and the outbox event as ONE statement of
    data-modifying CTEs (foreign keys are checked at its end). Built once: SQLAlchemy compiles
    it once and caches it."""
    items = func.unnest(*(cast(bindparam(name), ARRAY(type_)) for name, type_ in (
        ("item_positions", Integer), ("item_descriptions", Text), ("item_amounts", MONEY)))
    ).table_valued("position", "description", "claimed_amount").render_derived(name="item")
    steps = [
        _APPLICATION_INSERT,
        insert(DamageItem.__table__).from_select(
            ["application_id", "position", "description", "claimed_amount"],
            select(bindparam("app_id", type_=Application.id.type),  # the dossier's id
                   items.c.position,
                   items.c.description, items.c.claimed_amount)),
        _EVENT_INSERT,
        _AUDIT_INSERT,
    ]
    return _OUTBOX_INSERT.add_cte(*(step.cte(f"step_{index}") for index, step in enumerate(steps)))


SUBMISSION_STATEMENT = _submission_statement()


@dataclass
class Submission:
    """A checked submission: the rows to insert and the response they make (built from the
    rows themselves, so nothing is read back after the insert)."""

    application: dict
    items: list[dict]
    event: dict
    outbox: dict
    out: ApplicationOut


# Built once (a statement made per request pays SQLAlchemy's cache-key walk each time).
_DISASTER_WITH_STAMP = select(Disaster, rules.CATALOGUE_STAMP).where(
    Disaster.id == bindparam("disaster_id"))


async def prepare_submission(session: AsyncSession, body: ApplicationIn, principal: Principal,
                             clock: Clock) -> Submission:
    """Every guard of a submission, and its rows; one query (the disaster, with the rule-set
    catalogue's stamp so the cached catalogue is checked in the same round trip)."""
    found = (await session.execute(_DISASTER_WITH_STAMP,
                                   {"disaster_id": body.disaster_id})).one_or_none()
    if found is None:
        raise KitErrors.NOT_FOUND("disaster not found")
    disaster, stamp = found
    municipality = canonical_one(body.municipality_nis)
    applicant_sub, applicant_org, channel, received_at = _applicant(principal, body, municipality,
                                                                    clock)
    check_facts(body, clock.now())
    check_scope(disaster, municipality, body.damage_date)
    check_window_opened(disaster, received_at, clock.now())
    content = rules.content_of(await rules.current_for_event(session, disaster.event_start, stamp))
    crop_rules = content.calculation_rules().crop_rules
    probe = calculation.CalculationInput(
        category=body.category.value, phenomenon=disaster.phenomenon, damage_date=body.damage_date,
        damage_amount=Decimal(0), crop_insurable_in_principle=body.crop_insurable_in_principle)
    if calculation.transitional_regime_ended(probe, crop_rules):
        raise Errors.TRANSITIONAL_REGIME_ENDED(
            "in-principle insurable crop damage is compensated only for damage up "
                           f"to {crop_rules.transitional_to} (transitional regime)")  # type: ignore[union-attr]
    timeliness = deadlines.check_application_timing(
        received_at, disaster.publication_date, content.windows(),  # type: ignore[arg-type]
        impediment_ended_on=body.impediment_ended_on, late_motivation=body.late_motivation)
    late = timeliness is deadlines.Timeliness.late
    now = clock.now()
    state = A.late_review if late else A.submitted
    application = dict(
        id=uuid.uuid4(), disaster_id=disaster.id, applicant_sub=applicant_sub,
        applicant_org=applicant_org, applicant_name=body.applicant_name, channel=channel.value,
        received_at=received_at, received_on=brussels_date(received_at),
        municipality_nis=municipality, damage_date=body.damage_date,
        category=body.category.value, description=body.description, insured=body.insured,
        insurer_name=body.insurer_name, insurance_compensation=body.insurance_compensation,
        insurer_attest_received_on=body.insurer_attest_received_on,
        crop_area_ha=body.crop_area_ha, insured_crop_area_ha=body.insured_crop_area_ha,
        crop_insurable_in_principle=body.crop_insurable_in_principle,
        priority_requested=body.priority_requested, priority_reason=body.priority_reason,
        is_late=late, late_motivation=body.late_motivation if late else None,
        impediment_ended_on=body.impediment_ended_on if late else None,
        claimed_total=sum((item.claimed_amount for item in body.items), Decimal("0.00")),
        state=state.value, state_changed_at=now, version=1,
        one_year_mark=deadlines.one_year_mark(disaster.publication_date),  # type: ignore[arg-type]
        paid_amount=Decimal("0.00"), recovered_amount=Decimal("0.00"), paused_days=0,
        phase=PHASE_OF_STATE[state].value, phase_entered_at=received_at, phase_paused_days=0,
    )
    items = [dict(application_id=application["id"], position=index,
                  description=item.description, claimed_amount=item.claimed_amount)
             for index, item in enumerate(body.items, start=1)]
    event = dict(application_id=application["id"], occurred_at=received_at, actor=principal.sub,
                 action="submitted", from_state=None, to_state=state.value, reason=None,
                 data={"channel": channel.value, "late": late})
    outbox = outbox_row("application.submitted", subject=application["id"], org=applicant_org,
                        data={"disaster_id": str(disaster.id), "late": late})
    out = ApplicationOut.model_validate({**application, **_NOT_YET_SET, "items": items})
    return Submission(application, items, event, outbox, out)


async def insert_submission(session: AsyncSession, submission: Submission) -> None:
    """One round trip. Its stats trigger takes the disaster's KPI counter rows: callers make
    it the last statement before COMMIT."""
    event, items = submission.event, submission.items
    audit = audit_row(entity_type="application", entity_id=event["application_id"],
                      action=event["action"], to_state=event["to_state"], data=event["data"],
                      actor=event["actor"])
    await session.execute(SUBMISSION_STATEMENT, {
        **_application_params(submission.application), **_event_params(event),
        **_audit_params(audit), **_outbox_params(submission.outbox),
        "item_positions": [item["position"] for item in items],
        "item_descriptions": [item["description"] for item in items],
        "item_amounts": [item["claimed_amount"] for item in items],
    })
