"""Roles of the statistics service and the object rule for network entities.

- `vsa.staff`: the Flemish Statistical Authority, everything (programme and list management).
- `sv.entity`: a member of the network Statistiek Vlaanderen; the token's `org` is the entity
  code; it sees and changes only its own statistics, releases and self-assessments (404 for
  the others', filtered in the SQL query) and requests date changes of its releases.
- `kpi.reader`: `GET /v1/kpis` only.
Approving a reschedule or a cancellation is an action of a user holding `APPROVER` (VSA staff),
never the user who requested it (four eyes).
Public (no token): the calendar, the VSP list, statistics with their datasets and list
changes, releases with their reschedules and change log (only public fields: no user ids,
no pre-release access list, no pending change requests).
"""

from typing import Annotated

from fastapi import Depends

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles

STAFF = "vsa.staff"
ENTITY = "sv.entity"
KPI_READER = "kpi.reader"
APPROVER = STAFF

StaffOnly = Annotated[Principal, Depends(require_roles(STAFF))]
StaffOrEntity = Annotated[Principal, Depends(require_roles(STAFF, ENTITY))]
Approver = Annotated[Principal, Depends(require_roles(APPROVER))]


def entity_scope(principal: Principal) -> str | None:
    """The entity code a caller is confined to, or None for VSA staff (who see everything)."""
    if principal.has_any(STAFF):
        return None
    return principal.org
