"""Role names of the planning service and the object rule for reporters."""

from typing import Annotated

from fastapi import Depends

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from planning.errors import Errors

READER = "planning.reader"
REPORTER = "planning.reporter"
MANAGER = "planning.manager"
KPI_READER = "kpi.reader"

Reader = Annotated[Principal, Depends(require_roles(READER, REPORTER, MANAGER))]
ReporterOrManager = Annotated[Principal, Depends(require_roles(REPORTER, MANAGER))]
Manager = Annotated[Principal, Depends(require_roles(MANAGER))]


def ensure_team_access(principal: Principal, owner_team: str | None) -> None:
    """A reporter writes only for initiatives owned by one of its teams (`teams` claim)."""
    if MANAGER in principal.roles:
        return
    if owner_team is None or owner_team not in principal.teams:
        raise Errors.NOT_YOUR_TEAM("this initiative belongs to another team than yours")
