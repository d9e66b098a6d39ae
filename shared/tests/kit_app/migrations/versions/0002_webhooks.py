"""Webhook tables.

Revision ID: 0002
Revises: 0001
"""

from dkbuza_kit.migrations import create_webhook_tables_v1
from dkbuza_kit.migrations import drop_webhook_tables_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_webhook_tables_v1()


def downgrade() -> None:
    drop_webhook_tables_v1()
