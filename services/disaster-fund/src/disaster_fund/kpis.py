"""KPIs of the disaster fund (GET /v1/kpis), each one SQL aggregate.

Definitions (spec "KPIs"):
- applications_completed_within_1y_pct: over the dossiers of disasters whose one-year mark
  (publication + 1 year) has passed, so the figure is final: completed on or before the mark /
  all submitted (late included, withdrawn-before-completion excluded). Breakdown per disaster
  (all published disasters, including those still inside their year). Target >= 90 %.
- recognition_lead_time_median_days / _p90_days: publication date - event end, per event-end
  year in the breakdown with the sub-phase medians.
- recognition_to_payout_median_days: first payment date - publication date per paid dossier.
- backlog_open_applications: open dossiers of disasters past their one-year mark; breakdown:
  all open dossiers by age band (WIP).
- applications_at_risk: open dossiers with fewer than 60 days left to the one-year mark.
- dossier_lead_time_gross_avg_days / _net_avg_days: receipt to completion, completed dossiers.
The queries read the incremental figures of `stats` (a few rows per disaster, maintained by a
trigger from the dossiers' completion columns), so their cost does not grow with history. Those
rows are sharded (up to 16 per key, see `stats.models`): every figure is a SUM over the shards.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.disasters import watch
from disaster_fund.norms import norm_table
from disaster_fund.workflow import Phase
from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.kpis import Direction
from dkbuza_kit.kpis import Kpi
from dkbuza_kit.kpis import KpiPeriod
from dkbuza_kit.kpis import KpiTarget
from dkbuza_kit.kpis import KpiTargets
from dkbuza_kit.kpis import KpiUnit
from dkbuza_kit.kpis import kpi

AT_RISK_DAYS = 60
TARGETS = KpiTargets(Path(__file__).parent / "data" / "kpi_targets.json",
                     "DISASTER_FUND_KPI_TARGETS_FILE")
AGE_BANDS = (("age_0_90", 0, 90), ("age_91_180", 91, 180), ("age_181_365", 181, 365),
             ("age_over_365", 366, 1_000_000))
AGE_BAND_LABELS = (("age_0_90", "0-90"), ("age_91_180", "91-180"), ("age_181_365", "181-365"),
                   ("age_over_365", ">365"))


def weighted_percentile(histogram: list[tuple[int, int]], fraction: float) -> float | None:
    """percentile_cont over values given as sorted (value, count) buckets (linear interpolation
    between the two closest ranks, as PostgreSQL does)."""
    total = sum(count for _, count in histogram)
    if total == 0:
        return None
    position = fraction * (total - 1)
    low_rank, high_rank = int(position), min(int(position) + 1, total - 1)

    def value_at(rank: int) -> int:
        seen = 0
        for value, count in histogram:
            seen += count
            if rank < seen:
                return value
        return histogram[-1][0]

    low, high = value_at(low_rank), value_at(high_rank)
    return low + (position - low_rank) * (high - low)


# One row per disaster: its shards summed (one_year_mark is the same in every shard).
STATS_PER_DISASTER = """
    SELECT disaster_id, max(one_year_mark) AS one_year_mark, sum(submitted) AS submitted,
           sum(withdrawn) AS withdrawn, sum(completed) AS completed,
           sum(completed_on_time) AS completed_on_time
    FROM disaster_application_stats GROUP BY disaster_id"""


def _norm_target(norm) -> KpiTarget | None:
    if norm is None:
        return None
    return KpiTarget(value=norm, source="rule set regime_2019: phase norm (working value)",
                     working_value=True)


def _f(value):
    return None if value is None else round(float(value), 1)


@dataclass(frozen=True)
class Ctx:
    """What every KPI function shares: the session, the day and the period."""

    session: AsyncSession
    today: date
    now: datetime
    period: KpiPeriod


# --- shared SQL ---------------------------------------------------------------------------------

async def per_disaster_completion(ctx: Ctx) -> list:
    return list((await ctx.session.execute(text(f"""
        SELECT d.id, d.reference, s.one_year_mark, s.completed_on_time AS on_time,
               s.submitted - s.withdrawn AS counted
        FROM ({STATS_PER_DISASTER}) s JOIN disasters d ON d.id = s.disaster_id
        WHERE s.submitted > s.withdrawn
        ORDER BY d.publication_date, d.reference"""))).mappings().all())


# Recognition lead times per event year (ROLLUP: all years in the row of year NULL); also the
# bench's P5 baseline (`bench/baseline_sql.py`).
RECOGNITION_LEAD_TIMES = """
SELECT extract(year FROM event_end)::int AS year, count(*) AS n,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY publication_date - event_end) AS median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY publication_date - event_end) AS p90,
  percentile_cont(0.5) WITHIN GROUP (
    ORDER BY submitted_to_government_on - investigation_started_on) AS investigation,
  percentile_cont(0.5) WITHIN GROUP (
    ORDER BY recognition_decision_date - submitted_to_government_on) AS government,
  percentile_cont(0.5) WITHIN GROUP (
    ORDER BY publication_date - recognition_decision_date) AS publication
