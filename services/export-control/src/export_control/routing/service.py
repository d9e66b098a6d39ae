"""Rule-set versions and the routing of an application (inputs and version stored)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import record_audit
from dkbuza_kit.calendar import brussels_date
from export_control.applications.models import Application
from export_control.controllist import DUAL_USE
from export_control.controllist import MILITARY
from export_control.embargoes import service as embargoes
from export_control.errors import Errors
from export_control.routing.models import RoutingResult
from export_control.routing.models import RoutingRuleSet
from export_control.routing.rules import RoutingInputs
from export_control.routing.rules import RuleSet
from export_control.routing.rules import default_rule_set
from export_control.routing.rules import load_rule_set
from export_control.routing.rules import route


async def active_rule_set(session: AsyncSession) -> tuple[str, RuleSet]:
    """The active rule set; the packaged default is installed on first use."""
    row = await session.scalar(select(RoutingRuleSet).where(RoutingRuleSet.active))
    if row is None:
        default = default_rule_set()
        await session.execute(
            insert(RoutingRuleSet)
            .values(version=default["version"], content=default, active=True,
                    created_by="system")
            .on_conflict_do_nothing(index_elements=[RoutingRuleSet.version])
        )
        row = await session.scalar(select(RoutingRuleSet).where(RoutingRuleSet.active))
        if row is None:  # the default version exists but another version was deactivated
            raise Errors.NO_ACTIVE_RULE_SET("no routing rule set is active")
    return row.version, load_rule_set(row.content)


async def create_rule_set(session: AsyncSession, rules: RuleSet, actor: str) -> RoutingRuleSet:
    await active_rule_set(session)  # make sure the default is there before it is replaced
    if await session.get(RoutingRuleSet, rules.version) is not None:
        raise Errors.RULE_SET_VERSION_EXISTS(f"rule set version {rules.version} already exists")
    await session.execute(update(RoutingRuleSet).values(active=False))
    row = RoutingRuleSet(version=rules.version, content=rules.model_dump(mode="json"),
                         active=True, created_by=actor)
    await add_audited(session, row, entity_type="routing_rule_set", entity_id=rules.version,
                      action="activated", to_state="active")
    return row


def diversion_risk(app: Application, rules: RuleSet) -> bool:
    """Dual-use or common-high-priority items towards a country with a diversion risk."""
    sensitive_goods = any(line.regime == DUAL_USE or line.common_high_priority
                          for line in app.lines)
    return sensitive_goods and app.destination_country in rules.diversion_risk_countries


async def route_application(session: AsyncSession, app: Application, *, denial_match: bool,
                            sanctions_hit: bool, now: datetime) -> RoutingResult:
    version, rules = await active_rule_set(session)
    app.russia_circumvention_flag = diversion_risk(app, rules)
    measures = await embargoes.measures_for_application(session, app, brussels_date(now))
    inputs = RoutingInputs(
        destination_country=app.destination_country,
        military_categories=tuple(sorted({line.category for line in app.lines
                                          if line.regime == MILITARY})),
        has_dual_use=any(line.regime == DUAL_USE for line in app.lines),
        total_value=sum((line.value_eur for line in app.lines), start=0),
        denial_notice_match=denial_match,
        sanctions_hit=sanctions_hit,
        russia_circumvention_flag=app.russia_circumvention_flag,
        embargo_measures=tuple(f"{m.id}: {m.legal_basis()}" for m in measures),
    )
    routing = route(rules, inputs)
    result = RoutingResult(application_id=app.id, rule_set_version=version,
                           inputs=inputs.as_json(), track=routing.track,
                           authority=routing.authority,
                           indicative_max_working_days=routing.indicative_max_working_days,
                           reasons=routing.reasons, computed_at=now)
    session.add(result)
    app.track = routing.track
    app.decision_authority = routing.authority
    app.indicative_max_working_days = routing.indicative_max_working_days
    await record_audit(session, entity_type="application", entity_id=app.id, action="routed",
                       data={"rule_set_version": version, "track": routing.track,
                             "authority": routing.authority, "reasons": routing.reasons,
                             "inputs": inputs.as_json()})
    return result
