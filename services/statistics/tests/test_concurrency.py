"""Optimistic concurrency on the mutable resources: GET gives an ETag, PATCH needs If-Match
(428 without, 412 when stale), changes the ETag and writes an audit row; object rules and roles.
"""

import pytest
from sqlalchemy import select

from dkbuza_kit.models import AuditEvent

ENTITY_A = "TEST-A"
ENTITY_B = "TEST-B"


async def audit_rows(harness, entity_type: str, entity_id: str) -> list[AuditEvent]:
    async with harness.sessionmaker() as session:
        return list((await session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == entity_type,
                                     AuditEvent.entity_id == entity_id,
                                     AuditEvent.action == "updated")
            .order_by(AuditEvent.id))).all())


async def work_programme_with_actions(api) -> dict:
    """A work programme with one action of each test entity, version 1 fixed."""
    wp = (await api.client.post("/v1/work-programmes", headers=api.staff, json={
        "code": "WP-2025-2026", "title": "Werkprogramma", "start_year": 2025,
        "end_year": 2026})).json()
    url = f"/v1/work-programmes/{wp['id']}"
    actions = {}
    for code in (ENTITY_A, ENTITY_B):
        response = await api.client.post(f"{url}/actions", headers=api.staff, json={
            "title": f"Actie {code}", "owner_entity_code": code, "due": "2025-Q4"})
        assert response.status_code == 201, response.text
        actions[code] = f"{url}/actions/{response.json()['id']}"
    fixed = await api.client.post(f"{url}/versions/1/fix", headers=api.staff, json={
        "cvos_decision_reference": "CVOS/2025/3", "fixed_on": "2025-03-01"})
    assert fixed.status_code == 200, fixed.text
    return {"url": url, "actions": actions}


async def advice(api) -> str:
    response = await api.client.post("/v1/consultations", headers=api.staff, json={
        "advised_on": "2025-01-10", "topic": "Kalender", "advice": "Publiceer vaste uren"})
    assert response.status_code == 201, response.text
    return f"/v1/consultations/{response.json()['id']}"


async def project(api) -> str:
    response = await api.client.post("/v1/collaboration-projects", headers=api.staff, json={
        "title": "Samen", "entity_codes": [ENTITY_A, ENTITY_B], "start_date": "2025-02-01"})
    assert response.status_code == 201, response.text
    return f"/v1/collaboration-projects/{response.json()['id']}"


async def resource_urls(api, network) -> dict[str, tuple[str, str, dict]]:
    """name -> (url, audit entity type, a valid patch) for every patchable resource."""
    wp = await work_programme_with_actions(api)
    return {
        "entity": (f"/v1/entities/{ENTITY_A}", "network_entity",
                   {"name": "Nieuwe naam", "contact_email": "info@example.org"}),
        "statistic": (f"/v1/official-statistics/{network['a']['id']}", "official_statistic",
                      {"title": "Nieuwe titel", "periodicity": "quarterly"}),
        "action": (wp["actions"][ENTITY_A], "work_programme_action",
                   {"state": "in_progress"}),
        "project": (await project(api), "collaboration_project",
                    {"state": "running", "end_date": "2026-12-31"}),
        "advice": (await advice(api), "rvos_advice", {"topic": "Releasekalender"}),
    }


async def test_patch_needs_a_current_if_match_changes_the_etag_and_is_audited(api, network,
                                                                             harness):
    for name, (url, entity_type, patch) in (await resource_urls(api, network)).items():
        read = await api.client.get(url, headers=api.staff)
        assert read.status_code == 200, (name, read.text)
        etag = read.headers["ETag"]
        assert etag == f'"{read.json()["version"]}"', name

        missing = await api.client.patch(url, headers=api.staff, json=patch)
        assert missing.status_code == 428, name
        assert missing.json()["code"] == "PRECONDITION_REQUIRED"
        stale = await api.client.patch(url, headers={**api.staff, "If-Match": '"999"'},
                                       json=patch)
        assert stale.status_code == 412, name
        assert stale.json()["code"] == "PRECONDITION_FAILED"

        done = await api.client.patch(url, headers={**api.staff, "If-Match": etag}, json=patch)
        assert done.status_code == 200, (name, done.text)
        assert done.headers["ETag"] != etag
        assert (await api.client.get(url, headers=api.staff)).headers["ETag"] == \
            done.headers["ETag"]
        for field, value in patch.items():
            assert done.json()[field] == value, (name, field)
        # the old ETag is stale now: a second writer holding it is refused
        again = await api.client.patch(url, headers={**api.staff, "If-Match": etag}, json=patch)
        assert again.status_code == 412, name

        rows = await audit_rows(harness, entity_type, url.rsplit("/", 1)[1])
        assert len(rows) == 1, name
        assert rows[0].actor == "vsa-staff-1"
        assert set(rows[0].data["changes"]) == set(patch), name
        # the refused attempts (428, 412) changed nothing
        assert (await api.client.get(url, headers=api.staff)).json()["version"] == \
            read.json()["version"] + 1


