"""A dossier's turnaround: phase spans gross and net of pauses, with its norm status."""


from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund import turnaround
from disaster_fund.applications.models import Application
from disaster_fund.applications.queries import pauses_of
from disaster_fund.applications.queries import state_entries
from disaster_fund.rules.schemas import RuleSetContent
from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels


async def turnaround_of(session: AsyncSession, application: Application, content: RuleSetContent,
                        clock: Clock) -> dict:
    entries = await state_entries(session, application)
    pauses = [turnaround.PauseSpan(p.started_at, p.ended_at)
              for p in await pauses_of(session, application.id)]
    now = clock.now()
    spans = turnaround.phase_spans(entries, pauses, now)
    end = application.completed_on or today_brussels(clock)
    gross = (end - application.received_on).days
    net = gross - turnaround.paused_days(application.received_on, end, pauses, today_brussels(clock))
    current = spans[-1] if spans and spans[-1].left_on is None else None
    norm = None
    if current is not None:
        norm_days = content.phase_norms_days[turnaround.Phase(current.phase)]
        norm = turnaround.norm_status(current.net_days, norm_days, content.norm_warning_days)
    return {
        "application_id": application.id,
        "spans": [span.__dict__ for span in spans],
        "totals": turnaround.totals(spans),
        "gross_days": gross, "net_days": net,
        "current_phase": current.phase if current else None,
        "current_norm_days": norm.norm_days if norm else None,
        "current_norm_status": norm.status if norm else None,
    }
