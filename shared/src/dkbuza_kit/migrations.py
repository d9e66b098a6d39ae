"""Alembic helpers shared by every app: the async env.py body and the kit tables.

Every DDL function a migration calls is versioned (`..._v1`, `..._v3`) and frozen: once
released it is never edited, because a database migrated with it must equal a fresh one. A
change of a kit table is a new `_vN` function plus a new kit revision in every app
(`shared/tests/test_frozen_migrations.py` holds the hash of the SQL each function emits).
"""

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import context
from alembic import op
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy import pool
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

# Register every kit table on KitBase.metadata (the base tables and the webhook tables).
from dkbuza_kit import models as _kit_models  # noqa: F401
from dkbuza_kit import webhooks as _kit_webhooks  # noqa: F401
from dkbuza_kit.db import KitBase
from dkbuza_kit.db_roles import grant_app_privileges
from dkbuza_kit.settings import ServiceSettings

APP_ROLE_OPTION = "dkbuza.app_role"


def alembic_config(ini_path: str | Path, database_url: str | None = None,
                   app_role: str | None = None) -> Config:
    """`database_url` is the owner's (migrations run as the owning role); `app_role`, when
    given, receives the app's grants after the upgrade (`dkbuza_kit.db_roles`)."""
    config = Config(str(ini_path))
    config.set_main_option("script_location", str(Path(ini_path).parent / "migrations"))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if app_role:
        config.set_main_option(APP_ROLE_OPTION, app_role)
    return config


def head_revision(ini_path: str | Path) -> str | None:
    return ScriptDirectory.from_config(alembic_config(ini_path)).get_current_head()


def run_env(target_metadata: MetaData,
            default: str | ServiceSettings | type[ServiceSettings]) -> None:
    """The body of every migrations/env.py: online, async, with the kit tables included.

    With settings, migrations connect with `migration_database_url` (the owner) when it is
    set, and the role of `database_url` then gets the app's grants in the same transaction.
    A settings class is built only when the config names no URL (`alembic_config(url)`), so
    a caller that passes the URL needs no `<PREFIX>DATABASE_URL` in the environment.
    """
    config = context.config
    app_role = config.get_main_option(APP_ROLE_OPTION)
    url = config.get_main_option("sqlalchemy.url")
    if not url and isinstance(default, type):
        default = default()
    if isinstance(default, ServiceSettings):
        url = url or default.owner_database_url
        app_role = app_role or default.app_database_role
    else:
        url = url or default
    metadatas = [target_metadata, KitBase.metadata]

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadatas,
            compare_type=True,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            context.run_migrations()
            if app_role and connection.dialect.has_table(connection, "alembic_version"):
                grant_app_privileges(connection, app_role)

    async def run_async() -> None:
        engine = async_engine_from_config(
            {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadatas, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())


REFUSE_CHANGE_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def make_append_only_v1(table: str) -> None:
    """Refuse UPDATE and DELETE on a table at the database level. Frozen."""
    op.execute(REFUSE_CHANGE_FUNCTION)
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
    )


