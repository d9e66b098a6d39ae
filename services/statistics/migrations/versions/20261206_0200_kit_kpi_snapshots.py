"""The kit's daily KPI snapshots (GET /v1/kpis/history).

Revision ID: 0200
Revises: 0101
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from dkbuza_kit.migrations import create_kpi_snapshot_table_v1
from dkbuza_kit.migrations import drop_kpi_snapshot_table_v1

revision: str = "0200"
down_revision: str | None = "0101"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kpi_snapshot_table_v1()


def downgrade() -> None:
    drop_kpi_snapshot_table_v1()
