"""The kit's webhook tables, version 3: delivery leases, attempt outcomes, dead letters.

Revision ID: 0210
Revises: 0200
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from dkbuza_kit.migrations import downgrade_webhook_tables_v3
from dkbuza_kit.migrations import upgrade_webhook_tables_v3

revision: str = "0210"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_webhook_tables_v3()


def downgrade() -> None:
    downgrade_webhook_tables_v3()
