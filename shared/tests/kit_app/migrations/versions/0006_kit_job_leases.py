"""The kit's job leases (kit revision): a job is claimed and committed, its task runs outside
the row lock, and a job whose worker died is claimed again after the lease.

The kit test app numbers its revisions in sequence.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from dkbuza_kit.migrations import add_job_leases_v1
from dkbuza_kit.migrations import drop_job_leases_v1

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_job_leases_v1()


def downgrade() -> None:
    drop_job_leases_v1()
