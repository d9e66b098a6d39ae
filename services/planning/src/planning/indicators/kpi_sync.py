"""Indicator measurements fed by other services' KPIs (gateway spec "Plan indicators fed by
live KPIs").

An indicator whose `source` is `<service>:<kpi id>` gets a measurement each time the job
reads a new value or period for that KPI from the gateway aggregate `GET /v1/kpis`
(`{"completed", "sources": {service: {"status"}}, "kpis": [{"source", "id", "value",
"period", ...}]}`). Nothing is recorded when the value and period equal those of the
indicator's latest measurement from that source, nor when the source is missing from a
partial answer, the KPI is absent or has no value: those are logged and retried next run.

`choose_measurement` is the pure rule; `record_kpi_measurements` applies it in a session;
`fetch_gateway_kpis` is the HTTP client (its transport injectable for tests).
"""

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import today_brussels
from planning.indicators.models import Indicator
from planning.indicators.models import IndicatorMeasurement
from planning.plans.models import Plan
from planning.roles import KPI_READER
from planning.settings import PlanningSettings

log = structlog.get_logger("planning.indicator_kpis")

MANUAL = "manual"
QUANTUM = Decimal("0.001")  # indicator_measurements.value is Numeric(18, 3)
DEV_TOKEN_TTL_S = 300
# Serialises concurrent runs (two overlapping slots) so the no-duplicate check holds.
SYNC_LOCK_ID = 0x504C4B5049  # "PLKPI"

RETRIED_STATUSES = {502, 503, 504}
KpiFetcher = Callable[[], Awaitable[dict[str, Any]]]


class KpiFeedUnavailable(RuntimeError):
    """The gateway could not be read at all (the job fails and the next slot retries)."""


def parse_source(source: str) -> tuple[str, str] | None:
    """`"disaster-fund:applications_completed_within_1y_pct"` -> (service, kpi id); manual -> None."""
    if source == MANUAL or ":" not in source:
        return None
    service, kpi_id = source.split(":", 1)
    return (service, kpi_id) if service and kpi_id else None


@dataclass(frozen=True)
class KpiReading:
    value: Decimal
    period: str | None


@dataclass(frozen=True)
class Skip:
    reason: str  # source_unavailable / kpi_not_found / no_value / unchanged
    detail: dict[str, Any] = field(default_factory=dict)


