"""Demo data: `python -m vsp_statistics.demo` (idempotent: a second run changes nothing).

Follows the 2025 business plan (OD 3.2.3): the VSP 2025-2029 adopted by the Flemish Government
by mid-2025 at the latest, and the work programme 2025-2026 fixed by the CVOS by mid-2025.
A network (entities, the programme, objectives, official statistics on the list from the
adoption) and a year of releases around today: the past six months entered through the
history path (`POST /v1/releases/history` in the service layer: announced about two months
ahead, some moved with a reason), the next six months announced. Two RVOS advice items (one
answered), a collaboration project started this year. Everything goes through the service
layer (never the routers). No Code of Practice indicator is loaded: the official indicator
texts come only through the catalogue import. Dates and references marked "demo" are
illustrations, not records.
"""

import asyncio
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select

from dkbuza_kit.auth import Principal
from dkbuza_kit.clock import BRUSSELS
from dkbuza_kit.clock import SystemClock
from dkbuza_kit.dates import PartialDate
from dkbuza_kit.dates import add_months
from dkbuza_kit.db import create_engine
from dkbuza_kit.db import create_sessionmaker
from vsp_statistics.collaborations import service as collaborations
from vsp_statistics.collaborations.models import CollaborationProject
from vsp_statistics.collaborations.schemas import ProjectIn
from vsp_statistics.consultations import service as consultations
from vsp_statistics.consultations.models import RvosAdvice
from vsp_statistics.consultations.schemas import AdviceIn
from vsp_statistics.consultations.schemas import ResponseIn
from vsp_statistics.network.models import Objective
from vsp_statistics.network.models import Programme
from vsp_statistics.network.schemas import EntityIn
from vsp_statistics.network.schemas import ObjectiveIn
from vsp_statistics.network.schemas import ProgrammeIn
from vsp_statistics.network.service import create_entity
from vsp_statistics.network.service import create_objective
from vsp_statistics.network.service import create_programme
from vsp_statistics.official_statistics.schemas import StatisticIn
from vsp_statistics.official_statistics.service import create_statistic
from vsp_statistics.releases import history
from vsp_statistics.releases import service as releases
from vsp_statistics.releases.schemas import HistoricReleaseIn
from vsp_statistics.releases.schemas import HistoryIn
from vsp_statistics.releases.schemas import ReleaseIn
from vsp_statistics.roles import STAFF
from vsp_statistics.settings import VspStatisticsSettings
from vsp_statistics.work_programmes import service as work_programmes
from vsp_statistics.work_programmes.models import WorkProgramme
from vsp_statistics.work_programmes.schemas import ActionIn
from vsp_statistics.work_programmes.schemas import ActionProgressIn
from vsp_statistics.work_programmes.schemas import FixVersionIn
from vsp_statistics.work_programmes.schemas import WorkProgrammeIn

PROGRAMME_CODE = "VSP-2025-2029"
DEMO = Principal(sub="demo-loader", roles=frozenset({STAFF}), org="dkbuza")
# "Ten laatste medio 2025" (business plan 2025, OD 3.2.3): the latest date the plan allows.
MID_2025 = date(2025, 6, 30)
WORK_PROGRAMME = "WP-2025-2026"
OUTPUT_URL = "https://statistiek-vlaanderen.example/publicaties"  # demo links

ENTITIES = [
    ("VSA", "Vlaamse Statistische Autoriteit"),
    ("WSE", "Departement Werk en Sociale Economie"),
    ("OV", "Departement Onderwijs en Vorming"),
    ("ZG", "Departement Zorg"),
    ("MOW", "Departement Mobiliteit en Openbare Werken"),
    ("VMM", "Vlaamse Milieumaatschappij"),
]
OBJECTIVES = [
    ("D1", "Relevante en tijdige officiële statistieken"),
    ("D2", "Kwaliteit volgens de Europese praktijkcode"),
    ("D3", "Open en toegankelijke publicatie"),
    ("D4", "Samenwerking binnen Statistiek Vlaanderen"),
]
# code, title, theme, entity, periodicity
STATISTICS = [
    ("BEV-01", "Bevolking naar woonplaats", "Bevolking", "VSA", "annual"),
    ("ARB-01", "Werkzoekenden naar kenmerken", "Werk", "WSE", "monthly"),
    ("ARB-02", "Vacatures in het Vlaamse Gewest", "Werk", "WSE", "quarterly"),
    ("ONW-01", "Leerlingen in het leerplichtonderwijs", "Onderwijs", "OV", "annual"),
    ("ZRG-01", "Capaciteit in de ouderenzorg", "Zorg", "ZG", "annual"),
    ("MOB-01", "Verkeerstellingen op gewestwegen", "Mobiliteit", "MOW", "quarterly"),
    ("MIL-01", "Kwaliteit van het oppervlaktewater", "Milieu", "VMM", "annual"),
]
STEP = {"monthly": 1, "quarterly": 3, "annual": 12}
RVOS_ADVICE = [
    {"days_ago": 120, "topic": "Vast publicatietijdstip voor alle officiële statistieken",
     "advice": "De raad adviseert alle officiële statistieken op een vast tijdstip te "
               "publiceren en dat tijdstip in de releasekalender te vermelden.",
     "response": "Het netwerk publiceert voortaan om 09:30; de releasekalender vermeldt het "
                 "tijdstip bij elke publicatie."},
    {"days_ago": 20, "topic": "Toegankelijkheid van open data",
     "advice": "De raad vraagt de open datasets ook in een niet-propriëtair formaat aan te "
               "bieden."},
]
COLLABORATION_TITLE = "Gedeelde methodologie voor regionale arbeidsmarktstatistieken"


