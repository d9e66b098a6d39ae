"""Shard the trigger-maintained KPI counters so concurrent submissions do not queue.

Until now every INSERT of a dossier upserted the ONE `disaster_application_stats` row of its
disaster (and its `open_applications_by_day` row) and held that row lock until COMMIT: all
citizens applying for the same disaster were serialised on it. Each counter row now also
carries a `shard` (the writing backend's `pg_backend_pid() % 16`), so concurrent sessions
update different rows; the KPI queries sum over the shards (at most 16 rows per key, however
long the history). Shard rows may be negative (a dossier counted open in one shard is closed by
a session writing to another); only their sums mean something.

Revision ID: 0101
Revises: 0100
Create Date: 2026-11-28
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0101"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARDS = 16
SHARD = f"(pg_backend_pid() % {SHARDS})::smallint"
# (table, its key columns before the shard)
TABLES = (("disaster_application_stats", ("disaster_id",)),
          ("open_applications_by_day", ("disaster_id", "received_on")),
          ("payouts_by_day", ("disaster_id", "first_paid_on")))


def _revision_0004():
    """The trigger sources (which rows changed) are unchanged: reuse 0004's; its functions
    come back on downgrade."""
    path = Path(__file__).with_name("20261128_0004_kpi_stats.py")
    spec = importlib.util.spec_from_file_location("disaster_fund_migration_0004", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


# As 0004's APPLY_DELTA, with the writing session's shard in every key.
APPLY_DELTA = f"""
    WITH delta AS ({{source}})
    INSERT INTO disaster_application_stats AS s (
        disaster_id, shard, one_year_mark, submitted, withdrawn, completed, completed_paid,
        completed_rejected, completed_inadmissible, completed_on_time, late, lead_gross_sum,
        lead_net_sum, amount_decided, amount_paid, amount_recovered)
    SELECT disaster_id, {SHARD}, max(one_year_mark), sum(sign),
        sum(sign * (state = 'withdrawn' AND completed_on IS NULL)::int),
        sum(sign * (completed_on IS NOT NULL)::int),
        sum(sign * (completed_on IS NOT NULL AND completion_kind = 'paid')::int),
        sum(sign * (completed_on IS NOT NULL AND completion_kind = 'rejected')::int),
        sum(sign * (completed_on IS NOT NULL AND completion_kind = 'inadmissible')::int),
        sum(sign * coalesce(completed_on_time, false)::int), sum(sign * is_late::int),
        sum(sign * coalesce(lead_gross_days, 0)), sum(sign * coalesce(lead_net_days, 0)),
        sum(sign * coalesce(decided_amount, 0)), sum(sign * paid_amount),
        sum(sign * recovered_amount)
    FROM delta GROUP BY disaster_id
    ON CONFLICT (disaster_id, shard) DO UPDATE SET
        one_year_mark = excluded.one_year_mark,
        submitted = s.submitted + excluded.submitted,
        withdrawn = s.withdrawn + excluded.withdrawn,
        completed = s.completed + excluded.completed,
        completed_paid = s.completed_paid + excluded.completed_paid,
        completed_rejected = s.completed_rejected + excluded.completed_rejected,
        completed_inadmissible = s.completed_inadmissible + excluded.completed_inadmissible,
        completed_on_time = s.completed_on_time + excluded.completed_on_time,
        late = s.late + excluded.late,
        lead_gross_sum = s.lead_gross_sum + excluded.lead_gross_sum,
        lead_net_sum = s.lead_net_sum + excluded.lead_net_sum,
        amount_decided = s.amount_decided + excluded.amount_decided,
        amount_paid = s.amount_paid + excluded.amount_paid,
        amount_recovered = s.amount_recovered + excluded.amount_recovered;

    WITH delta AS ({{source}})
    INSERT INTO open_applications_by_day AS o (disaster_id, received_on, shard, open_count)
    SELECT disaster_id, received_on, {SHARD}, sum(sign) FROM delta
    WHERE completed_on IS NULL AND state <> 'withdrawn'
    GROUP BY disaster_id, received_on HAVING sum(sign) <> 0
    ON CONFLICT (disaster_id, received_on, shard)
    DO UPDATE SET open_count = o.open_count + excluded.open_count;

    WITH delta AS ({{source}})
    INSERT INTO payouts_by_day AS p (disaster_id, first_paid_on, shard, paid_count)
    SELECT disaster_id, first_paid_on, {SHARD}, sum(sign) FROM delta
    WHERE first_paid_on IS NOT NULL
    GROUP BY disaster_id, first_paid_on HAVING sum(sign) <> 0
    ON CONFLICT (disaster_id, first_paid_on, shard)
    DO UPDATE SET paid_count = p.paid_count + excluded.paid_count;