def kpi_index(answer: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The gateway's KPIs by (source service, KPI id)."""
    return {(str(k.get("source")), str(k.get("id"))): k for k in answer.get("kpis") or []
            if isinstance(k, dict)}


def choose_measurement(source: str, answer: dict[str, Any],
                       index: dict[tuple[str, str], dict[str, Any]],
                       latest: tuple[Decimal, str | None] | None) -> KpiReading | Skip:
    """What the gateway answer means for one indicator, given its latest measurement from the
    same source: a reading to record, or why not."""
    parsed = parse_source(source)
    if parsed is None:
        return Skip("not_linked")
    service, kpi_id = parsed
    status = ((answer.get("sources") or {}).get(service) or {}).get("status", "absent")
    if status != "ok":
        return Skip("source_unavailable", {"service": service, "source_status": status})
    figure = index.get((service, kpi_id))
    if figure is None:
        return Skip("kpi_not_found", {"service": service, "kpi": kpi_id})
    try:
        value = Decimal(str(figure["value"])).quantize(QUANTUM)
    except (KeyError, InvalidOperation, ValueError, TypeError):
        value = None
    if value is None or not value.is_finite():
        return Skip("no_value", {"kpi": kpi_id, "value": figure.get("value")})
    period = figure.get("period")
    if isinstance(period, dict):  # the KPI contract's structured period: keep its label
        period = period.get("label")
    period = None if period is None else str(period)[:50]
    if latest is not None and latest == (value, period):
        return Skip("unchanged")
    return KpiReading(value, period)


async def _latest_from_source(session: AsyncSession, indicator_id: int,
                              source: str) -> tuple[Decimal, str | None] | None:
    row = (await session.execute(
        select(IndicatorMeasurement.value, IndicatorMeasurement.period)
        .where(IndicatorMeasurement.indicator_id == indicator_id,
               IndicatorMeasurement.source == source)
        .order_by(IndicatorMeasurement.id.desc()).limit(1))).first()
    return (row[0], row[1]) if row else None


async def record_kpi_measurements(session: AsyncSession, clock: Clock,
                                  fetch: KpiFetcher) -> dict[str, int]:
    """Record a measurement per KPI-linked indicator of a plan that is not closed.

    Returns how many indicators got a measurement and how many were skipped per reason."""
    indicators = list(await session.scalars(
        select(Indicator).join(Plan, Plan.id == Indicator.plan_id)
        .where(Indicator.source != MANUAL, Plan.state != "closed")
        .order_by(Indicator.id)))
    summary = {"recorded": 0}
    if not indicators:
        return summary
    answer = await fetch()
    await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": SYNC_LOCK_ID})
    index = kpi_index(answer)
    today = today_brussels(clock)
    for indicator in indicators:
        latest = await _latest_from_source(session, indicator.id, indicator.source)
        outcome = choose_measurement(indicator.source, answer, index, latest)
        if isinstance(outcome, Skip):
            summary[outcome.reason] = summary.get(outcome.reason, 0) + 1
            if outcome.reason != "unchanged":
                log.warning("indicator_kpi_skipped", indicator_id=indicator.id,
                            indicator=indicator.code, source=indicator.source,
                            reason=outcome.reason, **outcome.detail)
            continue
        session.add(IndicatorMeasurement(
            indicator_id=indicator.id, value=outcome.value, measured_on=today,
            period=outcome.period, source=indicator.source, note="KPI via gateway"))
        summary["recorded"] += 1
    await session.flush()
    log.info("indicator_kpis_synced", completed=answer.get("completed"), **summary)
    return summary


def kpi_token(settings: PlanningSettings, signing_key=None) -> str:
    """The configured client token, else a short-lived development token.

    DEVELOPMENT ONLY: without `PLANNING_KPI_TOKEN` the job signs its own `kpi.reader` token
    with the local development key (`.data/keys`), which only the dev stack trusts. A
    deployment must set `PLANNING_KPI_TOKEN` (a client-credentials token of the real issuer).
    """
    if settings.kpi_token is not None:
        return settings.kpi_token.get_secret_value()
    if signing_key is None:
        from dkbuza_kit.tokens import dev_signing_key

        signing_key = dev_signing_key()
    return signing_key.mint(sub="planning-indicator-job", roles=[KPI_READER],
                            ttl_seconds=DEV_TOKEN_TTL_S, issuer=settings.jwt_issuer,
                            audience=settings.jwt_audience)


def gateway_fetcher(settings: PlanningSettings,
                    transport: httpx.AsyncBaseTransport | None = None) -> KpiFetcher:
    """`GET <gateway>/v1/kpis` with a kpi.reader token; a partial answer (HTTP 200 with
    `completed: false`) is a normal answer, anything else raises `KpiFeedUnavailable`.
    Unreachable or 502-504 is retried after each of `settings.kpi_retry_delays_s`."""

    async def get(client: httpx.AsyncClient) -> httpx.Response:
        headers = {"Authorization": f"Bearer {kpi_token(settings)}"}
        try:
            return await client.get("/v1/kpis", headers=headers)
        except httpx.HTTPError as exc:
            raise KpiFeedUnavailable(f"gateway not reachable: {exc!r}") from exc

    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=settings.gateway_url, transport=transport,
                                     timeout=settings.kpi_request_timeout_s) as client:
            for delay in [*settings.kpi_retry_delays_s, None]:
                try:
                    response = await get(client)
                    if response.status_code not in RETRIED_STATUSES:
                        break
                    failure = KpiFeedUnavailable(f"gateway answered {response.status_code}")
                except KpiFeedUnavailable as exc:
                    failure = exc
                if delay is None:
                    raise failure
                log.info("indicator_kpis_gateway_retry", error=str(failure), delay_s=delay)
                await asyncio.sleep(delay)
        if response.status_code != 200:
            raise KpiFeedUnavailable(f"gateway answered {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise KpiFeedUnavailable("gateway answered no JSON") from exc
        if not isinstance(answer, dict) or not isinstance(answer.get("kpis"), list):
            raise KpiFeedUnavailable("gateway answer has no `kpis` list")
        return answer

    return fetch
