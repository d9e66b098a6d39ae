"""The kit's job leases (kit revision): a job is claimed and committed, its task runs outside
the row lock, and a job whose worker died is claimed again after the lease.

Kit revisions are numbered 0x00 and the app's own follow at 0x10 and later; 0400 comes after
all of this app's revisions (its head was 0323), so file order stays the order of the chain.

Revision ID: 0400
Revises: 0323
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from dkbuza_kit.migrations import add_job_leases_v1
from dkbuza_kit.migrations import drop_job_leases_v1

revision: str = "0400"
down_revision: str | None = "0323"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_job_leases_v1()


def downgrade() -> None:
    drop_job_leases_v1()
