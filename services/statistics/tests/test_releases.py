"""Releases through the API: workflow, publication guard, reschedules, object rules."""

from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dkbuza_kit.models import AuditEvent

ENTITY_A = "TEST-A"
ENTITY_B = "TEST-B"


def at(clock, *args) -> None:
    """Move the fixed clock to a UTC moment."""
    clock.set(datetime(*args, tzinfo=UTC))


async def test_announce_with_default_release_time_and_history(api, network, harness):
    release = await api.release(network["a"]["id"], "2025-04-15")
    assert release["state"] == "planned"
    assert release["release_time"] == "09:30:00"
    assert release["scheduled_at"] == "2025-04-15T09:30:00+02:00"
    assert release["first_announced_target"] == "2025-04-15"
    assert release["punctuality"] == {"status": "not_yet_published", "days": None}
    other = await api.release(network["a"]["id"], "2025-04-16", vintage="final",
                              release_time="11:00")
    assert other["release_time"] == "11:00:00"

    for state in ("in_review", "planned", "in_review", "approved"):
        assert (await api.move(release["id"], state)).status_code == 200
    history = (await api.client.get(f"/v1/releases/{release['id']}/history",
                                    headers=api.staff)).json()
    assert [(h["from_state"], h["to_state"]) for h in history["items"]] == [
        (None, "planned"), ("planned", "in_review"), ("in_review", "planned"),
        ("planned", "in_review"), ("in_review", "approved")]
    # the history is append-only in the database
    async with harness.sessionmaker() as session:
        with pytest.raises(DBAPIError):
            await session.execute(text("UPDATE release_status_history SET reason = 'x'"))


async def test_illegal_transitions_are_409(api, network):
    release = await api.release(network["a"]["id"], "2025-04-15")
    response = await api.move(release["id"], "published")
    assert response.status_code == 409
    assert response.json()["code"] == "ILLEGAL_TRANSITION"
    assert response.json()["allowed"] == ["cancelled", "in_review"]
    # a cancellation is requested (with a reason) and approved, never a plain transition
    direct = await api.move(release["id"], "cancelled", reason="bron niet beschikbaar")
    assert direct.status_code == 409
    assert direct.json()["code"] == "APPROVAL_REQUIRED"
    missing_reason = await api.cancel(release["id"], reason=None)
    assert missing_reason.status_code == 422
    assert missing_reason.json()["code"] == "REASON_REQUIRED"
    assert (await api.cancel(release["id"], "bron niet beschikbaar")).status_code == 201
    cancelled = await api.client.get(f"/v1/releases/{release['id']}")
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "bron niet beschikbaar"
    again = await api.move(release["id"], "in_review")
    assert again.status_code == 409
    assert again.json()["code"] == "ILLEGAL_TRANSITION"


