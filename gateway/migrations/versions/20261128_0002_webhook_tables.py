"""Version 2 of the kit tables (webhook subscriptions, deliveries, attempts).

The gateway emits no domain events of its own; the tables are created so that every app
carries the same kit schema (and the models/migrations drift check stays exact).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from dkbuza_kit.migrations import create_webhook_tables_v1, drop_webhook_tables_v1

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_webhook_tables_v1()


def downgrade() -> None:
    drop_webhook_tables_v1()
