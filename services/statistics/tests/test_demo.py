"""The demo data: idempotent, and the KPIs show figures for every part of the programme."""

from sqlalchemy import text

from vsp_statistics.demo import load
from vsp_statistics.settings import VspStatisticsSettings

COUNTED = ("network_entities", "official_statistics", "releases", "work_programmes",
           "work_programme_versions", "work_programme_actions",
           "work_programme_version_actions", "rvos_advice", "collaboration_projects",
           "audit_events", "outbox_events", "cop_indicators")


async def counts(harness) -> dict[str, int]:
    async with harness.sessionmaker() as session:
        return {table: await session.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in COUNTED}


async def test_demo_loads_once_and_feeds_the_kpis(client, harness, staff):
    settings = VspStatisticsSettings(database_url=harness.database_url)
    assert await load(settings) is True
    loaded = await counts(harness)
    assert await load(settings) is False
    assert await counts(harness) == loaded
    assert loaded["cop_indicators"] == 0  # no invented Code of Practice indicator texts
    assert (loaded["work_programme_actions"], loaded["rvos_advice"],
            loaded["collaboration_projects"]) == (5, 2, 1)

    response = await client.get("/v1/kpis", headers=staff)
    assert response.status_code == 200
    figures = {k["id"]: k for k in response.json()}
    assert figures["work_programme_execution_pct"]["value"] == 25.0  # 1 of the 4 fixed
    assert figures["work_programme_execution_pct"]["breakdown"][1]["actions"] == 1
    assert figures["collaboration_projects_started"]["value"] == 1
    assert figures["rvos_advice_followed_up_pct"]["value"] == 50.0
    assert figures["rvos_median_response_days"]["value"] == 35.0
    assert figures["punctuality_rate_pct"]["value"] is not None


async def test_demo_adds_missing_parts_to_an_older_demo_database(client, harness):
    """A database loaded before the work programme, consultations and projects existed in the
    demo gets them on the next run, once."""
    settings = VspStatisticsSettings(database_url=harness.database_url)
    assert await load(settings) is True
    async with harness.owner_connection() as connection:  # the app role may not TRUNCATE
        await connection.execute(text(
            "TRUNCATE work_programmes, work_programme_versions, work_programme_actions, "
            "work_programme_version_actions, rvos_advice, collaboration_participants, "
            "collaboration_projects CASCADE"))
    assert await load(settings) is True
    after = await counts(harness)
    assert (after["work_programme_actions"], after["rvos_advice"],
            after["collaboration_projects"]) == (5, 2, 1)
    assert after["releases"] > 0
