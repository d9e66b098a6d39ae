"""Incremental KPI figures per disaster, maintained by a trigger on applications.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns whose change can move a dossier between KPI buckets.
TRACKED = ("disaster_id", "state", "completed_on", "completion_kind", "completed_on_time",
           "is_late", "lead_gross_days", "lead_net_days", "decided_amount", "paid_amount",
           "recovered_amount", "first_paid_on", "received_on", "one_year_mark")

COLUMNS = ", ".join(TRACKED)

# The three upserts apply a signed delta (+1 new row, -1 old row) grouped per key, so a bulk
# INSERT ... SELECT of a million dossiers costs three aggregates, not a million upserts.
APPLY_DELTA = """
    WITH delta AS ({source})
    INSERT INTO disaster_application_stats AS s (
        disaster_id, one_year_mark, submitted, withdrawn, completed, completed_paid,
        completed_rejected, completed_inadmissible, completed_on_time, late, lead_gross_sum,
        lead_net_sum, amount_decided, amount_paid, amount_recovered)
    SELECT disaster_id, max(one_year_mark), sum(sign),
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
    ON CONFLICT (disaster_id) DO UPDATE SET
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

    WITH delta AS ({source})
    INSERT INTO open_applications_by_day AS o (disaster_id, received_on, open_count)
    SELECT disaster_id, received_on, sum(sign) FROM delta
    WHERE completed_on IS NULL AND state <> 'withdrawn'
    GROUP BY disaster_id, received_on HAVING sum(sign) <> 0
    ON CONFLICT (disaster_id, received_on)
    DO UPDATE SET open_count = o.open_count + excluded.open_count;

    WITH delta AS ({source})
    INSERT INTO payouts_by_day AS p (disaster_id, first_paid_on, paid_count)
    SELECT disaster_id, first_paid_on, sum(sign) FROM delta
    WHERE first_paid_on IS NOT NULL
    GROUP BY disaster_id, first_paid_on HAVING sum(sign) <> 0
    ON CONFLICT (disaster_id, first_paid_on)
    DO UPDATE SET paid_count = p.paid_count + excluded.paid_count;