def create_kit_tables_v1() -> None:
    """Version 1 of the kit tables; call from each app's first migration. Frozen."""
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_org", sa.String(100)),
        sa.Column("request_id", sa.String(100)),
        sa.Column("entity_type", sa.String(100), nullable=False),
        sa.Column("entity_id", sa.String(100), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("from_state", sa.String(100)),
        sa.Column("to_state", sa.String(100)),
        sa.Column("reason", sa.Text()),
        sa.Column("data", postgresql.JSONB()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_entity_type"), "audit_events", ["entity_type"])
    op.create_index(op.f("ix_audit_events_entity_id"), "audit_events", ["entity_id"])
    make_append_only_v1("audit_events")

    op.create_table(
        "outbox_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("org", sa.String(100)),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(op.f("ix_outbox_events_type"), "outbox_events", ["type"])
    op.create_index(op.f("ix_outbox_events_org"), "outbox_events", ["org"])

    op.create_table(
        "idempotency_keys",
        sa.Column("client", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", postgresql.JSONB()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.PrimaryKeyConstraint("client", "key", name=op.f("pk_idempotency_keys")),
    )

    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("task", sa.String(200), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("dedupe_key", sa.String(300)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_jobs_dedupe_key")),
    )
    op.create_index(op.f("ix_jobs_run_at"), "jobs", ["run_at"])
    op.create_index(op.f("ix_jobs_status"), "jobs", ["status"])


def drop_kit_tables_v1() -> None:
    op.drop_table("jobs")
    op.drop_table("idempotency_keys")
    op.drop_table("outbox_events")
    op.drop_table("audit_events")
    op.execute("DROP FUNCTION IF EXISTS refuse_append_only_change() CASCADE")


def create_webhook_tables_v1() -> None:
    """Version 2 of the kit tables: webhook subscriptions, deliveries and their attempt log
    (the webhook tables' first version). Frozen."""
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("org", sa.String(100), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("event_types", postgresql.JSONB(), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("all_orgs", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_index(op.f("ix_webhook_subscriptions_org"), "webhook_subscriptions", ["org"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("subscription_id", sa.UUID(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscriptions.id"],
                                name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["outbox_events.id"],
                                name=op.f("fk_webhook_deliveries_event_id_outbox_events"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("subscription_id", "event_id",
                            name=op.f("uq_webhook_deliveries_subscription_id_event_id")),
    )
    op.create_index(op.f("ix_webhook_deliveries_subscription_id"), "webhook_deliveries",
                    ["subscription_id"])
    op.create_index(op.f("ix_webhook_deliveries_next_attempt_at"), "webhook_deliveries",
                    ["next_attempt_at"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.UUID(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("error", sa.Text()),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["webhook_deliveries.id"],
                                name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(op.f("ix_webhook_attempts_delivery_id"), "webhook_attempts", ["delivery_id"])
    op.create_index(op.f("ix_outbox_events_undispatched"), "outbox_events", ["created_at"],
                    postgresql_where=sa.text("dispatched_at IS NULL"))


def drop_webhook_tables_v1() -> None:
    op.drop_index(op.f("ix_outbox_events_undispatched"), table_name="outbox_events")
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")


def upgrade_webhook_tables_v3() -> None:
    """Version 3 of the kit tables: delivery leases (claim, commit, send, record), attempt
    outcomes written before the request, and the dead-letter state. Frozen: a later change
    gets a version 4 function, so the migrations that call this one never change."""
    op.add_column("webhook_deliveries", sa.Column("lease_id", sa.UUID()))
    op.add_column("webhook_deliveries", sa.Column("lease_until", sa.DateTime(timezone=True)))
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries",
                    ["subscription_id", "next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.execute("UPDATE webhook_deliveries SET status = 'dead_letter' WHERE status = 'failed'")
    op.add_column("webhook_attempts", sa.Column("outcome", sa.String(20), nullable=True))
    op.add_column("webhook_attempts", sa.Column("completed_at", sa.DateTime(timezone=True)))
    # The old log kept the transport's text; keep the class only (no port-scan detail).
    op.execute("UPDATE webhook_attempts SET completed_at = attempted_at, "
               "outcome = CASE WHEN error IS NULL THEN 'delivered' ELSE 'failed' END, "
               "error = CASE WHEN error IS NULL THEN NULL WHEN status_code IS NULL "
               "THEN 'network_error' ELSE 'unexpected_status' END")
    op.alter_column("webhook_attempts", "outcome", nullable=False)
    op.alter_column("webhook_attempts", "duration_ms", nullable=True)


def downgrade_webhook_tables_v3() -> None:
    op.execute("UPDATE webhook_attempts SET duration_ms = 0 WHERE duration_ms IS NULL")
    op.alter_column("webhook_attempts", "duration_ms", nullable=False)
    op.drop_column("webhook_attempts", "completed_at")
    op.drop_column("webhook_attempts", "outcome")
    op.execute("UPDATE webhook_deliveries SET status = 'failed' WHERE status = 'dead_letter'")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_column("webhook_deliveries", "lease_until")
    op.drop_column("webhook_deliveries", "lease_id")


def create_kpi_snapshot_table_v1() -> None:
    """Daily KPI snapshots (`dkbuza_kit.kpi_history.KpiSnapshot`), version 1. Frozen: a later
    change of the table gets a new function and a new revision, never an edit here."""
    op.create_table(
        "kpi_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kpi_id", sa.String(200), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("target", sa.Float()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("period", postgresql.JSONB(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_snapshots")),
        sa.UniqueConstraint("kpi_id", "taken_on", name=op.f("uq_kpi_snapshots_kpi_id_taken_on")),
    )


def drop_kpi_snapshot_table_v1() -> None:
    op.drop_table("kpi_snapshots")


def create_documents_table_v1() -> None:
    """A service's `documents` table (`dkbuza_kit.documents.models.DocumentMixin`), version 1.
    Frozen like the other kit DDL: a change gets a new function and revision."""
    op.create_table(
        "documents",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("owner_type", sa.String(50), nullable=False),
        sa.Column("owner_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.Column("withdrawn_by", sa.String(200)),
        sa.Column("withdrawal_reason", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_documents_storage_key")),
    )
    op.create_index("ix_documents_owner", "documents", ["owner_type", "owner_id"])


def drop_documents_table_v1() -> None:
    op.drop_table("documents")


REFUSE_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create_truncate_guards_v1(tables: tuple[str, ...] = ("audit_events",)) -> None:
    """Kit revision 0300 (frozen): TRUNCATE refused on the audit trail (the row triggers of
    `make_append_only_v1` do not fire for TRUNCATE). The app role lacks the TRUNCATE grant
    anyway; this stops the owner's accidents too."""
    op.execute(REFUSE_TRUNCATE_FUNCTION)
    for table in tables:
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()")


def drop_truncate_guards_v1(tables: tuple[str, ...] = ("audit_events",)) -> None:
    for table in tables:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute("DROP FUNCTION IF EXISTS refuse_truncate()")


def add_job_leases_v1() -> None:
    """Kit revision 0400 (frozen): a claimed job carries a lease (`dkbuza_kit.jobs`). The
    worker commits the claim, runs the task outside any row lock and records the outcome; a
    job whose lease ran out (its worker died) is claimed again."""
    op.add_column("jobs", sa.Column("lease_id", sa.UUID()))
    op.add_column("jobs", sa.Column("claimed_at", sa.DateTime(timezone=True)))
    op.add_column("jobs", sa.Column("lease_until", sa.DateTime(timezone=True)))


def drop_job_leases_v1() -> None:
    # Without leases a running job would never be picked up again: queue it.
    op.execute("UPDATE jobs SET status = 'queued' WHERE status = 'running'")
    op.drop_column("jobs", "lease_until")
    op.drop_column("jobs", "claimed_at")
    op.drop_column("jobs", "lease_id")