def _reference_period(periodicity: str, target: date) -> str:
    """The period a release on `target` reports on: a lag of one period or two months."""
    if periodicity == "monthly":
        month = add_months(target.replace(day=1), -2)
        return f"{month.year}-{month.month:02d}"
    if periodicity == "quarterly":
        previous = add_months(target.replace(day=1), -3)
        return f"{previous.year}-Q{(previous.month - 1) // 3 + 1}"
    return str(target.year - 1)


def _release_day(month_start: date, offset: int) -> date:
    """A weekday in the middle of the month (stable for the same month and offset)."""
    day = month_start.replace(day=min(10 + offset, 28))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def load(settings: VspStatisticsSettings) -> bool:
    """Load what is missing (each part is checked on its own, so a database loaded by an
    earlier version of this module gets the newer parts once); True if anything was added."""
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    clock = SystemClock()
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            today = datetime.now(UTC).astimezone(BRUSSELS).date()
            loaded = await _network_and_releases(session, settings, clock, today)
            loaded |= await _work_programme(session, clock, today)
            loaded |= await _consultations(session, clock, today)
            loaded |= await _collaboration(session, today)
        return loaded
    finally:
        await engine.dispose()


async def _network_and_releases(session, settings: VspStatisticsSettings, clock,
                                today: date) -> bool:
    if await session.scalar(select(Programme.id).where(Programme.code == PROGRAMME_CODE)):
        return False
    for code, name in ENTITIES:
        await create_entity(session, EntityIn(code=code, name=name))
    adopted_on = min(today, MID_2025)
    programme = await create_programme(session, ProgrammeIn(
        code=PROGRAMME_CODE, title="Vlaams Statistisch Programma 2025-2029",
        start_year=2025, end_year=2029, adopted_on=adopted_on,
        adoption_reference="Demo: goedkeuring door de Vlaamse Regering (ten laatste medio "
                           "2025, ondernemingsplan 2025 OD 3.2.3)"), clock)
    for code, title in OBJECTIVES:
        await create_objective(session, ObjectiveIn(programme_id=programme.id,
                                                    code=code, title=title))
    for number, (code, title, theme, entity, periodicity) in enumerate(STATISTICS):
        statistic = await create_statistic(session, StatisticIn.model_validate({
            "code": code, "title": title, "theme": theme, "entity_code": entity,
            "periodicity": periodicity,
            "inclusion": {"effective_on": adopted_on.isoformat(),
                          "reason": "Opname op de VSP-lijst bij de goedkeuring van het VSP",
                          "decision_type": "cvos_decision",
                          "decision_reference": "Demo: VSP-lijst 2025-2029"}}), DEMO)
        await _releases(session, statistic.id, code, periodicity, number, today, adopted_on,
                        clock, settings.default_release_time)
    return True


def _historic(statistic_id, code: str, periodicity: str, target: date, index: int,
              release_time: time) -> HistoricReleaseIn:
    """A past release: announced about two months ahead; now and then moved two or four days
    with a reason two weeks ahead; published at the release time."""
    moved = index % 4 == 3
    actual = target + timedelta(days=2 if target.weekday() < 3 else 4) if moved else target
    reference = _reference_period(periodicity, target)
    return HistoricReleaseIn(
        statistic_id=statistic_id, reference_period=PartialDate.parse(reference),
        vintage="first", first_announced_target=PartialDate.of_day(target),
        first_announced_on=target - timedelta(days=60),
        target=PartialDate.of_day(actual) if moved else None,
        rescheduled_on=target - timedelta(days=14) if moved else None,
        reschedule_reason="Brongegevens later beschikbaar" if moved else None,
        published_at=datetime.combine(actual, release_time, tzinfo=BRUSSELS)
        + timedelta(minutes=1),
        output_url=f"{OUTPUT_URL}/{code.lower()}/{reference}")


