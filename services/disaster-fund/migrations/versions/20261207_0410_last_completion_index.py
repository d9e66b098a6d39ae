"""An index for the last completion of a disaster's dossiers (KPI
publication_to_last_dossier_median_days): without it the KPI read every completed dossier of
every finished disaster, so its cost grew with history (bench P6: 306 ms at 1,000,000
applications against 16 ms at 10,000).

Revision ID: 0410
Revises: 0400
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0410"
down_revision: str | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_applications_disaster_completed_on ON applications "
               "(disaster_id, completed_on) WHERE completed_on IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX ix_applications_disaster_completed_on")
