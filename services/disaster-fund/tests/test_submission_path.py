"""The submission hot path: its statement budget, the response built without a re-read, the
rule-set catalogue cache, and the contention-free (sharded) KPI counters."""

import uuid
from contextlib import contextmanager

from df_support import at
from df_support import set_now
from sqlalchemy import event
from sqlalchemy import text

BODY_ITEMS = [{"description": "vloer en muren", "claimed_amount": "2500.5"},
              {"description": "meubelen", "claimed_amount": "1200.00"}]


@contextmanager
def statements_sent(engine):
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        # The kit's per-request statement timeout is a session setting, not the route's work.
        if not statement.startswith("SET LOCAL statement_timeout"):
            sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def submission(disaster_id: str, **extra) -> dict:
    return {"disaster_id": disaster_id, "municipality_nis": "44021", "damage_date": "2024-06-02",
            "category": "private_goods", "items": BODY_ITEMS, **extra}


async def test_submission_takes_five_statements_and_answers_what_was_stored(api, client,
                                                                             harness):
    disaster = await api.published_disaster()
    await api.submit(disaster["id"])    # warms the rule-set catalogue of this process
    headers = {**api.citizen("c-7"), "Idempotency-Key": f"k-{uuid.uuid4()}"}
    with statements_sent(harness.app.state.engine) as sent:
        response = await client.post("/v1/applications", headers=headers,
                                     json=submission(disaster["id"]))
    assert response.status_code == 201, response.text
    # idempotency lock + stored-key lookup (kit), the disaster with the catalogue stamp,
    # the stored response (kit), one INSERT for dossier, items, event, audit row and outbox.
    assert len(sent) == 5, sent
    created = response.json()
    assert response.headers["ETag"] == '"1"'
    assert [(i["position"], i["claimed_amount"]) for i in created["items"]] == [
        (1, "2500.50"), (2, "1200.00")]
    assert created["claimed_total"] == "3700.50" and created["state"] == "submitted"
    stored = await client.get(f"/v1/applications/{created['id']}", headers=api.citizen("c-7"))
    assert stored.json() == created
    replay = await client.post("/v1/applications", headers=headers,
                               json=submission(disaster["id"]))
    assert replay.status_code == 201 and replay.json() == created
    assert replay.headers["Idempotent-Replayed"] == "true"
    async with harness.sessionmaker() as session:
        audit = (await session.execute(text(
            "SELECT actor, action, to_state, data, request_id FROM audit_events "
            "WHERE entity_type = 'application' AND entity_id = :id"),
            {"id": created["id"]})).one()
        outbox = (await session.execute(text(
            "SELECT type, org, data FROM outbox_events WHERE subject = :id"),
            {"id": created["id"]})).one()
        events = (await session.execute(text(
            "SELECT action, to_state, actor FROM application_events WHERE application_id = :id"),
            {"id": created["id"]})).all()
    assert audit[:4] == ("c-7", "submitted", "submitted", {"channel": "online", "late": False})
    assert audit.request_id
    assert outbox == ("application.submitted", None,
                      {"disaster_id": disaster["id"], "late": False})
    assert events == [("submitted", "submitted", "c-7")]


async def test_rule_set_version_added_elsewhere_is_seen_at_once(api, harness):
    """A version written by another process (not through this one's cache) applies to the
    next submission: the catalogue stamp changes."""
    disaster = await api.published_disaster()   # published 2024-09-16, window to 2024-12-31
    set_now(harness, at(2024, 11, 15))
    assert (await api.submit(disaster["id"]))["state"] == "submitted"
    async with harness.sessionmaker() as session, session.begin():
        await session.execute(text("""
            INSERT INTO rule_sets (regime, version, applies_from, applies_to, content, created_by)
            SELECT regime, version + 1, applies_from, applies_to,
                   jsonb_set(content, '{application_months_after_publication_month}', '1'),
                   'elsewhere'
            FROM rule_sets WHERE regime = 'regime_2019' AND version = 1"""))
    refused = await api.submit(disaster["id"], headers=api.citizen("c-2"), expect=422)
    assert refused["code"] == "APPLICATION_DEADLINE_PASSED"


# A copy of a dossier under a new id: an INSERT that fires the stats trigger like a submission.
COPY_APPLICATION = text("""
    INSERT INTO applications
    SELECT (jsonb_populate_record(a, jsonb_build_object(
        'id', CAST(:new_id AS uuid), 'received_on', a.received_on - CAST(:days_earlier AS int)))).*
    FROM applications a WHERE id = CAST(:id AS uuid)""")


async def _sessions_on_two_shards(engine):
    """Two connections whose backends write to different counter shards."""
    connections = [await engine.connect()]
    shards = [await connections[0].scalar(text("SELECT pg_backend_pid() % 16"))]
    while shards[-1] == shards[0] and len(connections) < 16:
        connections.append(await engine.connect())
        shards.append(await connections[-1].scalar(text("SELECT pg_backend_pid() % 16")))
    for spare in connections[1:-1]:
        await spare.close()
    assert shards[-1] != shards[0]
    return connections[0], connections[-1]


async def test_submissions_for_one_disaster_do_not_queue_and_figures_stay_exact(api, client,
                                                                                harness):
    disaster = await api.published_disaster()
    template = await api.submit(disaster["id"])
    first, second = await _sessions_on_two_shards(harness.app.state.engine)
    copies = [str(uuid.uuid4()), str(uuid.uuid4())]
    try:
        await first.execute(COPY_APPLICATION, {"new_id": copies[0], "id": template["id"],
                                               "days_earlier": 1})
        # `first` has not committed: with one counter row per disaster this INSERT would wait
        # for it and fail on the lock timeout.
        await second.execute(text("SET LOCAL lock_timeout = '2s'"))
        await second.execute(COPY_APPLICATION, {"new_id": copies[1], "id": template["id"],
                                                "days_earlier": 0})
        await second.commit()
        await first.commit()
        # Closed by another shard than the one that counted it open (on a day no other dossier
        # was received): a negative shard row.
        await second.execute(text("UPDATE applications SET state = 'withdrawn' WHERE id = :id"),
                             {"id": copies[0]})
        await second.commit()
    finally:
        await first.close()
        await second.close()
    async with harness.sessionmaker() as session:
        shards = await session.scalar(text(
            "SELECT count(DISTINCT shard) FROM disaster_application_stats "
            "WHERE disaster_id = :id"), {"id": disaster["id"]})
        negative = await session.scalar(text(
            "SELECT count(*) FROM open_applications_by_day WHERE open_count < 0"))
    assert shards >= 2 and negative == 1
    kpis = {k["id"]: k for k in (await client.get(
        "/v1/kpis", headers=harness.headers("kpi.reader"))).json()}
    completion = kpis["applications_completed_within_1y_pct"]["breakdown"]
    assert [(row["disaster_id"], row["submitted"]) for row in completion] == [
        (disaster["id"], 2)]     # three submitted, one withdrawn before completion
    bands = kpis["backlog_open_applications"]["breakdown"]
    assert sum(band["open_applications"] for band in bands) == 2
