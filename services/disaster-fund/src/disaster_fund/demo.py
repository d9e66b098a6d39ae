"""Demo data: `python -m disaster_fund.demo` (idempotent: fixed ids, ON CONFLICT DO NOTHING).

Five disasters in different states of the recognition procedure and a few hundred dossiers
in varied lifecycle states, with their maintained KPI columns, decisions and payments,
inserted in a handful of multi-row statements.
"""

import asyncio
import random
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker

from disaster_fund.applications.models import Application
from disaster_fund.applications.models import ApplicationEvent
from disaster_fund.applications.models import DamageItem
from disaster_fund.applications.models import Decision
from disaster_fund.applications.models import ExpertReport
from disaster_fund.applications.models import Pause
from disaster_fund.calculation import CalculationInput
from disaster_fund.calculation import compute
from disaster_fund.deadlines import one_year_mark
from disaster_fund.disasters.models import Disaster
from disaster_fund.documents.checklist import PAPER_RECEIPT
from disaster_fund.payments.models import Payment
from disaster_fund.reports.models import DamageReport
from disaster_fund.rules.models import RuleSet
from disaster_fund.rules.service import content_of
from disaster_fund.settings import DisasterFundSettings
from disaster_fund.workflow import PHASE_OF_STATE
from disaster_fund.workflow import ApplicationState
from dkbuza_kit.dates import add_months
from dkbuza_kit.db import create_engine
from dkbuza_kit.db import create_sessionmaker

NAMESPACE = uuid.UUID("5f0c1d2e-8d43-4c55-9b7a-0d1a5e2f3a10")
A = ApplicationState


