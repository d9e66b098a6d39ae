"""Cross-dossier oversight: the follow-up of external experts (workload, lead time, overdue)
and the appeals and court cases across dossiers."""

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.norms import norm_table

# Waiting for the expert's report.
WITH_EXPERT = ("expert_assigned", "report_contested")


async def expert_follow_up(session: AsyncSession, today: date) -> list[dict]:
    """Per expert: open assignments, reports sent, mean days from assignment to the first
    report, and open assignments past the expertise norm (newest rule set of the regime)."""
    norms = {(row["regime"], row["phase"]): row["norm"] for row in await norm_table(session)}
    rows = (await session.execute(text("""
        SELECT a.expert_sub, d.regime, a.state,
               (SELECT min(e.occurred_at AT TIME ZONE 'Europe/Brussels')::date
                FROM application_events e
                WHERE e.application_id = a.id AND e.to_state = 'expert_assigned') AS assigned_on,
               (SELECT min(r.sent_on) FROM expert_reports r
                WHERE r.application_id = a.id) AS first_report_on,
               (SELECT count(*) FROM expert_reports r WHERE r.application_id = a.id) AS reports
        FROM applications a JOIN disasters d ON d.id = a.disaster_id
        WHERE a.expert_sub IS NOT NULL"""))).mappings().all()
    experts: dict[str, dict] = {}
    for row in rows:
        entry = experts.setdefault(row["expert_sub"], {
            "expert_sub": row["expert_sub"], "dossiers": 0, "open_assignments": 0,
            "reports_sent": 0, "overdue": 0, "_lead": []})
        entry["dossiers"] += 1
        entry["reports_sent"] += row["reports"]
        if row["first_report_on"] and row["assigned_on"]:
            entry["_lead"].append((row["first_report_on"] - row["assigned_on"]).days)
        if row["state"] in WITH_EXPERT and row["assigned_on"] is not None:
            entry["open_assignments"] += 1
            norm = norms.get((row["regime"], "expertise"))
            if norm is not None and (today - row["assigned_on"]).days > norm:
                entry["overdue"] += 1
    result = []
    for entry in sorted(experts.values(), key=lambda e: e["expert_sub"]):
        lead = entry.pop("_lead")
        entry["lead_time_avg_days"] = round(sum(lead) / len(lead), 1) if lead else None
        result.append(entry)
    return result


async def appeals_report(session: AsyncSession, limit: int, offset: int) -> tuple[list[dict], int]:
    """Every appeal with its dossier, newest first, and the total."""
    rows = (await session.execute(text("""
        SELECT p.id AS appeal_id, a.id AS application_id, a.dossier_number, d.reference,
               p.decision_version, p.lodged_on, p.out_of_time, p.status, p.judgment_on,
               p.judgment_amount, count(*) OVER () AS total
        FROM appeals p JOIN applications a ON a.id = p.application_id
        JOIN disasters d ON d.id = a.disaster_id
        ORDER BY p.lodged_on DESC, p.id LIMIT :limit OFFSET :offset"""),
        {"limit": limit, "offset": offset})).mappings().all()
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset:
        total = int(await session.scalar(text("SELECT count(*) FROM appeals")) or 0)
    return [dict(row) for row in rows], total