async def _releases(session, statistic_id, code: str, periodicity: str, offset: int,
                    today: date, listed_on: date, clock, release_time: time) -> None:
    month = add_months(today.replace(day=1), -6)
    end = add_months(today.replace(day=1), 6)
    past: list[HistoricReleaseIn] = []
    index = 0
    while month <= end:
        target = _release_day(month, offset)
        if target < today - timedelta(days=4) and target > listed_on:
            past.append(_historic(statistic_id, code, periodicity, target, index, release_time))
        elif target > today:
            await releases.create_release(session, DEMO, ReleaseIn(
                statistic_id=statistic_id,
                reference_period=PartialDate.parse(_reference_period(periodicity, target)),
                vintage="first", target=PartialDate.of_day(target)), clock, release_time)
        month = add_months(month, STEP[periodicity])
        index += 1
    if past:
        await history.record_history(session, DEMO, HistoryIn(releases=past), clock,
                                     release_time)


async def _work_programme(session, clock, today: date) -> bool:
    """The work programme 2025-2026: version 1 fixed by the CVOS by mid-2025 with four
    actions (one done, one under way), then one action added later (in draft version 2)."""
    if await session.scalar(select(WorkProgramme.id).where(
            WorkProgramme.code == WORK_PROGRAMME)):
        return False
    programme = await session.scalar(select(Programme).where(Programme.code == PROGRAMME_CODE))
    objectives = {o.code: o.id for o in await session.scalars(
        select(Objective).where(Objective.programme_id == programme.id))}
    work_programme = await work_programmes.create(session, WorkProgrammeIn(
        code=WORK_PROGRAMME, title="Werkprogramma 2025-2026", programme_id=programme.id,
        start_year=2025, end_year=2026))

    async def action(objective: str, title: str, owner: str, due: str):
        return await work_programmes.add_action(session, work_programme, ActionIn(
            title=title, objective_id=objectives[objective], owner_entity_code=owner,
            due=PartialDate.parse(due)))

    calendar = await action("D1", "Releasekalender voor twaalf maanden publiceren", "VSA",
                            "2025-Q3")
    open_data = await action("D3", "Werkzoekendenstatistiek als open data aanbieden", "WSE",
                             "2026-06")
    await action("D2", "Zelfevaluatie starten voor alle officiële statistieken", "VSA",
                 "2025-Q4")
    await action("D4", "Gezamenlijke mobiliteitsindicatoren ontwikkelen", "MOW", "2026-Q2")
    await work_programmes.fix_version(session, work_programme, 1, FixVersionIn(
        cvos_decision_reference="Demo: CVOS-beslissing werkprogramma 2025-2026",
        fixed_on=min(today, MID_2025)), clock)
    await work_programmes.record_progress(session, work_programme, calendar.id, ActionProgressIn(
        state="completed", completed_on=min(today, date(2025, 9, 26))), clock)
    await work_programmes.record_progress(session, work_programme, open_data.id,
                                          ActionProgressIn(state="in_progress"), clock)
    await action("D3", "Metadata van de officiële statistieken harmoniseren", "OV", "2026")
    return True


async def _consultations(session, clock, today: date) -> bool:
    """Two RVOS advice items: one answered after five weeks, one still open."""
    topics = [advice["topic"] for advice in RVOS_ADVICE]
    if await session.scalar(select(RvosAdvice.id).where(RvosAdvice.topic.in_(topics)).limit(1)):
        return False
    for item in RVOS_ADVICE:
        advised_on = today - timedelta(days=item["days_ago"])
        advice = await consultations.register(session, DEMO, AdviceIn(
            advised_on=advised_on, topic=item["topic"], advice=item["advice"]), clock)
        if item.get("response"):
            await consultations.respond(session, DEMO, advice, ResponseIn(
                response=item["response"], responded_on=advised_on + timedelta(days=35)),
                clock)
    return True


async def _collaboration(session, today: date) -> bool:
    """A collaboration project started this year (KPI target: 2-3 a year)."""
    if await session.scalar(select(CollaborationProject.id).where(
            CollaborationProject.title == COLLABORATION_TITLE)):
        return False
    await collaborations.create(session, DEMO, ProjectIn(
        title=COLLABORATION_TITLE, entity_codes=["WSE", "VSA"],
        start_date=min(today, date(today.year, 2, 1)), state="running"))
    return True


def main() -> None:
    loaded = asyncio.run(load(VspStatisticsSettings()))
    print("statistics demo data loaded" if loaded else "statistics demo data already present")


if __name__ == "__main__":
    main()