def demo_id(*parts: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


DISASTERS = [
    dict(key="floods-2021", reference="RAMP-2021-001", title="Overstromingen juli 2021",
         phenomenon="flooding", event_start=date(2021, 7, 13), event_end=date(2021, 7, 16),
         municipalities=["23062", "24062", "71072", "73110"], state="published",
         investigation_started_on=date(2021, 7, 20), assessed_on=date(2021, 8, 10),
         submitted_to_government_on=date(2021, 8, 20), recognition_decision_date=date(2021, 9, 3),
         publication_date=date(2021, 9, 13), applications=180),
    dict(key="storm-2024", reference="RAMP-2024-001", title="Storm Ciarán-nasleep",
         phenomenon="storm", event_start=date(2024, 3, 2), event_end=date(2024, 3, 3),
         municipalities=["44021", "44086", "46030"], state="published",
         investigation_started_on=date(2024, 3, 15), assessed_on=date(2024, 5, 2),
         submitted_to_government_on=date(2024, 6, 1), recognition_decision_date=date(2024, 10, 4),
         publication_date=date(2024, 10, 21), applications=140),
    dict(key="drought-2023", reference="RAMP-2023-001", title="Droogte zomer 2023",
         phenomenon="drought", event_start=date(2023, 6, 1), event_end=date(2023, 8, 31),
         municipalities=["71071", "73111"], state="not_recognised",
         investigation_started_on=date(2023, 9, 5), not_recognised_reason="criteria not met"),
    dict(key="hail-2025", reference="RAMP-2025-001", title="Hagel mei 2025", phenomenon="hail",
         event_start=date(2025, 5, 20), event_end=date(2025, 5, 20),
         municipalities=["37021", "37022"], state="awaiting_advice",
         investigation_started_on=date(2025, 6, 2)),
    dict(key="rain-2026", reference="RAMP-2026-001", title="Wateroverlast november 2026",
         phenomenon="heavy_rain", event_start=date(2026, 11, 10), event_end=date(2026, 11, 12),
         municipalities=["11002", "23106"], state="reporting", reports=12),
]

# Target states and their share of the generated dossiers.
STATE_MIX = [(A.paid, 40), (A.final, 6), (A.decision_notified, 6), (A.decided, 4),
             (A.report_sent, 8), (A.expert_assigned, 10), (A.waiting_for_documents, 6),
             (A.intake, 8), (A.submitted, 4), (A.inadmissible, 4), (A.withdrawn, 4)]
PATH = [A.submitted, A.intake, A.expert_assigned, A.report_sent, A.report_accepted, A.decided,
        A.decision_notified, A.final, A.payment_ordered, A.paid]


def _disaster_row(spec: dict[str, Any], regime: str) -> dict[str, Any]:
    columns = {c.key for c in Disaster.__table__.columns}
    row = {k: v for k, v in spec.items() if k in columns}
    row.update(id=demo_id("disaster", spec["key"]), regime=regime, version=1,
               state_changed_at=_moment(spec.get("publication_date") or spec["event_end"]))
    if spec.get("recognition_decision_date"):
        row.update(scope_municipalities=spec["municipalities"],
                   scope_period_start=spec["event_start"], scope_period_end=spec["event_end"])
    if spec.get("assessed_on"):
        row["criteria"] = [{"kind": "scientific", "name": "neerslag 24u", "measured_value": "95",
                            "threshold": "60", "unit": "mm"}]
    return row


def _applications(spec: dict[str, Any], rule_set: RuleSet, rng: random.Random):
    content = content_of(rule_set)
    published: date = spec["publication_date"]
    mark = one_year_mark(published)
    weights = [w for _, w in STATE_MIX]
    rows, items, events, decisions, payments = [], [], [], [], []
    reports, pauses = [], []
    for n in range(spec["applications"]):
        target = rng.choices([s for s, _ in STATE_MIX], weights)[0]
        aid = demo_id("application", spec["key"], n)
        received = published + timedelta(days=rng.randint(1, 100))
        claimed = Decimal(rng.randrange(800, 60000)).quantize(Decimal("0.01"))
        steps = PATH[: PATH.index(target) + 1] if target in PATH else [A.submitted, A.intake, target]
        day = received
        history = []
        for state in steps:
            history.append((state, day))
            day += timedelta(days=rng.randint(5, 60))
        state_day = history[-1][1]
        row = dict(
            id=aid, disaster_id=demo_id("disaster", spec["key"]),
            applicant_sub=f"citizen-{spec['key']}-{n}", applicant_org=None, channel="online",
            received_at=_moment(received), received_on=received,
            municipality_nis=rng.choice(spec["municipalities"]),
            damage_date=spec["event_start"], category="private_goods",
            description="demo", insured=False, insurance_compensation=Decimal("0.00"),
            crop_insurable_in_principle=True, priority_requested=n % 17 == 0,
            is_late=False, claimed_total=claimed, state=target.value,
            state_changed_at=_moment(state_day), version=len(steps),
            dossier_number=None if target is A.submitted
            else f"VRF-{received.year}-{9000 + n + (1000 if spec['key'] == 'storm-2024' else 0):06d}",
            handler_sub="handler-demo", expert_sub="expert-demo" if len(steps) > 2 else None,
            one_year_mark=mark, paid_amount=Decimal("0.00"), recovered_amount=Decimal("0.00"),
            paused_days=0, phase_paused_days=0,
            phase=(PHASE_OF_STATE[target].value if PHASE_OF_STATE[target] else None),
            phase_entered_at=_moment(state_day) if PHASE_OF_STATE[target] else None,
        )
        when = dict(history)
        if A.report_sent in steps:
            sent = when[A.report_sent]
            reports.append(dict(id=demo_id("report", spec["key"], n), application_id=aid,
                                expert_sub="expert-demo", assessed_amount=claimed,
                                summary="schade vastgesteld", sent_on=sent,
                                reaction_deadline=add_months(sent, 1),
                                reaction="accepted" if A.report_accepted in steps else None,
                                reacted_at=_moment(when[A.report_accepted])
                                if A.report_accepted in steps else None,
                                created_at=_moment(sent)))
        if target in (A.waiting_for_documents, A.report_sent):
            reason = ("waiting_for_documents" if target is A.waiting_for_documents
                      else "report_with_applicant")
            pauses.append(dict(id=demo_id("pause", spec["key"], n), application_id=aid,
                               reason=reason, started_at=_moment(state_day), ended_at=None,
                               note=None, created_by="demo"))
            row["open_pause_started_at"] = _moment(state_day)
        if A.decided in steps:
            result = compute(CalculationInput("private_goods", spec["phenomenon"], spec["event_start"],
                                              claimed), content.calculation_rules())
            decision_id = demo_id("decision", spec["key"], n)
            decided_at = dict(history)[A.decided]
            decisions.append(dict(id=decision_id, application_id=aid, version=1, kind="initial",
                                  rule_set_id=rule_set.id, amount=result.amount,
                                  reason_code=result.reason_code,
                                  inputs=CalculationInput("private_goods", spec["phenomenon"],
                                                          spec["event_start"], claimed).to_json(),
                                  breakdown=result.breakdown(), decided_at=_moment(decided_at),
                                  decided_by="manager-demo",
                                  received_on=dict(history).get(A.decision_notified)))
            row.update(decision_version=1, decided_amount=result.amount,
                       assessed_amount=claimed)
            notified = dict(history).get(A.decision_notified)
            if result.amount == 0 and notified:
                row.update(completed_on=notified, completion_kind="rejected")
            if target is A.paid:
                paid_on = dict(history)[A.paid]
                payments.append(dict(id=demo_id("payment", spec["key"], n), application_id=aid,
                                     decision_id=decision_id, payment_type="compensation",
                                     amount=result.amount, state="executed",
                                     ordered_at=_moment(dict(history)[A.payment_ordered]),
                                     ordered_by="manager-demo", executed_on=paid_on))
                row.update(paid_amount=result.amount, first_paid_on=paid_on)
                if result.amount > 0:
                    row.update(completed_on=paid_on, completion_kind="paid")
        if target is A.inadmissible:
            row.update(completed_on=state_day, completion_kind="inadmissible")
        if row.get("completed_on"):
            gross = (row["completed_on"] - received).days
            row.update(completed_on_time=row["completed_on"] <= mark, lead_gross_days=gross,
                       lead_net_days=gross)
        rows.append(row)
        items.append(dict(application_id=aid, position=1, description="schade woning",
                          claimed_amount=claimed))
        previous = None
        for state, when in history:
            if state is A.intake:  # demo dossiers came on paper: their documents too
                events.extend(_paper_documents(aid, when))
            events.append(dict(application_id=aid, occurred_at=_moment(when), actor="demo",
                               action="submitted" if previous is None else "transition",
                               from_state=previous, to_state=state.value))
            previous = state.value
    return rows, items, events, decisions, payments, reports, pauses


def _paper_documents(aid: uuid.UUID, day: date) -> list[dict[str, Any]]:
    """The required kinds (not insured: photo and estimate) recorded as received on paper."""
    return [dict(application_id=aid, occurred_at=_moment(day), actor="demo",
                 action=PAPER_RECEIPT,
                 reason="demo: papieren dossier", data={"kind": kind, "received_on": str(day)})
            for kind in ("photo", "estimate")]


def _uniform(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Multi-row INSERT needs the same keys in every row: missing ones become NULL."""
    keys = {key for row in rows for key in row}
    return [{key: row.get(key) for key in keys} for row in rows]


async def load(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Insert the demo data once; returns the number of dossiers inserted by this run."""
    rng = random.Random(2025)
    inserted = 0
    async with sessionmaker() as session, session.begin():
        rule_sets = {r.regime: r for r in (await session.scalars(
            select(RuleSet).where(RuleSet.version == 1))).all()}
        for spec in DISASTERS:
            regime = "regime_2019" if spec["event_start"] >= date(2020, 1, 1) else "regime_2016"
            await session.execute(insert(Disaster).values(_disaster_row(spec, regime))
                                  .on_conflict_do_nothing())
            if spec.get("reports"):
                reports = [dict(id=demo_id("report", spec["key"], i),
                                number=f"RM-{spec['event_end'].year}-{900000 + i:06d}",
                                disaster_id=demo_id("disaster", spec["key"]),
                                reporter_key=f"sub:demo-reporter-{i}",
                                reporter_sub=f"demo-reporter-{i}", reporter_org=None,
                                municipality_nis=spec["municipalities"][i % 2], public_domain=False,
                                description="water in de kelder", estimated_amount=None,
                                filed_at=_moment(spec["event_end"] + timedelta(days=1)),
                                filed_by=f"demo-reporter-{i}")
                           for i in range(spec["reports"])]
                await session.execute(insert(DamageReport).values(reports).on_conflict_do_nothing())
            if not spec.get("applications"):
                continue
            rows, items, events, decisions, payments, reports, pauses = _applications(
                spec, rule_sets[regime], rng)
            new_ids = set((await session.execute(
                insert(Application).values(_uniform(rows)).on_conflict_do_nothing()
                .returning(Application.id))).scalars().all())
            inserted += len(new_ids)
            if not new_ids:
                continue  # already loaded: children were inserted with their dossiers
            await session.execute(insert(DamageItem).values(
                [i for i in items if i["application_id"] in new_ids]))
            await session.execute(insert(ApplicationEvent).values(
                _uniform([e for e in events if e["application_id"] in new_ids])))
            if decisions:
                await session.execute(insert(Decision).values(_uniform(decisions)).on_conflict_do_nothing())
            for model, children in ((Payment, payments), (ExpertReport, reports), (Pause, pauses)):
                if children:
                    await session.execute(insert(model).values(_uniform(children))
                                          .on_conflict_do_nothing())
        # Keep the live counters past the demo's reference numbers.
        await session.execute(text(
            "INSERT INTO number_sequences (name, last_value) VALUES "
            "('VRF-2021', 11000), ('VRF-2022', 11000), ('VRF-2024', 11000), ('VRF-2025', 11000), "
            "('RM-2026', 900100), ('RAMP-2021', 1), ('RAMP-2023', 1), ('RAMP-2024', 1), "
            "('RAMP-2025', 1), ('RAMP-2026', 1) ON CONFLICT (name) DO UPDATE "
            "SET last_value = GREATEST(number_sequences.last_value, excluded.last_value)"))
    return inserted


async def main() -> None:
    settings = DisasterFundSettings()
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        count = await load(create_sessionmaker(engine))
        print(f"disaster-fund demo data: {count} applications inserted")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
