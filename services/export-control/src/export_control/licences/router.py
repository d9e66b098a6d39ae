"""HTTP routes of licences."""

import uuid
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from fastapi import Response

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from export_control.deps import ClockDep
from export_control.deps import Settings
from export_control.licences import service
from export_control.licences.models import Licence
from export_control.licences.schemas import LicenceActionIn
from export_control.licences.schemas import LicenceOut
from export_control.licences.schemas import ReissueIn
from export_control.licences.validity import validity_rules
from export_control.roles import APPLICANT
from export_control.roles import HEAD
from export_control.roles import OFFICER
from export_control.roles import heads
from export_control.roles import readers

router = APIRouter(prefix="/v1/licences", tags=["licences"])

Reader = Annotated[Principal, Depends(readers)]
Head = Annotated[Principal, Depends(heads)]


@router.get("", response_model=Page[LicenceOut])
async def list_licences(session: DbSession, principal: Reader, page: Pagination,
                        status: Annotated[str | None, Query(max_length=20)] = None,
                        ) -> Page[LicenceOut]:
    stmt = service.visible_licences(principal)
    if status:
        stmt = stmt.where(Licence.status == status)
    return await page_of(session, stmt.order_by(Licence.issued_at, Licence.id), page, out=LicenceOut)


@router.get("/{licence_id}", response_model=LicenceOut, dependencies=[RETURNS_ETAG])
async def get_licence(licence_id: uuid.UUID, session: DbSession, principal: Reader,
                      response: Response) -> LicenceOut:
    licence = await service.get_licence(session, licence_id, principal)
    set_etag(response, licence.version)
    return LicenceOut.model_validate(licence)


async def _act(session, licence_id: uuid.UUID, principal: Principal, action: str,
               reason: str) -> LicenceOut:
    licence = await service.get_licence(session, licence_id, principal, for_update=True)
    await service.change_state(session, licence, action, reason=reason)
    return LicenceOut.model_validate(licence)


@router.post("/{licence_id}/suspend", response_model=LicenceOut)
async def suspend_licence(licence_id: uuid.UUID, body: LicenceActionIn, session: DbSession,
                          principal: Head) -> LicenceOut:
    """Suspend: customs is told at once (outbox event `licence.suspended`), debits refused."""
    return await _act(session, licence_id, principal, "suspend", body.reason)


@router.post("/{licence_id}/reinstate", response_model=LicenceOut)
async def reinstate_licence(licence_id: uuid.UUID, body: LicenceActionIn, session: DbSession,
                            principal: Head) -> LicenceOut:
    return await _act(session, licence_id, principal, "reinstate", body.reason)


@router.post("/{licence_id}/revoke", response_model=LicenceOut)
async def revoke_licence(licence_id: uuid.UUID, body: LicenceActionIn, session: DbSession,
                         principal: Head) -> LicenceOut:
    """Revoke: customs is told at once (outbox event `licence.revoked`), debits refused."""
    return await _act(session, licence_id, principal, "revoke", body.reason)


@router.post("/{licence_id}/surrender", response_model=LicenceOut)
async def surrender_licence(
    licence_id: uuid.UUID, body: LicenceActionIn, session: DbSession,
    principal: Annotated[Principal, Depends(require_roles(APPLICANT, OFFICER, HEAD))],
) -> LicenceOut:
    """The holder gives the licence up (or an officer records that it did)."""
    return await _act(session, licence_id, principal, "surrender", body.reason)


@router.post("/{licence_id}/reissue", status_code=201, response_model=LicenceOut)
async def reissue_licence(licence_id: uuid.UUID, body: ReissueIn, session: DbSession,
                          principal: Head, clock: ClockDep, settings: Settings) -> LicenceOut:
    """Replace a licence under the same decision (not a new grant in the reports)."""
    old = await service.get_licence(session, licence_id, principal, for_update=True)
    new = await service.reissue(session, old, reason=body.reason, valid_until=body.valid_until,
                                conditions=body.conditions, now=clock.now(),
                                today=today_brussels(clock),
                                validity=validity_rules(settings.licence_validity_file))
    return LicenceOut.model_validate(new)
