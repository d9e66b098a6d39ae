"""The kit's webhook tables: subscriptions, deliveries and their attempt log.

Revision ID: 0100
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from dkbuza_kit.migrations import create_webhook_tables_v1
from dkbuza_kit.migrations import drop_webhook_tables_v1

revision: str = "0100"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_webhook_tables_v1()


def downgrade() -> None:
    drop_webhook_tables_v1()