"""

# The recount (see 0004) writes every figure to shard 0.
REBUILD_FUNCTION = """
CREATE OR REPLACE FUNCTION vrf_stats_rebuild() RETURNS void AS $$
BEGIN
    DELETE FROM disaster_application_stats;
    DELETE FROM open_applications_by_day;
    DELETE FROM payouts_by_day;
    INSERT INTO disaster_application_stats (
        disaster_id, shard, one_year_mark, submitted, withdrawn, completed, completed_paid,
        completed_rejected, completed_inadmissible, completed_on_time, late, lead_gross_sum,
        lead_net_sum, amount_decided, amount_paid, amount_recovered)
    SELECT disaster_id, 0, max(one_year_mark), count(*),
           count(*) FILTER (WHERE state = 'withdrawn' AND completed_on IS NULL),
           count(*) FILTER (WHERE completed_on IS NOT NULL),
           count(*) FILTER (WHERE completed_on IS NOT NULL AND completion_kind = 'paid'),
           count(*) FILTER (WHERE completed_on IS NOT NULL AND completion_kind = 'rejected'),
           count(*) FILTER (WHERE completed_on IS NOT NULL AND completion_kind = 'inadmissible'),
           count(*) FILTER (WHERE completed_on_time), count(*) FILTER (WHERE is_late),
           coalesce(sum(lead_gross_days), 0), coalesce(sum(lead_net_days), 0),
           coalesce(sum(decided_amount), 0), sum(paid_amount), sum(recovered_amount)
    FROM applications GROUP BY disaster_id;
    INSERT INTO open_applications_by_day (disaster_id, received_on, shard, open_count)
    SELECT disaster_id, received_on, 0, count(*) FROM applications
    WHERE completed_on IS NULL AND state <> 'withdrawn' GROUP BY disaster_id, received_on;
    INSERT INTO payouts_by_day (disaster_id, first_paid_on, shard, paid_count)
    SELECT disaster_id, first_paid_on, 0, count(*) FROM applications
    WHERE first_paid_on IS NOT NULL GROUP BY disaster_id, first_paid_on;
END;
$$ LANGUAGE plpgsql;
"""


def _trigger_functions(apply_delta: str, sources: dict[str, str]) -> list[str]:
    return [f"CREATE OR REPLACE FUNCTION vrf_stats_on_{name}() RETURNS trigger AS $$\n"
            f"BEGIN\n{apply_delta.format(source=source)}\n    RETURN NULL;\nEND;\n"
            "$$ LANGUAGE plpgsql;" for name, source in sources.items()]


def upgrade() -> None:
    for table, key in TABLES:
        op.add_column(table, sa.Column("shard", sa.SmallInteger(), nullable=False,
                                       server_default="0"))   # existing rows: shard 0
        op.alter_column(table, "shard", server_default=None)
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, [*key, "shard"])
    for function in _trigger_functions(APPLY_DELTA, _revision_0004().SOURCES):
        op.execute(function)
    op.execute(REBUILD_FUNCTION)


def downgrade() -> None:
    previous = _revision_0004()
    for function in _trigger_functions(previous.APPLY_DELTA, previous.SOURCES):
        op.execute(function)
    op.execute(previous.REBUILD_FUNCTION)
    for table, key in TABLES:
        op.execute(f"DELETE FROM {table}")   # recounted below, one row per key again
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.drop_column(table, "shard")
        op.create_primary_key(f"pk_{table}", table, list(key))
    op.execute("SELECT vrf_stats_rebuild()")
