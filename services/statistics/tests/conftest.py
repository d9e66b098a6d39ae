from datetime import UTC
from datetime import datetime

import pytest

from dkbuza_dev.testing import app_harness_fixture
from dkbuza_kit.clock import FixedClock

# Entity codes used throughout the tests (fictitious network members).
ENTITY_A = "TEST-A"
ENTITY_B = "TEST-B"


harness = app_harness_fixture("statistics")


@pytest.fixture
def staff(harness):
    return harness.headers("vsa.staff", sub="vsa-staff-1")


@pytest.fixture
def approver(harness):
    """A second VSA staff member: approves the date changes the first one requests."""
    return harness.headers("vsa.staff", sub="vsa-staff-2")


@pytest.fixture
def clock(harness):
    """Now = Monday 3 March 2025, 09:00 Brussels (08:00 UTC)."""
    fixed = FixedClock(datetime(2025, 3, 3, 8, 0, tzinfo=UTC))
    harness.app.state.clock = fixed
    return fixed


class Api:
    """Shortcuts for setting up data through the API (as VSA staff unless told otherwise)."""

    def __init__(self, client, harness, staff, approver) -> None:
        self.client = client
        self.harness = harness
        self.staff = staff
        self.approver = approver

    def entity_headers(self, code: str) -> dict[str, str]:
        return self.harness.headers("sv.entity", org=code, sub=f"user-{code}")

    async def entity(self, code: str) -> None:
        response = await self.client.post("/v1/entities", headers=self.staff,
                                          json={"code": code, "name": f"Testentiteit {code}"})
        assert response.status_code == 201, response.text

    async def statistic(self, code: str, entity: str, *, theme: str = "Testthema",
                        periodicity: str = "annual", effective_on: str = "2025-01-01",
                        datasets: list | None = None) -> dict:
        response = await self.client.post("/v1/official-statistics", headers=self.staff, json={
            "code": code, "title": f"Teststatistiek {code}", "theme": theme,
            "entity_code": entity, "periodicity": periodicity, "datasets": datasets or [],
            "inclusion": {"effective_on": effective_on, "reason": "test",
                          "decision_type": "cvos_decision", "decision_reference": "CVOS/T/1"},
        })
        assert response.status_code == 201, response.text
        return response.json()

    async def list_change(self, statistic_id: str, change: str, effective_on: str, *,
                          headers: dict | None = None, **decision):
        """Include a statistic in or remove it from the VSP list (a CVOS decision unless told)."""
        body = {"change": change, "effective_on": effective_on, "reason": "r",
                "decision_type": "cvos_decision", "decision_reference": "X", **decision}
        return await self.client.post(f"/v1/official-statistics/{statistic_id}/list-changes",
                                      headers=headers or self.staff, json=body)

    async def release(self, statistic_id: str, target: str, *, reference_period: str = "2024",
                      vintage: str = "first", release_time: str | None = None,
                      headers: dict | None = None) -> dict:
        body = {"statistic_id": statistic_id, "reference_period": reference_period,
                "vintage": vintage, "target": target}
        if release_time is not None:
            body["release_time"] = release_time
        response = await self.client.post("/v1/releases", headers=headers or self.staff,
                                          json=body)
        assert response.status_code == 201, response.text
        return response.json()

    async def move(self, release_id: str, to: str, *, headers: dict | None = None, **extra):
        return await self.client.post(f"/v1/releases/{release_id}/transitions",
                                      headers=headers or self.staff, json={"to": to, **extra})

    async def publish(self, release_id: str, **extra):
        """planned -> in_review -> approved -> published; returns the last response."""
        for state in ("in_review", "approved"):
            response = await self.move(release_id, state)
            assert response.status_code == 200, response.text
        extra.setdefault("output_url", f"https://statistiek.example/publicaties/{release_id}")
        return await self.move(release_id, "published", **extra)

    async def approve(self, release_id: str, request: dict, headers: dict | None = None):
        return await self.client.post(
            f"/v1/releases/{release_id}/change-requests/{request['id']}/approval",
            headers=headers or self.approver, json={})

    async def reschedule(self, release_id: str, new_target: str, *, reason: str | None = "r",
                         headers: dict | None = None):
        """Request (as staff, or `headers`) and approve (a second staff member) a new target;
        the request's answer when it is refused, else the approval's."""
        body = {"new_target": new_target}
        if reason is not None:
            body["reason"] = reason
        requested = await self.client.post(f"/v1/releases/{release_id}/reschedules",
                                           headers=headers or self.staff, json=body)
        if requested.status_code != 201:
            return requested
        return await self.approve(release_id, requested.json())

    async def cancel(self, release_id: str, reason: str | None = "stopgezet"):
        """Request and approve a cancellation (as above)."""
        body = {} if reason is None else {"reason": reason}
        requested = await self.client.post(f"/v1/releases/{release_id}/cancellations",
                                           headers=self.staff, json=body)
        if requested.status_code != 201:
            return requested
        return await self.approve(release_id, requested.json())


@pytest.fixture
def api(client, harness, staff, approver):
    return Api(client, harness, staff, approver)


@pytest.fixture
async def network(api, clock):
    """Two entities with one statistic each, on the list since 1 January 2025."""
    await api.entity(ENTITY_A)
    await api.entity(ENTITY_B)
    stat_a = await api.statistic("STAT-A", ENTITY_A, theme="Economie")
    stat_b = await api.statistic("STAT-B", ENTITY_B, theme="Welzijn", periodicity="quarterly")
    return {"a": stat_a, "b": stat_b}

