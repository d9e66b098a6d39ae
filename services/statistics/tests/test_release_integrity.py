"""Integrity of releases (issue 17, "tried" list): one live release per statistic, reference
period and vintage by a database constraint; reference periods that match the periodicity and
end before publication; bounded dates; release_time without offset. Every refusal writes
nothing."""

import asyncio
from datetime import UTC
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.models import AuditEvent
from vsp_statistics.releases.models import Release
from vsp_statistics.releases.models import ReleaseChangeRequest

ENTITY_A = "TEST-A"


async def release_count(harness) -> int:
    async with harness.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Release))


async def audit_count(harness) -> int:
    async with harness.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(AuditEvent))


async def test_ten_parallel_identical_announcements_make_exactly_one_release(api, network,
                                                                             harness):
    body = {"statistic_id": network["a"]["id"], "reference_period": "2024", "vintage": "first",
            "target": "2025-06"}
    answers = await asyncio.gather(*[
        api.client.post("/v1/releases", headers=api.staff, json=body) for _ in range(10)])
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 9
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"RELEASE_EXISTS"}
    assert await release_count(harness) == 1
    # a cancelled edition frees the slot: the index covers live releases only
    [created] = [a.json() for a in answers if a.status_code == 201]
    assert (await api.cancel(created["id"], "dubbel")).status_code == 201
    again = await api.client.post("/v1/releases", headers=api.staff, json=body)
    assert again.status_code == 201


async def test_reference_period_must_match_the_periodicity(api, network, harness):
    annual, quarterly = network["a"]["id"], network["b"]["id"]
    cases = [(annual, "2025-03"), (annual, "2025-03-04"), (annual, "2024-Q4"),
             (quarterly, "2024"), (quarterly, "2024-12")]
    before = await audit_count(harness)
    for statistic, period in cases:
        response = await api.client.post("/v1/releases", headers=api.staff, json={
            "statistic_id": statistic, "reference_period": period, "vintage": "first",
            "target": "2025-09"})
        assert response.status_code == 422, period
        assert response.json()["code"] == "REFERENCE_PERIOD_PERIODICITY", period
    assert await release_count(harness) == 0
    assert await audit_count(harness) == before


async def test_reference_period_must_end_before_the_publication(api, network, harness, clock):
    annual = network["a"]["id"]
    for period, target in [("2027", "2026-12-06"), ("2025", "2025-12"), ("2025", "2025-12-31")]:
        response = await api.client.post("/v1/releases", headers=api.staff, json={
            "statistic_id": annual, "reference_period": period, "vintage": "first",
            "target": target})
        assert response.status_code == 422, (period, target)
        assert response.json()["code"] == "REFERENCE_PERIOD_NOT_ENDED"
        assert response.json()["reference_period_end"] == f"{period}-12-31"
    assert await release_count(harness) == 0
    # nor can a reschedule move a quarterly release into its own quarter
    release = await api.release(network["b"]["id"], "2025-07-15", reference_period="2025-Q2")
    moved = await api.client.post(f"/v1/releases/{release['id']}/reschedules",
                                  headers=api.staff,
                                  json={"new_target": "2025-06-30", "reason": "sneller"})
    assert moved.status_code == 422
    assert moved.json()["code"] == "REFERENCE_PERIOD_NOT_ENDED"
    async with harness.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ReleaseChangeRequest)) == 0


async def test_publication_needs_an_ended_reference_period_and_an_output_link(api, network,
                                                                              clock):
    release = await api.release(network["a"]["id"], "2025-04-15")
    for state in ("in_review", "approved"):
        assert (await api.move(release["id"], state)).status_code == 200
    clock.set(datetime(2025, 4, 15, 8, 0, tzinfo=UTC))
    no_link = await api.move(release["id"], "published")
    assert no_link.status_code == 422
    assert no_link.json()["code"] == "OUTPUT_URL_REQUIRED"
    assert (await api.client.get(f"/v1/releases/{release['id']}")).json()["state"] == "approved"
    published = await api.move(release["id"], "published",
                               output_url="https://statistiek.example/bev-2024")
    assert published.status_code == 200
    assert published.json()["output_url"] == "https://statistiek.example/bev-2024"
    assert published.json()["release_type"] == "official"


async def test_release_type(api, network):
    experimental = await api.client.post("/v1/releases", headers=api.staff, json={
        "statistic_id": network["a"]["id"], "reference_period": "2024", "vintage": "first",
        "target": "2025-06", "release_type": "experimental"})
    assert experimental.status_code == 201
    assert experimental.json()["release_type"] == "experimental"
    unknown = await api.client.post("/v1/releases", headers=api.staff, json={
        "statistic_id": network["a"]["id"], "reference_period": "2024", "vintage": "final",
        "target": "2025-06", "release_type": "secret"})
    assert unknown.status_code == 422


async def test_release_time_with_an_offset_is_refused(api, network, harness):
    for value in ("09:30+05:00", "09:30Z", "09:30:00+01:00"):
        response = await api.client.post("/v1/releases", headers=api.staff, json={
            "statistic_id": network["a"]["id"], "reference_period": "2024",
            "vintage": "first", "target": "2025-06", "release_time": value})
        assert response.status_code == 422, value
        assert response.json()["code"] == "RELEASE_TIME_WITH_OFFSET", value
    assert await release_count(harness) == 0
    plain = await api.release(network["a"]["id"], "2025-06", release_time="11:15")
    assert plain["release_time"] == "11:15:00"


async def test_dates_outside_the_window_are_422_never_500(api, network, harness):
    for target in ("9999-06-01", "9999", "0001-01-01", "2100-01"):
        response = await api.client.post("/v1/releases", headers=api.staff, json={
            "statistic_id": network["a"]["id"], "reference_period": "2024",
            "vintage": "first", "target": target})
        assert response.status_code == 422, target
        assert response.json()["code"] == "VALIDATION_ERROR", target
    assert await release_count(harness) == 0
    for path in ("/v1/calendar", "/v1/calendar.ics", "/v1/calendar.csv"):
        for query in ("from=9999-06-01", "to=9999-12-31", "from=0001-01-01"):
            response = await api.client.get(f"{path}?{query}")
            assert response.status_code == 422, (path, query)
    for path in ("/v1/releases?target_from=9999-06-01", "/v1/releases?target_to=0001-01-01",
                 "/v1/official-statistics?as_of=9999-06-01",
                 f"/v1/official-statistics/{network['a']['id']}?as_of=0001-01-01"):
        response = await api.client.get(path)
        assert response.status_code == 422, path