async def test_bad_targets(api, network, clock):
    statistic = network["a"]["id"]
    body = {"statistic_id": statistic, "reference_period": "2024", "vintage": "first"}
    cases = [("2025-03", "EXACT_DATE_REQUIRED"), ("2025-Q1", "EXACT_DATE_REQUIRED"),
             ("2025-02-28", "TARGET_IN_PAST"), ("2025-13", "VALIDATION_ERROR"),
             ("morgen", "VALIDATION_ERROR")]
    for target, code in cases:
        response = await api.client.post("/v1/releases", headers=api.staff,
                                          json={**body, "target": target})
        assert response.status_code == 422, target
        assert response.json()["code"] == code, target
    extra = await api.client.post("/v1/releases", headers=api.staff,
                                  json={**body, "target": "2025-06", "state": "published"})
    assert extra.status_code == 422
    assert extra.json()["code"] == "VALIDATION_ERROR"
    assert (await api.release(statistic, "2025-06"))["target_precision"] == "month"
    duplicate = await api.client.post("/v1/releases", headers=api.staff,
                                      json={**body, "target": "2025-07"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "RELEASE_EXISTS"


async def test_publishing_before_the_scheduled_moment_is_refused_unless_overridden(
        api, network, clock, harness):
    release = await api.release(network["a"]["id"], "2025-04-15")  # 09:30 Brussels = 07:30 UTC
    at(clock, 2025, 4, 15, 7, 29)
    early = await api.publish(release["id"])
    assert early.status_code == 409
    assert early.json()["code"] == "PUBLICATION_BEFORE_SCHEDULED_TIME"

    entity = api.entity_headers(ENTITY_A)
    not_permitted = await api.move(release["id"], "published", headers=entity,
                                   override_early_publication=True, reason="embargo gebroken")
    assert not_permitted.status_code == 403
    assert not_permitted.json()["code"] == "OVERRIDE_NOT_PERMITTED"
    no_reason = await api.move(release["id"], "published", override_early_publication=True)
    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "REASON_REQUIRED"

    overridden = await api.move(release["id"], "published", override_early_publication=True,
                                reason="cijfers uitgelekt in de pers",
                                output_url="https://statistiek.example/p/1")
    assert overridden.status_code == 200, overridden.text
    assert overridden.json()["published_with_override"] is True
    async with harness.sessionmaker() as session:
        audit = (await session.scalars(select(AuditEvent).where(
            AuditEvent.entity_id == release["id"],
            AuditEvent.action == "published_with_override"))).all()
    assert len(audit) == 1
    assert audit[0].actor == "vsa-staff-1"
    assert audit[0].reason == "cijfers uitgelekt in de pers"

    on_time = await api.release(network["a"]["id"], "2025-04-15", vintage="final")
    at(clock, 2025, 4, 15, 7, 30)
    published = await api.publish(on_time["id"])
    assert published.status_code == 200
    assert published.json()["published_with_override"] is False
    assert published.json()["punctuality"] == {"status": "on_time", "days": 0}


async def test_month_target_cannot_be_published_until_the_day_is_fixed(api, network, clock):
    release = await api.release(network["a"]["id"], "2025-06")
    at(clock, 2025, 6, 20, 12, 0)
    response = await api.publish(release["id"])
    assert response.status_code == 409
    assert response.json()["code"] == "TARGET_DATE_NOT_EXACT"


async def test_reschedule_needs_reason_and_approval_and_keeps_first_date(api, network, clock):
    release = await api.release(network["a"]["id"], "2025-04-15")
    for reason in (None, "  "):
        response = await api.reschedule(release["id"], "2025-04-22", reason=reason)
        assert response.status_code == 422
        assert response.json()["code"] == "RESCHEDULE_REASON_REQUIRED"
    moved = await api.reschedule(release["id"], "2025-04-22", reason="bron laat")
    assert moved.status_code == 201, moved.text
    assert moved.json()["state"] == "approved"
    assert moved.json()["requested_by"] == "vsa-staff-1"
    assert moved.json()["decided_by"] == "vsa-staff-2"
    public = (await api.client.get(f"/v1/releases/{release['id']}/reschedules")).json()
    assert [(r["old_target"], r["new_target"], r["reason"]) for r in public["items"]] == [
        ("2025-04-15", "2025-04-22", "bron laat")]

    # published on the new date: on time against the current target, 7 days late strictly
    at(clock, 2025, 4, 22, 7, 30)
    published = (await api.publish(release["id"])).json()
    assert published["target"] == "2025-04-22"
    assert published["first_announced_target"] == "2025-04-15"
    assert published["punctuality"] == {"status": "on_time", "days": 0}
    assert published["punctuality_strict"] == {"status": "late", "days": 7}
    # TP1: reference period 2024 ended 31 Dec 2024; 31 + 28 + 31 + 22 days
    assert published["time_lag_days"] == 112
    closed = await api.reschedule(release["id"], "2025-05-22")
    assert closed.status_code == 409
    assert closed.json()["code"] == "RELEASE_CLOSED"


async def test_late_early_and_overdue_through_the_api(api, network, clock):
    late = await api.release(network["a"]["id"], "2025-04-15")
    overdue = await api.release(network["a"]["id"], "2025-04-16", vintage="final")
    at(clock, 2025, 4, 18, 8, 0)
    assert (await api.publish(late["id"])).json()["punctuality"] == {"status": "late",
                                                                      "days": 3}
    current = (await api.client.get(f"/v1/releases/{overdue['id']}", headers=api.staff)).json()
    assert current["punctuality"] == {"status": "overdue", "days": 2}
    early = await api.release(network["b"]["id"], "2025-06-02", reference_period="2025-Q1")
    at(clock, 2025, 5, 30, 8, 0)
    response = await api.publish(early["id"], override_early_publication=True,
                                 reason="vervroegd op vraag van de minister")
    assert response.json()["punctuality"] == {"status": "early", "days": -3}
    assert response.json()["time_lag_days"] == 60  # 31 March 2025 -> 30 May 2025


async def test_an_entity_changes_only_its_own_releases_and_everyone_reads_them(api, network):
    own = await api.release(network["a"]["id"], "2025-04-15")
    foreign = await api.release(network["b"]["id"], "2025-04-15", reference_period="2024-Q4")
    headers = api.entity_headers(ENTITY_A)

    assert (await api.move(own["id"], "in_review", headers=headers)).status_code == 200
    # releases are public: the same list for the entity, anyone else and no token at all
    for reader in (headers, api.harness.headers("kpi.reader"), {}):
        listing = (await api.client.get("/v1/releases", headers=reader)).json()
        assert {item["id"] for item in listing["items"]} == {own["id"], foreign["id"]}
    mine = (await api.client.get(f"/v1/releases?entity={ENTITY_A}")).json()
    assert [item["id"] for item in mine["items"]] == [own["id"]]

    for method, path, body in [
        ("POST", f"/v1/releases/{foreign['id']}/transitions", {"to": "in_review"}),
        ("POST", f"/v1/releases/{foreign['id']}/reschedules",
         {"new_target": "2025-05-02", "reason": "x"}),
        ("POST", f"/v1/releases/{foreign['id']}/cancellations", {"reason": "x"}),
        ("GET", f"/v1/releases/{foreign['id']}/change-requests", None),
        ("GET", f"/v1/releases/{foreign['id']}/pre-release-access", None),
        ("POST", f"/v1/releases/{foreign['id']}/corrections", {"description": "x"}),
        ("GET", f"/v1/releases/{foreign['id']}/history", None),
    ]:
        response = await api.client.request(method, path, headers=headers, json=body)
        assert response.status_code == 404, path
        assert response.json()["code"] == "RELEASE_NOT_FOUND"
    state = (await api.client.get(f"/v1/releases/{foreign['id']}", headers=api.staff)).json()
    assert state["state"] == "planned" and state["target"] == "2025-04-15"

    stolen = await api.client.post("/v1/releases", headers=headers, json={
        "statistic_id": network["b"]["id"], "reference_period": "2023", "vintage": "final",
        "target": "2025-09"})
    assert stolen.status_code == 422
    assert stolen.json()["code"] == "UNKNOWN_STATISTIC"
    kpi_only = await api.client.get(f"/v1/releases/{own['id']}/history",
                                    headers=api.harness.headers("kpi.reader"))
    assert kpi_only.status_code == 403
    assert (await api.client.get(f"/v1/releases/{own['id']}/history")).status_code == 401


async def test_pre_release_access_and_corrections(api, network, clock):
    release = await api.release(network["a"]["id"], "2025-04-15")
    url = f"/v1/releases/{release['id']}"
    grant = {"person_name": "Kabinetsmedewerker", "organisation": "Kabinet",
             "justification": "voorbereiding persbericht", "access_from": "2025-04-14T09:30:00Z"}
    assert (await api.client.post(f"{url}/pre-release-access", headers=api.staff,
                                  json=grant)).status_code == 201
    too_soon = await api.client.post(f"{url}/corrections", headers=api.staff,
                                     json={"description": "fout in tabel 3"})
    assert too_soon.status_code == 409
    assert too_soon.json()["code"] == "RELEASE_NOT_PUBLISHED"
    at(clock, 2025, 4, 15, 8, 0)
    await api.publish(release["id"])
    late_grant = await api.client.post(f"{url}/pre-release-access", headers=api.staff,
                                       json=grant)
    assert late_grant.status_code == 409
    assert late_grant.json()["code"] == "RELEASE_CLOSED"
    corrected = await api.client.post(f"{url}/corrections", headers=api.staff,
                                      json={"description": "fout in tabel 3"})
    assert corrected.status_code == 201
    log = (await api.client.get(f"{url}/corrections", headers=api.staff)).json()
    assert [c["description"] for c in log["items"]] == ["fout in tabel 3"]
    access = (await api.client.get(f"{url}/pre-release-access", headers=api.staff)).json()
    assert access["total"] == 1


async def test_idempotent_announcement(api, network):
    body = {"statistic_id": network["a"]["id"], "reference_period": "2024", "vintage": "first",
            "target": "2025-06"}
    headers = {**api.staff, "Idempotency-Key": "announce-1"}
    first = await api.client.post("/v1/releases", headers=headers, json=body)
    replay = await api.client.post("/v1/releases", headers=headers, json=body)
    assert first.status_code == replay.status_code == 201
    assert first.json()["id"] == replay.json()["id"]
    reused = await api.client.post("/v1/releases", headers=headers,
                                   json={**body, "target": "2025-07"})
    assert reused.status_code == 422
    assert reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