"""

SOURCES = {
    "insert": f"SELECT {COLUMNS}, 1 AS sign FROM new_rows",
    "delete": f"SELECT {COLUMNS}, -1 AS sign FROM old_rows",
    # Only dossiers whose tracked columns changed (most updates touch none of them).
    "update": (
        f"SELECT {COLUMNS}, 1 AS sign FROM new_rows WHERE id IN (SELECT n.id FROM new_rows n "
        f"JOIN old_rows o ON o.id = n.id WHERE ({', '.join('o.' + c for c in TRACKED)}) IS "
        f"DISTINCT FROM ({', '.join('n.' + c for c in TRACKED)})) "
        f"UNION ALL SELECT {COLUMNS}, -1 AS sign FROM old_rows WHERE id IN (SELECT n.id FROM "
        f"new_rows n JOIN old_rows o ON o.id = n.id WHERE ({', '.join('o.' + c for c in TRACKED)})"
        f" IS DISTINCT FROM ({', '.join('n.' + c for c in TRACKED)}))"
    ),
}
REFERENCING = {"insert": "NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows",
               "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}


def _trigger_function(op_name: str) -> str:
    return (f"CREATE OR REPLACE FUNCTION vrf_stats_on_{op_name}() RETURNS trigger AS $$\n"
            f"BEGIN\n{APPLY_DELTA.format(source=SOURCES[op_name])}\n    RETURN NULL;\nEND;\n"
            "$$ LANGUAGE plpgsql;")


# Set-based recount of all figures. Used as the backfill below, and by operators after a bulk
# load done with the trigger disabled (ALTER TABLE applications DISABLE TRIGGER
# applications_stats_insert; load; ENABLE TRIGGER ...; SELECT vrf_stats_rebuild();).
REBUILD_FUNCTION = """
CREATE OR REPLACE FUNCTION vrf_stats_rebuild() RETURNS void AS $$
BEGIN
    DELETE FROM disaster_application_stats;
    DELETE FROM open_applications_by_day;
    DELETE FROM payouts_by_day;
    INSERT INTO disaster_application_stats
    SELECT disaster_id, max(one_year_mark), count(*),
           count(*) FILTER (WHERE state = 'withdrawn' AND completed_on IS NULL),
           count(*) FILTER (WHERE completed_on IS NOT NULL),
           count(*) FILTER (WHERE completed_on IS NOT NULL AND completion_kind = 'paid'),
           count(*) FILTER (WHERE completed_on IS NOT NULL AND completion_kind = 'rejected'),
           count(*) FILTER (WHERE completed_on IS NOT NULL AND completion_kind = 'inadmissible'),
           count(*) FILTER (WHERE completed_on_time), count(*) FILTER (WHERE is_late),
           coalesce(sum(lead_gross_days), 0), coalesce(sum(lead_net_days), 0),
           coalesce(sum(decided_amount), 0), sum(paid_amount), sum(recovered_amount)
    FROM applications GROUP BY disaster_id;
    INSERT INTO open_applications_by_day
    SELECT disaster_id, received_on, count(*) FROM applications
    WHERE completed_on IS NULL AND state <> 'withdrawn' GROUP BY disaster_id, received_on;
    INSERT INTO payouts_by_day
    SELECT disaster_id, first_paid_on, count(*) FROM applications
    WHERE first_paid_on IS NOT NULL GROUP BY disaster_id, first_paid_on;
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    uuid_fk = [sa.Column("disaster_id", sa.UUID(), nullable=False)]
    counters = ["submitted", "withdrawn", "completed", "completed_paid", "completed_rejected",
                "completed_inadmissible", "completed_on_time", "late"]
    op.create_table(
        "disaster_application_stats",
        *uuid_fk,
        sa.Column("one_year_mark", sa.Date(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in counters],
        sa.Column("lead_gross_sum", sa.BigInteger(), nullable=False),
        sa.Column("lead_net_sum", sa.BigInteger(), nullable=False),
        *[sa.Column(name, sa.Numeric(precision=18, scale=2), nullable=False)
          for name in ("amount_decided", "amount_paid", "amount_recovered")],
        sa.ForeignKeyConstraint(["disaster_id"], ["disasters.id"],
                                name=op.f("fk_disaster_application_stats_disaster_id_disasters")),
        sa.PrimaryKeyConstraint("disaster_id", name=op.f("pk_disaster_application_stats")),
    )
    op.create_table(
        "open_applications_by_day",
        sa.Column("disaster_id", sa.UUID(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["disaster_id"], ["disasters.id"],
                                name=op.f("fk_open_applications_by_day_disaster_id_disasters")),
        sa.PrimaryKeyConstraint("disaster_id", "received_on",
                                name=op.f("pk_open_applications_by_day")),
    )
    op.create_table(
        "payouts_by_day",
        sa.Column("disaster_id", sa.UUID(), nullable=False),
        sa.Column("first_paid_on", sa.Date(), nullable=False),
        sa.Column("paid_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["disaster_id"], ["disasters.id"],
                                name=op.f("fk_payouts_by_day_disaster_id_disasters")),
        sa.PrimaryKeyConstraint("disaster_id", "first_paid_on", name=op.f("pk_payouts_by_day")),
    )
    op.create_table(
        "phase_duration_stats",
        sa.Column("disaster_id", sa.UUID(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("spans", sa.Integer(), nullable=False),
        sa.Column("gross_days_sum", sa.BigInteger(), nullable=False),
        sa.Column("net_days_sum", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["disaster_id"], ["disasters.id"],
                                name=op.f("fk_phase_duration_stats_disaster_id_disasters")),
        sa.PrimaryKeyConstraint("disaster_id", "phase", name=op.f("pk_phase_duration_stats")),
    )
    # Statement-level triggers with transition tables (one per event, as PostgreSQL requires).
    for op_name in ("insert", "update", "delete"):
        op.execute(_trigger_function(op_name))
        op.execute(f"CREATE TRIGGER applications_stats_{op_name} AFTER {op_name.upper()} ON "
                   f"applications REFERENCING {REFERENCING[op_name]} FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION vrf_stats_on_{op_name}()")
    op.execute(REBUILD_FUNCTION)
    # Existing dossiers (a database upgraded with data in it) are counted once here.
    op.execute("SELECT vrf_stats_rebuild()")


def downgrade() -> None:
    for op_name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS applications_stats_{op_name} ON applications")
        op.execute(f"DROP FUNCTION IF EXISTS vrf_stats_on_{op_name}()")
    op.execute("DROP FUNCTION IF EXISTS vrf_stats_rebuild()")
    op.drop_table("phase_duration_stats")
    op.drop_table("payouts_by_day")
    op.drop_table("open_applications_by_day")
    op.drop_table("disaster_application_stats")
