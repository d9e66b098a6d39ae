"""The webhook tables' version 3 migration carries existing rows over: given-up deliveries
become dead letters, and the old log's transport text is reduced to its generic class."""

import uuid
from pathlib import Path

import sqlalchemy as sa

from dkbuza_dev.testing.harness import migrate
from dkbuza_dev.testing.harness import scratch_database

KIT_APP_INI = Path(__file__).parent / "kit_app" / "alembic.ini"
BEFORE_V3 = "0004"

LEGACY = [  # status_code, error as the old worker logged them
    (None, "ConnectError: [Errno 111] Connect call failed ('127.0.0.1', 8004)"),
    (401, "HTTP 401"),
    (204, None),
]


async def insert_legacy_rows(engine) -> None:
    subscription, event, delivery = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(sa.text(
            "INSERT INTO webhook_subscriptions (id, org, url, event_types, secret, all_orgs, "
            "active, created_by) VALUES (:id, 'o', 'http://127.0.0.1:8004/v1/releases', "
            "'[\"widget.created\"]', 's', false, true, 'x')"), {"id": subscription})
        await connection.execute(sa.text(
            "INSERT INTO outbox_events (id, type, subject, data) "
            "VALUES (:id, 'widget.created', '1', '{}')"), {"id": event})
        await connection.execute(sa.text(
            "INSERT INTO webhook_deliveries (id, subscription_id, event_id, status, attempts, "
            "next_attempt_at) VALUES (:id, :s, :e, 'failed', 8, now())"),
            {"id": delivery, "s": subscription, "e": event})
        for status_code, error in LEGACY:
            await connection.execute(sa.text(
                "INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, "
                "duration_ms) VALUES (:d, now(), :c, :e, 3)"),
                {"d": delivery, "c": status_code, "e": error})


async def test_v3_carries_deliveries_and_their_log_over(pg_server_url):
    async with scratch_database(pg_server_url, "test_kit_wh_migration") as (url, engine):
        await migrate(KIT_APP_INI, url, BEFORE_V3)
        await insert_legacy_rows(engine)
        await migrate(KIT_APP_INI, url)
        async with engine.connect() as connection:
            statuses = (await connection.scalars(sa.text(
                "SELECT status FROM webhook_deliveries"))).all()
            log = (await connection.execute(sa.text(
                "SELECT outcome, status_code, error FROM webhook_attempts ORDER BY id"))).all()
        assert statuses == ["dead_letter"]
        assert [tuple(row) for row in log] == [("failed", None, "network_error"),
                                               ("failed", 401, "unexpected_status"),
                                               ("delivered", 204, None)]
        await migrate(KIT_APP_INI, url, BEFORE_V3, down=True)
        async with engine.connect() as connection:
            assert (await connection.scalars(sa.text(
                "SELECT status FROM webhook_deliveries"))).all() == ["failed"]
