"""The apps connect as a role that cannot wipe or bypass the audit trail; the owner runs the
migrations. Each statement of the audit (2026-12-06) is tried as the app role, the role the
apps and these tests connect with."""

import asyncpg
import pytest

from dkbuza_dev.postgres import plain_url
from dkbuza_kit.apps import SERVICES

SERVICE_NAMES = [spec.name for spec in SERVICES]
ATTACKS = [
    "TRUNCATE audit_events",
    "TRUNCATE audit_events CASCADE",
    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "ALTER TABLE audit_events DISABLE TRIGGER USER",
    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate",
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "DROP TRIGGER audit_events_no_truncate ON audit_events",
    "DROP FUNCTION refuse_append_only_change() CASCADE",
    "SET session_replication_role = replica",
    "SET LOCAL session_replication_role = replica",
    "DELETE FROM audit_events",
    "UPDATE audit_events SET actor = 'mallory'",
    "DROP TABLE audit_events",
    "ALTER TABLE audit_events RENAME TO audit_events_old",
    "CREATE TABLE public.shadow (id int)",
    "CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger "
    "AS $$ BEGIN RETURN OLD; END $$ LANGUAGE plpgsql",
    "UPDATE alembic_version SET version_num = '0001'",
]


async def _audit_rows(connection) -> int:
    return await connection.fetchval("SELECT count(*) FROM audit_events")


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_the_app_role_cannot_wipe_or_bypass_the_audit_trail(apps, service):
    harness = apps[service]
    connection = await asyncpg.connect(plain_url(harness.database_url))
    try:
        role = await connection.fetchrow(
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user")
        assert role["rolname"] != "postgres"
        assert not any((role["rolsuper"], role["rolcreaterole"], role["rolcreatedb"],
                        role["rolbypassrls"])), dict(role)
        await connection.execute(
            "INSERT INTO audit_events (actor, entity_type, entity_id, action) "
            "VALUES ('security-test', 'probe', '1', 'probe')")  # the app role may append
        before = await _audit_rows(connection)
        accepted = []
        for statement in ATTACKS:
            try:
                async with connection.transaction():
                    await connection.execute(statement)
                    # A refused row change may also be a trigger error raised at execution.
                accepted.append(statement)
            except asyncpg.PostgresError:
                pass
        assert accepted == []
        assert await _audit_rows(connection) == before
        # Ordinary row work still runs (the apps need nothing more).
        assert await connection.fetchval("SELECT count(*) FROM outbox_events") >= 0
    finally:
        await connection.close()


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_even_the_owner_cannot_truncate_the_audit_trail_by_accident(apps, service):
    connection = await asyncpg.connect(plain_url(apps[service].owner_url))
    try:
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await connection.execute("TRUNCATE audit_events")
    finally:
        await connection.close()


def test_migrations_from_the_command_line_grant_the_app_role_only_row_access(pg_server_url,
                                                                             signing_key):
    """`alembic upgrade head` with <PREFIX>MIGRATION_DATABASE_URL (the owner) and
    <PREFIX>DATABASE_URL (the app role), as the run command, compose and the Job call it."""
    from dkbuza_dev.testing.processes import prepare_app
    from dkbuza_dev.testing.processes import run_sync
    from dkbuza_kit.apps import app_named

    process = prepare_app(app_named("planning"), pg_server_url, signing_key.jwks_path)
    app_url = process.env["PLANNING_DATABASE_URL"]
    assert process.env["PLANNING_MIGRATION_DATABASE_URL"] != app_url

    async def attempt() -> list[str]:
        connection = await asyncpg.connect(plain_url(app_url))
        accepted = []
        try:
            await connection.fetchval("SELECT count(*) FROM plans")
            for statement in ("TRUNCATE audit_events", "TRUNCATE plans",
                              "ALTER TABLE plans ADD COLUMN x int", "DROP TABLE plans"):
                try:
                    await connection.execute(statement)
                    accepted.append(statement)
                except asyncpg.PostgresError:
                    pass
        finally:
            await connection.close()
        return accepted

    try:
        assert run_sync(attempt()) == []
    finally:
        process.drop_database()


def test_the_run_command_connects_the_apps_as_the_app_role(tmp_path):
    from dkbuza_dev.devrun import APP_ROLE
    from dkbuza_dev.devrun import _app_env
    from dkbuza_kit.apps import app_named
    from dkbuza_kit.db_roles import url_user

    env = _app_env(app_named("statistics"), "postgresql://postgres@127.0.0.1:5432/postgres",
                   tmp_path / "jwks.json", "pw")
    assert url_user(env["STATISTICS_DATABASE_URL"]) == APP_ROLE
    assert url_user(env["STATISTICS_MIGRATION_DATABASE_URL"]) == "postgres"
