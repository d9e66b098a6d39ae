"""The kit's webhook tables, version 3: delivery leases, attempt outcomes, dead letters;
and customs' existing subscriptions narrowed to the licence events it may read.

Revision ID: 0260
Revises: 0250
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

from dkbuza_kit.migrations import downgrade_webhook_tables_v3
from dkbuza_kit.migrations import upgrade_webhook_tables_v3

revision: str = "0260"
down_revision: str | None = "0250"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Before this revision an all-organisations subscription outside the department could only
# come from `csg.customs`, which may read licence events only (export_control.events): keep
# those types, deactivate what is left without any.
NARROW_CUSTOMS_SUBSCRIPTIONS = (
    """UPDATE webhook_subscriptions s SET event_types = COALESCE((
           SELECT jsonb_agg(t ORDER BY t) FROM jsonb_array_elements_text(s.event_types) AS t
           WHERE starts_with(t, 'licence.')), '[]'::jsonb)
       WHERE s.all_orgs AND s.org <> 'dkbuza'""",
    """UPDATE webhook_subscriptions SET active = false
       WHERE all_orgs AND org <> 'dkbuza' AND event_types = '[]'::jsonb""",
)


def upgrade() -> None:
    upgrade_webhook_tables_v3()
    for statement in NARROW_CUSTOMS_SUBSCRIPTIONS:
        op.execute(statement)


def downgrade() -> None:
    downgrade_webhook_tables_v3()
