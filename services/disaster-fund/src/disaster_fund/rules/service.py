"""Rule-set versions: which one applies to an event, and adding a version."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.errors import Errors
from disaster_fund.rules.models import RuleSet
from disaster_fund.rules.schemas import RuleSetContent
from disaster_fund.rules.schemas import RuleSetIn
from dkbuza_kit.audit import add_audited
from dkbuza_kit.errors import KitErrors

# Versions never change once written, so their parsed content can be cached by id.
_parsed: dict[int, RuleSetContent] = {}


@dataclass(frozen=True)
class RuleSetVersion:
    """An immutable snapshot of one stored version (what the in-process catalogue holds)."""

    id: int
    regime: str
    version: int
    applies_from: date
    applies_to: date | None
    content: dict[str, Any]


def content_of(rule_set: RuleSet | RuleSetVersion) -> RuleSetContent:
    parsed = _parsed.get(rule_set.id)
    if parsed is None:
        parsed = RuleSetContent.model_validate(rule_set.content)
        _parsed[rule_set.id] = parsed
    return parsed


# The catalogue of versions, cached in this process. Versions are only ever added (a new
# version gets a new id), so "how many, and the highest id" changes whenever the stored set
# does, in this process or another: the stamp is read with each lookup (alone, or as a column
# of a query the caller sends anyway) and a changed stamp reloads the catalogue.
CATALOGUE_STAMP = select(func.concat(func.count(), "/", func.coalesce(func.max(RuleSet.id), 0))
                         ).scalar_subquery().label("rule_sets_stamp")
_catalogue: tuple[str, tuple[RuleSetVersion, ...]] | None = None


async def _versions(session: AsyncSession, stamp: str) -> tuple[RuleSetVersion, ...]:
    global _catalogue
    if _catalogue is not None and _catalogue[0] == stamp:
        return _catalogue[1]
    rows = (await session.execute(select(
        RuleSet.id, RuleSet.regime, RuleSet.version, RuleSet.applies_from, RuleSet.applies_to,
        RuleSet.content))).all()
    versions = tuple(RuleSetVersion(*row) for row in rows)
    # Keyed by what was loaded: a version committed between the two reads is not missed.
    _catalogue = (f"{len(versions)}/{max((v.id for v in versions), default=0)}", versions)
    return versions


async def current_for_event(session: AsyncSession, event_start: date,
                            stamp: str | None = None) -> RuleSetVersion:
    """The newest version of the regime that applies to an event starting on `event_start`.

    `stamp` is `CATALOGUE_STAMP` as read by the caller in the same transaction (saves the
    round trip that reads it otherwise)."""
    if stamp is None:
        stamp = await session.scalar(select(CATALOGUE_STAMP))
    applicable = [v for v in await _versions(session, stamp)  # type: ignore[arg-type]
                  if v.applies_from <= event_start
                  and (v.applies_to is None or v.applies_to >= event_start)]
    if not applicable:
        raise Errors.REGIME_NOT_SUPPORTED(
            f"no rule set applies to events of {event_start}: events from 1 July 2014 until the "
            "2016 decree applied fall under the federal law of 12 July 1976, which this "
            "service does not compute", event_start=event_start.isoformat())
    return max(applicable, key=lambda v: (v.version, v.id))


async def get(session: AsyncSession, rule_set_id: int) -> RuleSet:
    rule_set = await session.get(RuleSet, rule_set_id)
    if rule_set is None:
        raise KitErrors.NOT_FOUND("rule set not found")
    return rule_set


async def add_version(session: AsyncSession, body: RuleSetIn, actor: str) -> RuleSet:
    if body.applies_to is not None and body.applies_to < body.applies_from:
        raise Errors.INVALID_PERIOD("applies_to is before applies_from")
    # Serialise version numbering per regime (two managers adding at once).
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                          {"key": f"rule_sets:{body.regime.value}"})
    latest = await session.scalar(
        select(func.max(RuleSet.version)).where(RuleSet.regime == body.regime.value))
    rule_set = RuleSet(
        regime=body.regime.value, version=(latest or 0) + 1, applies_from=body.applies_from,
        applies_to=body.applies_to, content=body.content.model_dump(mode="json"),
        note=body.note, created_by=actor,
    )
    await add_audited(session, rule_set, entity_type="rule_set", action="created",
                      data={"regime": rule_set.regime, "version": rule_set.version})
    return rule_set