FROM disasters WHERE publication_date IS NOT NULL
GROUP BY ROLLUP (extract(year FROM event_end)::int)"""


async def recognition_lead_rows(ctx: Ctx) -> list:
    return list((await ctx.session.execute(text(
        RECOGNITION_LEAD_TIMES + " ORDER BY year NULLS FIRST"))).mappings().all())


async def open_per_disaster(ctx: Ctx) -> list:
    return list((await ctx.session.execute(text(f"""
        SELECT s.disaster_id, s.one_year_mark, s.submitted - s.withdrawn - s.completed AS open
        FROM ({STATS_PER_DISASTER}) s"""))).mappings().all())


async def lead_time_sums(ctx: Ctx):
    return (await ctx.session.execute(text("""
        SELECT sum(lead_gross_sum)::numeric / nullif(sum(completed), 0) AS gross,
               sum(lead_net_sum)::numeric / nullif(sum(completed), 0) AS net,
               coalesce(sum(completed), 0) AS n
        FROM disaster_application_stats"""))).mappings().one()


# --- one function per KPI ---------------------------------------------------------------------

def completed_within_1y(ctx: Ctx, per_disaster: list) -> Kpi:
    passed = [r for r in per_disaster if r["one_year_mark"] < ctx.today]
    on_time = sum(r["on_time"] for r in passed)
    counted = sum(r["counted"] for r in passed)
    return TARGETS.kpi(
        id="applications_completed_within_1y_pct",
        title_nl="Aanvragen afgehandeld binnen één jaar na erkenning",
        title_en="Applications completed within one year after recognition",
        unit=KpiUnit.percent, value=round(100 * on_time / counted, 1) if counted else None,
        direction=Direction.higher_is_better, period=ctx.period, computed_at=ctx.now,
        breakdown=[{"disaster_id": str(r["id"]), "reference": r["reference"],
                    "on_time": r["on_time"], "submitted": r["counted"],
                    "pct": round(100 * r["on_time"] / r["counted"], 1),
                    "one_year_mark_passed": r["one_year_mark"] < ctx.today} for r in per_disaster])


def recognition_lead_time(ctx: Ctx, lead: list, stat: str) -> Kpi:
    """`stat` median or p90 of publication date - event end, per event-end year."""
    overall = next((r for r in lead if r["year"] is None), None)
    breakdown = [{"year": r["year"], "disasters": r["n"], "median_days": _f(r["median"]),
                  "p90_days": _f(r["p90"]), "investigation_median_days": _f(r["investigation"]),
                  "government_median_days": _f(r["government"]),
                  "publication_median_days": _f(r["publication"])}
                 for r in lead if r["year"] is not None]
    label_nl, label_en = {"median": ("mediaan", "median"), "p90": ("P90", "P90")}[stat]
    return TARGETS.kpi(
        id=f"recognition_lead_time_{stat}_days",
        title_nl=f"Doorlooptijd erkenning ({label_nl}): einde ramp tot publicatie",
        title_en=f"Recognition lead time ({label_en}): event end to publication",
        unit=KpiUnit.days, value=_f(overall[stat]) if overall else None,
        direction=Direction.lower_is_better, period=ctx.period, computed_at=ctx.now,
        breakdown=breakdown)


async def recognition_to_payout(ctx: Ctx) -> Kpi:
    payout_days = (await ctx.session.execute(text("""
        SELECT p.first_paid_on - d.publication_date AS days, sum(p.paid_count) AS n
        FROM payouts_by_day p JOIN disasters d ON d.id = p.disaster_id
        GROUP BY 1 HAVING sum(p.paid_count) > 0 ORDER BY 1"""))).all()
    histogram = [(int(days), int(n)) for days, n in payout_days]
    return TARGETS.kpi(
        id="recognition_to_payout_median_days",
        title_nl="Erkenning tot uitbetaling (mediaan)", title_en="Recognition to payout (median)",
        unit=KpiUnit.days, value=_f(weighted_percentile(histogram, 0.5)),
        direction=Direction.lower_is_better, period=ctx.period, computed_at=ctx.now,
        breakdown=[{"paid_applications": sum(n for _, n in histogram),
                    "p90_days": _f(weighted_percentile(histogram, 0.9))}])


async def backlog(ctx: Ctx, open_rows: list) -> Kpi:
    band_sums = ", ".join(
        f"coalesce(sum(open_count) FILTER (WHERE CAST(:today AS date) - received_on "
        f"BETWEEN {low} AND {high}), 0) AS {key}" for key, low, high in AGE_BANDS)
    bands = (await ctx.session.execute(
        text(f"SELECT {band_sums} FROM open_applications_by_day"),  # shard rows may be < 0
        {"today": ctx.today})).mappings().one()
    return TARGETS.kpi(
        id="backlog_open_applications",
        title_nl="Achterstand: open aanvragen na de éénjaarsgrens",
        title_en="Backlog: open applications past the one-year mark",
        unit=KpiUnit.count,
        value=sum(r["open"] for r in open_rows if r["one_year_mark"] < ctx.today),
        direction=Direction.lower_is_better, period=ctx.period, computed_at=ctx.now,
        breakdown=[{"age_band": label, "open_applications": int(bands[key])}
                   for key, label in AGE_BAND_LABELS])


def at_risk(ctx: Ctx, open_rows: list) -> Kpi:
    return TARGETS.kpi(
        id="applications_at_risk",
        title_nl="Open aanvragen met minder dan 60 dagen tot de éénjaarsgrens",
        title_en="Open applications with fewer than 60 days to the one-year mark",
        unit=KpiUnit.count,
        value=sum(r["open"] for r in open_rows
                  if 0 <= (r["one_year_mark"] - ctx.today).days < AT_RISK_DAYS),
        direction=Direction.lower_is_better, period=ctx.period, computed_at=ctx.now)


def dossier_lead_time(ctx: Ctx, sums, key: str) -> Kpi:
    """`key` gross or net: receipt to completion, average over completed dossiers."""
    nl, en = {"gross": ("bruto", "gross"), "net": ("netto", "net")}[key]
    return TARGETS.kpi(
        id=f"dossier_lead_time_{key}_avg_days",
        title_nl=f"Doorlooptijd dossier ({nl}, gemiddeld)",
        title_en=f"Dossier lead time ({en}, average)", unit=KpiUnit.days,
        value=_f(sums[key]), direction=Direction.lower_is_better,
        period=ctx.period, computed_at=ctx.now,
        breakdown=[{"completed_applications": sums["n"]}])


def phase_lead_time(ctx: Ctx, phase: Phase, row, norm) -> Kpi:
    spans = int(row["spans"]) if row else 0
    return kpi(
        id=f"dossier_lead_time_{phase.value}_net_avg_days",
        title_nl=f"Doorlooptijd fase {phase.value} (netto, gemiddeld)",
        title_en=f"Lead time of phase {phase.value} (net, average)", unit=KpiUnit.days,
        value=_f(row["net"] / spans) if spans else None, target=_norm_target(norm),
        direction=Direction.lower_is_better, period=ctx.period, computed_at=ctx.now,
        breakdown=[{"completed_spans": spans,
                    "gross_avg_days": _f(row["gross"] / spans) if spans else None}])


async def phase_lead_times(ctx: Ctx) -> list[Kpi]:
    phase_rows = (await ctx.session.execute(text("""
        SELECT phase, sum(spans) AS spans, sum(gross_days_sum) AS gross, sum(net_days_sum) AS net
        FROM phase_duration_stats GROUP BY phase"""))).mappings().all()
    by_phase = {row["phase"]: row for row in phase_rows}
    norms = {row["phase"]: row["norm"] for row in await norm_table(ctx.session)
             if row["regime"] == "regime_2019"}
    return [phase_lead_time(ctx, phase, by_phase.get(phase.value), norms.get(phase.value))
            for phase in Phase]


async def recognition_backlog(ctx: Ctx) -> Kpi:
    """Events whose current recognition phase lasts longer than its norm (rule set)."""
    phases = await watch.recognition_phases(ctx.session, ctx.today)
    overdue = [p for p in phases if p["status"] == "overdue"]
    return TARGETS.kpi(
        id="recognition_backlog_events",
        title_nl="Erkenningsachterstand: rampen voorbij de norm van hun fase",
        title_en="Recognition backlog: events past the norm of their phase",
        unit=KpiUnit.count, value=len(overdue),
        direction=Direction.lower_is_better, period=ctx.period, computed_at=ctx.now,
        breakdown=[{"disaster_id": str(p["disaster_id"]), "reference": p["reference"],
                    "state": p["state"], "days_in_phase": p["days_in_phase"],
                    "norm_days": p["norm_days"]} for p in overdue])


async def publication_to_last_dossier(ctx: Ctx) -> Kpi:
    """Median days from publication to the last dossier completed, per finished disaster."""
    rows = await watch.publication_to_last_dossier(ctx.session)
    histogram = sorted((r["days"], 1) for r in rows)
    return TARGETS.kpi(
        id="publication_to_last_dossier_median_days",
        title_nl="Publicatie tot laatste afgehandelde dossier (mediaan per ramp)",
        title_en="Publication to last dossier completed (median per disaster)",
        unit=KpiUnit.days, value=_f(weighted_percentile(histogram, 0.5)),
        direction=Direction.lower_is_better, period=ctx.period, computed_at=ctx.now,
        breakdown=rows)


async def compute_kpis(session: AsyncSession, clock: Clock) -> list[Kpi]:
    today = today_brussels(clock)
    ctx = Ctx(session, today, clock.now(), KpiPeriod.as_of(today))
    lead = await recognition_lead_rows(ctx)
    open_rows = await open_per_disaster(ctx)
    sums = await lead_time_sums(ctx)
    return [
        completed_within_1y(ctx, await per_disaster_completion(ctx)),
        recognition_lead_time(ctx, lead, "median"),
        recognition_lead_time(ctx, lead, "p90"),
        await recognition_to_payout(ctx),
        await backlog(ctx, open_rows),
        at_risk(ctx, open_rows),
        dossier_lead_time(ctx, sums, "gross"),
        dossier_lead_time(ctx, sums, "net"),
        *await phase_lead_times(ctx),
        await recognition_backlog(ctx),
        await publication_to_last_dossier(ctx),
    ]
