"""Webhook tables, version 3 (delivery leases, attempt outcomes, dead letters).

Revision ID: 0210
Revises: 0004
"""

from dkbuza_kit.migrations import downgrade_webhook_tables_v3
from dkbuza_kit.migrations import upgrade_webhook_tables_v3

revision = "0210"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_webhook_tables_v3()


def downgrade() -> None:
    downgrade_webhook_tables_v3()
