"""The clock events and the customs ledger are append-only history: the database refuses
UPDATE and DELETE on them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

from dkbuza_kit.migrations import make_append_only_v1

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("application_events", "ledger_entries")


def upgrade() -> None:
    for table in TABLES:
        make_append_only_v1(table)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
