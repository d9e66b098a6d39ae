"""Recording the past (issue 17): VSA staff register historic releases with their announced
dates and actual publication moment, audited and through the timeline rule, so TP1 and TP3
cover history. All or nothing; an entity may not."""

from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.models import AuditEvent
from vsp_statistics.releases.models import Release

ENTITY_A = "TEST-A"


async def release_count(harness) -> int:
    async with harness.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Release))


async def old_statistic(api) -> str:
    await api.entity(ENTITY_A)
    return (await api.statistic("HIST-1", ENTITY_A, effective_on="2020-01-01"))["id"]


def historic(statistic_id: str, **override) -> dict:
    """Hand-computed fixture (now = 3 March 2025): reference 2024 (ends 31 Dec 2024), first
    announced for 14 Feb 2025 on 4 Nov 2024, moved on 20 Jan 2025 to 18 Feb 2025, published
    19 Feb 2025 09:30 Brussels (08:30 UTC).
    TP1 = 31 (January) + 19 = 50 days; TP3 = +1 against 18 Feb, strictly +5 against 14 Feb;
    the exact day 18 Feb was announced 29 days ahead (pre-announcement compliant)."""
    return {"statistic_id": statistic_id, "reference_period": "2024", "vintage": "first",
            "first_announced_target": "2025-02-14", "first_announced_on": "2024-11-04",
            "target": "2025-02-18", "rescheduled_on": "2025-01-20",
            "reschedule_reason": "bronbestand later geleverd",
            "published_at": "2025-02-19T08:30:00Z",
            "output_url": "https://statistiek.example/hist-1/2024", **override}


async def test_a_historic_release_gives_the_hand_computed_tp1_and_tp3(api, clock, harness):
    statistic = await old_statistic(api)
    response = await api.client.post("/v1/releases/history", headers=api.staff,
                                     json={"releases": [historic(statistic)]})
    assert response.status_code == 201, response.text
    [release] = response.json()["items"]
    assert release["state"] == "published"
    assert release["recorded_from_history"] is True
    assert release["published_at"] == "2025-02-19T08:30:00Z"
    assert release["time_lag_days"] == 50
    assert release["punctuality"] == {"status": "late", "days": 1}
    assert release["punctuality_strict"] == {"status": "late", "days": 5}
    assert release["first_announced_target"] == "2025-02-14"
    assert release["target"] == "2025-02-18" and release["reschedule_count"] == 1

    kpis = {k["id"]: k["value"] for k in (await api.client.get(
        "/v1/kpis", headers=harness.headers("kpi.reader"))).json()}
    assert kpis["tp1_time_lag_first_results_days"] == 50.0
    assert kpis["tp3_punctuality_days"] == 1.0
    assert kpis["tp3_punctuality_first_announced_days"] == 5.0
    assert kpis["pre_announcement_compliance_pct"] == 100.0

    # the public sees the history as it happened
    log = (await api.client.get(f"/v1/releases/{release['id']}/changes")).json()["items"]
    assert [(e["kind"], e["at"][:10]) for e in log] == [
        ("announced", "2024-11-03"), ("rescheduled", "2025-01-19"), ("published", "2025-02-19")]
    async with harness.sessionmaker() as session:
        audit = (await session.scalars(select(AuditEvent).where(
            AuditEvent.entity_id == release["id"],
            AuditEvent.action == "recorded_from_history"))).all()
    assert len(audit) == 1 and audit[0].actor == "vsa-staff-1"


async def test_historic_dates_pass_the_timeline_rule_and_nothing_is_written(api, clock,
                                                                            harness):
    statistic = await old_statistic(api)
    cases = [
        ({"published_at": "2025-04-01T08:30:00Z"}, "DATE_IN_FUTURE", "published_at"),
        ({"first_announced_on": "2025-03-10"}, "DATE_IN_FUTURE", "first_announced_on"),
        ({"rescheduled_on": "2024-10-01"}, "DATE_BEFORE_PREDECESSOR", "rescheduled_on"),
        ({"published_at": "2024-11-01T08:30:00Z", "rescheduled_on": None, "target": None},
         "DATE_BEFORE_PREDECESSOR", "published_at"),
        ({"reference_period": "2025"}, "REFERENCE_PERIOD_NOT_ENDED", None),
        ({"reference_period": "2024-Q4"}, "REFERENCE_PERIOD_PERIODICITY", None),
        ({"reschedule_reason": None}, "RESCHEDULE_REASON_REQUIRED", None),
        ({"release_time": "09:30+02:00"}, "RELEASE_TIME_WITH_OFFSET", None),
        ({"published_at": "9999-02-19T08:30:00Z"}, "VALIDATION_ERROR", None),
    ]
    for override, code, field in cases:
        good = historic(statistic, reference_period="2023", first_announced_on="2023-11-04")
        response = await api.client.post("/v1/releases/history", headers=api.staff, json={
            "releases": [good, historic(statistic, **override)]})
        assert response.status_code == 422, (override, response.text)
        body = response.json()
        assert body["code"] == code, override
        if field is not None:
            assert body["field"] == field and body["index"] == 1, override
    assert await release_count(harness) == 0  # all or nothing: the good first item neither


async def test_history_refuses_duplicates_entities_and_statistics_not_yet_listed(api, clock,
                                                                                 harness):
    statistic = await old_statistic(api)
    twice = await api.client.post("/v1/releases/history", headers=api.staff,
                                  json={"releases": [historic(statistic), historic(statistic)]})
    assert twice.status_code == 409
    assert twice.json()["code"] == "RELEASE_EXISTS" and twice.json()["index"] == 1
    entity = await api.client.post("/v1/releases/history",
                                   headers=api.entity_headers(ENTITY_A),
                                   json={"releases": [historic(statistic)]})
    assert entity.status_code == 403
    recent = (await api.statistic("NEW-1", ENTITY_A, effective_on="2025-03-01"))["id"]
    before_listing = await api.client.post("/v1/releases/history", headers=api.staff,
                                           json={"releases": [historic(recent)]})
    assert before_listing.status_code == 409
    assert before_listing.json()["code"] == "STATISTIC_NOT_ON_LIST"
    assert await release_count(harness) == 0
