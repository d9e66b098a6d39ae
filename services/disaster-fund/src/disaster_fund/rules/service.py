"""Rule-set versions: which one applies to an event, and adding a version."""

from datetime import date

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from disaster_fund.rules.models import RuleSet
from disaster_fund.rules.schemas import RuleSetContent, RuleSetIn
from dkbuza_kit.audit import record_audit
from dkbuza_kit.problems import ProblemError

# Versions never change once written, so their parsed content can be cached by id.
_parsed: dict[int, RuleSetContent] = {}


def content_of(rule_set: RuleSet) -> RuleSetContent:
    parsed = _parsed.get(rule_set.id)
    if parsed is None:
        parsed = RuleSetContent.model_validate(rule_set.content)
        _parsed[rule_set.id] = parsed
    return parsed


async def current_for_event(session: AsyncSession, event_start: date) -> RuleSet:
    """The newest version of the regime that applies to an event starting on `event_start`."""
    rule_set = await session.scalar(
        select(RuleSet)
        .where(RuleSet.applies_from <= event_start,
               or_(RuleSet.applies_to.is_(None), RuleSet.applies_to >= event_start))
        .order_by(RuleSet.version.desc(), RuleSet.id.desc())
        .limit(1)
    )
    if rule_set is None:
        raise ProblemError(422, "NO_RULE_SET", f"no rule set applies to events of {event_start}")
    return rule_set


async def get(session: AsyncSession, rule_set_id: int) -> RuleSet:
    rule_set = await session.get(RuleSet, rule_set_id)
    if rule_set is None:
        raise ProblemError(404, "NOT_FOUND", "rule set not found")
    return rule_set


async def add_version(session: AsyncSession, body: RuleSetIn, actor: str) -> RuleSet:
    if body.applies_to is not None and body.applies_to < body.applies_from:
        raise ProblemError(422, "INVALID_PERIOD", "applies_to is before applies_from")
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
    session.add(rule_set)
    await session.flush()
    await record_audit(session, entity_type="rule_set", entity_id=rule_set.id, action="created",
                       data={"regime": rule_set.regime, "version": rule_set.version})
    return rule_set
