"""Changes told truthfully (issue 17): a reschedule or cancellation needs a reason and an
approval ACTION by another user holding the approving role (never a typed name); the public
sees the approved changes with reason and dates, and a change log per release."""

from sqlalchemy import func
from sqlalchemy import select

from vsp_statistics.releases.models import ReleaseChangeRequest
from vsp_statistics.releases.models import ReleaseReschedule

ENTITY_A = "TEST-A"


async def counts(harness) -> tuple[int, int]:
    async with harness.sessionmaker() as session:
        return (await session.scalar(select(func.count()).select_from(ReleaseChangeRequest)),
                await session.scalar(select(func.count()).select_from(ReleaseReschedule)))


async def test_a_typed_approver_is_refused_and_nothing_is_written(api, network, harness):
    release = await api.release(network["a"]["id"], "2025-04-15")
    for body in ({"new_target": "2025-04-22", "reason": "bron laat", "approved_by": "self"},
                 {"new_target": "2025-04-22", "reason": "bron laat",
                  "approved_by": "Hoofd entiteit"}):
        response = await api.client.post(f"/v1/releases/{release['id']}/reschedules",
                                         headers=api.entity_headers(ENTITY_A), json=body)
        assert response.status_code == 422
        assert any(e["type"] == "extra_forbidden" for e in response.json()["errors"])
    assert await counts(harness) == (0, 0)
    assert (await api.client.get(f"/v1/releases/{release['id']}")).json()["target"] == \
        "2025-04-15"


async def test_approval_is_an_action_of_another_user_with_the_approving_role(api, network,
                                                                             harness):
    release = await api.release(network["a"]["id"], "2025-04-15")
    url = f"/v1/releases/{release['id']}"
    entity = api.entity_headers(ENTITY_A)
    requested = await api.client.post(f"{url}/reschedules", headers=entity,
                                      json={"new_target": "2025-04-22", "reason": "bron laat"})
    assert requested.status_code == 201
    request = requested.json()
    assert (request["state"], request["requested_by"]) == ("pending", f"user-{ENTITY_A}")
    # pending: nothing public changed yet
    assert (await api.client.get(url)).json()["target"] == "2025-04-15"
    assert (await api.client.get(f"{url}/reschedules")).json()["total"] == 0
    second = await api.client.post(f"{url}/cancellations", headers=entity,
                                   json={"reason": "toch niet"})
    assert second.status_code == 409
    assert second.json()["code"] == "CHANGE_REQUEST_PENDING"

    by_entity = await api.approve(release["id"], request, headers=entity)
    assert by_entity.status_code == 403 and by_entity.json()["code"] == "FORBIDDEN"
    own = await api.client.post(f"{url}/cancellations", headers=api.staff, json={"reason": "x"})
    assert own.status_code == 409  # still the entity's pending request
    assert await counts(harness) == (1, 0)

    approved = await api.approve(release["id"], request)
    assert approved.status_code == 201, approved.text
    assert (approved.json()["state"], approved.json()["decided_by"]) == ("approved",
                                                                         "vsa-staff-2")
    again = await api.approve(release["id"], request)
    assert again.status_code == 409 and again.json()["code"] == "CHANGE_REQUEST_DECIDED"
    assert (await api.client.get(url)).json()["target"] == "2025-04-22"

    # the requester may not approve their own request (four eyes)
    mine = await api.client.post(f"{url}/cancellations", headers=api.staff,
                                 json={"reason": "bron vervalt"})
    self_approved = await api.approve(release["id"], mine.json(), headers=api.staff)
    assert self_approved.status_code == 403
    assert self_approved.json()["code"] == "SELF_APPROVAL_NOT_PERMITTED"
    no_note = await api.client.post(
        f"{url}/change-requests/{mine.json()['id']}/rejection", headers=api.approver, json={})
    assert no_note.status_code == 422 and no_note.json()["code"] == "REASON_REQUIRED"
    rejected = await api.client.post(
        f"{url}/change-requests/{mine.json()['id']}/rejection", headers=api.approver,
        json={"note": "de bron wordt wel geleverd"})
    assert rejected.status_code == 201 and rejected.json()["state"] == "rejected"
    assert (await api.client.get(url)).json()["state"] == "planned"
    internal = (await api.client.get(f"{url}/change-requests", headers=api.staff)).json()
    assert [r["state"] for r in internal["items"]] == ["approved", "rejected"]
    assert (await api.client.get(f"{url}/change-requests")).status_code == 401


async def test_the_public_change_log_of_a_release(api, network, clock):
    from datetime import UTC
    from datetime import datetime
    release = await api.release(network["a"]["id"], "2025-04-15")
    assert (await api.reschedule(release["id"], "2025-04-22", reason="bron laat")).status_code \
        == 201
    clock.set(datetime(2025, 4, 22, 8, 0, tzinfo=UTC))
    assert (await api.publish(release["id"])).status_code == 200
    assert (await api.client.post(f"/v1/releases/{release['id']}/corrections",
                                  headers=api.staff,
                                  json={"description": "tabel 3 verbeterd"})).status_code == 201
    log = (await api.client.get(f"/v1/releases/{release['id']}/changes")).json()
    assert [(e["kind"], e["old_target"], e["new_target"], e["text"]) for e in log["items"]] == [
        ("announced", None, None, None),
        ("rescheduled", "2025-04-15", "2025-04-22", "bron laat"),
        ("published", None, None, None),
        ("corrected", None, None, "tabel 3 verbeterd")]