async def test_a_patch_that_changes_nothing_keeps_the_etag_and_writes_no_audit(api, network,
                                                                              harness):
    url = f"/v1/entities/{ENTITY_A}"
    read = await api.client.get(url, headers=api.staff)
    same = await api.client.patch(url, headers={**api.staff, "If-Match": read.headers["ETag"]},
                                  json={"name": read.json()["name"]})
    assert same.status_code == 200
    assert same.headers["ETag"] == read.headers["ETag"]
    assert await audit_rows(harness, "network_entity", ENTITY_A) == []


@pytest.mark.parametrize("body", [
    {"code": "OTHER"}, {"version": 7}, {"created_at": "2025-01-01T00:00:00Z"}, {"name": None},
])
async def test_server_owned_fields_and_nulls_for_required_fields_are_refused(api, network, body):
    url = f"/v1/entities/{ENTITY_A}"
    etag = (await api.client.get(url, headers=api.staff)).headers["ETag"]
    response = await api.client.patch(url, headers={**api.staff, "If-Match": etag}, json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("resource,body", [
    ("statistic", {"entity_code": ENTITY_B}), ("statistic", {"code": "X"}),
    ("statistic", {"id": "00000000-0000-0000-0000-000000000000"}),
    ("statistic", {"on_list": False}), ("statistic", {"title": None}),
    ("action", {"work_programme_id": "00000000-0000-0000-0000-000000000000"}),
    ("action", {"added_in_version": 9}), ("action", {"state": None}),
    ("project", {"entity_codes": [ENTITY_A]}), ("project", {"start_date": "2020-01-01"}),
    ("advice", {"response": None}), ("advice", {"id": "x"}),
])
async def test_every_patch_body_forbids_unknown_and_server_owned_fields(api, network, resource,
                                                                       body):
    url, _, _ = (await resource_urls(api, network))[resource]
    etag = (await api.client.get(url, headers=api.staff)).headers["ETag"]
    response = await api.client.patch(url, headers={**api.staff, "If-Match": etag}, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "VALIDATION_ERROR"


async def test_an_entity_patches_its_own_objects_and_gets_404_for_anothers(api, network,
                                                                          harness):
    urls = await resource_urls(api, network)
    own = api.entity_headers(ENTITY_A)
    other = api.entity_headers(ENTITY_B)
    for name in ("entity", "statistic", "action"):
        url, entity_type, patch = urls[name]
        etag = (await api.client.get(url, headers=api.staff)).headers["ETag"]
        refused = await api.client.patch(url, headers={**other, "If-Match": etag}, json=patch)
        assert refused.status_code == 404, name
        assert refused.json()["code"] in {"ENTITY_NOT_FOUND", "STATISTIC_NOT_FOUND",
                                          "ACTION_NOT_FOUND"}
        allowed = await api.client.patch(url, headers={**own, "If-Match": etag}, json=patch)
        assert allowed.status_code == 200, (name, allowed.text)
        [row] = await audit_rows(harness, entity_type, url.rsplit("/", 1)[1])
        assert (row.actor, row.actor_org) == (f"user-{ENTITY_A}", ENTITY_A)


async def test_reader_roles_cannot_write(api, network):
    urls = await resource_urls(api, network)
    reader = api.harness.headers("kpi.reader")
    entity = api.entity_headers(ENTITY_A)
    refusals = [(reader, name) for name in urls] + [(entity, "project"), (entity, "advice")]
    for headers, name in refusals:
        url, _, patch = urls[name]
        etag = (await api.client.get(url, headers=api.staff)).headers["ETag"]
        response = await api.client.patch(url, headers={**headers, "If-Match": etag}, json=patch)
        assert response.status_code == 403, name
        assert response.json()["code"] == "FORBIDDEN"


async def patch(api, url: str, body: dict, headers: dict | None = None):
    headers = headers or api.staff
    etag = (await api.client.get(url, headers=api.staff)).headers["ETag"]
    return await api.client.patch(url, headers={**headers, "If-Match": etag}, json=body)


async def test_action_changes_follow_the_programme_rules(api, network, harness):
    wp = await work_programme_with_actions(api)
    url = wp["actions"][ENTITY_A]
    own = api.entity_headers(ENTITY_A)

    handed_over = await patch(api, url, {"owner_entity_code": ENTITY_B}, own)
    assert handed_over.status_code == 403
    assert handed_over.json()["code"] == "OWNER_CHANGE_NOT_PERMITTED"
    unknown = await patch(api, url, {"owner_entity_code": "NOPE"})
    assert unknown.json()["code"] == "UNKNOWN_ENTITY"
    for body in [{"state": "completed"}, {"completed_on": "2025-03-01"},
                 {"state": "in_progress", "completed_on": "2025-03-01"}]:
        mismatch = await patch(api, url, body)
        assert mismatch.status_code == 422, body
        assert mismatch.json()["code"] == "COMPLETION_DATE_MISMATCH"

    # follow-up (state, completion) does not touch the fixed version
    done = await patch(api, url, {"state": "completed", "completed_on": "2025-03-01"}, own)
    assert done.status_code == 200, done.text
    versions = (await api.client.get(f"{wp['url']}/versions", headers=api.staff)).json()
    assert [v["state"] for v in versions] == ["fixed"]
    reopened = await patch(api, url, {"state": "in_progress", "completed_on": None}, own)
    assert (reopened.json()["state"], reopened.json()["completed_on"]) == ("in_progress", None)

    # a change of the programme itself opens a new draft version; the fixed one stays
    moved = await patch(api, url, {"due": "2026-03", "title": "Actie herzien"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["due"], moved.json()["added_in_version"]) == ("2026-03", 1)
    versions = (await api.client.get(f"{wp['url']}/versions", headers=api.staff)).json()
    assert [(v["number"], v["state"], len(v["action_ids"])) for v in versions] == [
        (1, "fixed", 2), (2, "draft", 0)]
    handed = await patch(api, url, {"owner_entity_code": ENTITY_B})
    assert handed.json()["owner_entity_code"] == ENTITY_B
    rows = await audit_rows(harness, "work_programme_action", url.rsplit("/", 1)[1])
    assert rows[-2].data["changes"]["due"] == {"from": "2025-Q4", "to": "2026-03"}
    assert rows[-2].data["version"] == 2
    assert [(r.from_state, r.to_state) for r in rows[:2]] == [
        ("planned", "completed"), ("completed", "in_progress")]
    # still the same draft: no third version for the second programme change
    versions = (await api.client.get(f"{wp['url']}/versions", headers=api.staff)).json()
    assert len(versions) == 2


async def test_progress_endpoint_changes_the_action_etag(api, network):
    wp = await work_programme_with_actions(api)
    url = wp["actions"][ENTITY_A]
    before = (await api.client.get(url, headers=api.staff)).headers["ETag"]
    progress = await api.client.post(f"{url}/progress", headers=api.staff,
                                     json={"state": "in_progress"})
    assert progress.status_code == 200
    assert (await api.client.get(url, headers=api.staff)).headers["ETag"] != before


async def test_statistic_datasets_are_replaced_as_a_whole(api, network, harness):
    url = f"/v1/official-statistics/{network['a']['id']}"
    kept = {"url": "https://data.example.org/a.csv", "format": "CSV", "licence": "CC-BY 4.0"}
    dropped = {"url": "https://data.example.org/old.csv", "format": "CSV",
               "licence": "CC-BY 4.0"}
    added = {"url": "https://data.example.org/a.json", "format": "JSON",
             "licence": "CC-BY 4.0"}
    first = await patch(api, url, {"datasets": [kept, dropped]})
    assert first.status_code == 200, first.text
    kept_id = next(d["id"] for d in first.json()["datasets"] if d["url"] == kept["url"])
    second = await patch(api, url, {"datasets": [kept, added]})
    assert [(d["url"], d["id"] == kept_id) for d in second.json()["datasets"]] == [
        (kept["url"], True), (added["url"], False)]
    assert second.json()["version"] == first.json()["version"] + 1
    rows = await audit_rows(harness, "official_statistic", network["a"]["id"])
    assert rows[-1].data["changes"]["datasets"] == {"removed": [dropped["url"]],
                                                    "added": [added["url"]]}
    cleared = await patch(api, url, {"datasets": []})
    assert cleared.json()["datasets"] == []
    # the list decisions stay the versioned operation, and they change the ETag too
    etag = (await api.client.get(url, headers=api.staff)).headers["ETag"]
    removal = await api.list_change(network["a"]["id"], "removed", "2025-03-03",
                                    decision_reference="CVOS/T/2")
    assert removal.status_code == 201
    assert (await api.client.get(url, headers=api.staff)).headers["ETag"] != etag


async def test_consultation_and_project_rules(api, network):
    url = await advice(api)
    early = await patch(api, url, {"response": "Akkoord"})
    assert early.status_code == 409
    assert early.json()["code"] == "ADVICE_NOT_ANSWERED"
    before = (await api.client.get(url, headers=api.staff)).headers["ETag"]
    answered = await api.client.post(f"{url}/response", headers=api.staff, json={
        "response": "Akkoord", "responded_on": "2025-02-09"})
    assert answered.status_code == 200
    assert (await api.client.get(url, headers=api.staff)).headers["ETag"] != before
    corrected = await patch(api, url, {"response": "Akkoord, vanaf 2026"})
    assert corrected.json()["response"] == "Akkoord, vanaf 2026"
    backwards = await patch(api, url, {"advised_on": "2025-03-01"})
    assert backwards.status_code == 422
    assert backwards.json()["code"] == "DATE_BEFORE_PREDECESSOR"
    unknown = await patch(api, url, {"statistic_id": "00000000-0000-0000-0000-000000000000"})
    assert unknown.json()["code"] == "UNKNOWN_STATISTIC"
    linked = await patch(api, url, {"statistic_id": network["a"]["id"]})
    assert linked.json()["statistic_id"] == network["a"]["id"]

    url = await project(api)
    before_start = await patch(api, url, {"end_date": "2025-01-31"})
    assert before_start.status_code == 422
    assert before_start.json()["code"] == "PERIOD_INVERTED"
    ended = await patch(api, url, {"state": "completed", "end_date": "2025-12-31"})
    assert (ended.json()["state"], ended.json()["end_date"]) == ("completed", "2025-12-31")
    reopened = await patch(api, url, {"end_date": None})
    assert reopened.json()["end_date"] is None


async def test_unknown_objects_are_404(api, network):
    missing = "00000000-0000-0000-0000-000000000000"
    wp = await work_programme_with_actions(api)
    for url, code in [
        ("/v1/entities/NOPE", "ENTITY_NOT_FOUND"),
        (f"/v1/official-statistics/{missing}", "STATISTIC_NOT_FOUND"),
        (f"{wp['url']}/actions/{missing}", "ACTION_NOT_FOUND"),
        (f"/v1/collaboration-projects/{missing}", "PROJECT_NOT_FOUND"),
        (f"/v1/consultations/{missing}", "ADVICE_NOT_FOUND"),
    ]:
        for method in ("GET", "PATCH"):
            response = await api.client.request(method, url, json={},
                                                headers={**api.staff, "If-Match": '"1"'})
            assert response.status_code == 404, (method, url)
            assert response.json()["code"] == code


async def test_every_patch_documents_its_precondition_answers(client):
    spec = (await client.get("/openapi.json")).json()
    patches = {path: ops["patch"] for path, ops in spec["paths"].items() if "patch" in ops}
    assert len(patches) == 5
    for path, operation in patches.items():
        assert {"412", "428"} <= set(operation["responses"]), path


def changing_patch(name: str, round_: int, writer: int) -> dict:
    """A patch that changes the resource (each writer of each round its own value)."""
    label = f"{round_}-{writer}"
    return {
        "entity": {"name": f"Naam {label}"},
        "statistic": {"title": f"Titel {label}"},
        "action": {"title": f"Actie {label}"},
        "project": {"end_date": f"2026-{1 + round_ % 12:02d}-{10 + writer:02d}"},
        "advice": {"topic": f"Onderwerp {label}"},
    }[name]


async def test_two_parallel_patches_with_one_etag_give_one_200_and_one_412(api, network):
    """Issue 13: on every If-Match route, the check and the write are one atomic step."""
    import asyncio
    urls = await resource_urls(api, network)
    for name, (url, _, _) in urls.items():
        for round_ in range(20):
            etag = (await api.client.get(url, headers=api.staff)).headers["ETag"]
            answers = await asyncio.gather(*[
                api.client.patch(url, headers={**api.staff, "If-Match": etag},
                                 json=changing_patch(name, round_, writer))
                for writer in (1, 2)])
            statuses = sorted(answer.status_code for answer in answers)
            assert statuses == [200, 412], (name, round_, [a.text for a in answers])
