"""Routes for the documents of one owning object type, access exactly as the owner.

`authorize(session, principal, owner_id, write)` is the service's own object-level check: it
raises the owner's 404 when the caller may not see the owner (and 403 when it may see but not
change it) and returns the owner's organisation (for event scoping).
"""

import uuid
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from fastapi import File
from fastapi import Form
from fastapi import Request
from fastapi import UploadFile
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import ClockDep
from dkbuza_kit.db import DbSession
from dkbuza_kit.documents import service
from dkbuza_kit.documents.kinds import DocumentKind
from dkbuza_kit.documents.service import DocumentErrors
from dkbuza_kit.documents.storage import CHUNK
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel

Authorize = Callable[[AsyncSession, Any, str, bool], Awaitable[str | None]]


class DocumentOut(OutputModel):
    id: uuid.UUID
    owner_type: str
    owner_id: str
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    source: str
    uploaded_by: str
    uploaded_at: datetime
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawal_reason: str | None


class WithdrawalIn(InputModel):
    reason: str = Field(min_length=3, max_length=2000)


class _Chunks:
    def __init__(self, upload: UploadFile) -> None:
        self.upload = upload

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while chunk := await self.upload.read(CHUNK):
            yield chunk


@dataclass(frozen=True)
class _Owner:
    """What the routes of one owning object type need to know about it."""

    owner_type: str
    path: str
    name: str
    model: type
    kinds: Mapping[str, DocumentKind]
    authorize: Authorize


def _storage(request: Request):
    return request.app.state.document_storage


def documents_router(*, owner_type: str, path: str, tag: str, name: str, model: type,
                     kinds: Mapping[str, DocumentKind], authorize: Authorize,
                     read_roles: Sequence[str], write_roles: Sequence[str]) -> APIRouter:
    """`path` names the owner id `{owner_id}`, e.g. `/v1/applications/{owner_id}/documents`.

    `read_roles`/`write_roles` are checked first (403 for any other role, as on every route);
    `authorize` then applies the owner's object-level rule."""
    router = APIRouter(tags=[tag])
    owner = _Owner(owner_type, path, name, model, kinds, authorize)
    reader, writer = Depends(require_roles(*read_roles)), Depends(require_roles(*write_roles))
    _add_upload(router, owner, writer)
    _add_reads(router, owner, reader)
    _add_withdrawal(router, owner, writer)
    return router


def _add_upload(router: APIRouter, owner: _Owner, writer) -> None:
    Writer = Annotated[Any, writer]
    kinds = owner.kinds
    kind_list = ", ".join(f"`{k.name}` ({k.label_nl})" for k in kinds.values())

    @router.post(owner.path, status_code=201, response_model=DocumentOut,
                 name=f"{owner.name}-upload",
                 responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND, KitErrors.VALIDATION_ERROR,
                                     DocumentErrors.DOCUMENT_KIND_UNKNOWN,
                                     DocumentErrors.DOCUMENT_TYPE_MISMATCH,
                                     DocumentErrors.DOCUMENT_TOO_LARGE,
                                     DocumentErrors.DOCUMENT_EMPTY))
    async def upload(owner_id: str, request: Request, session: DbSession, principal: Writer,
                     file: Annotated[UploadFile, File()],
                     kind: Annotated[str, Form(description=f"one of: {kind_list}")]) -> Any:
        """Attach a document; its type is detected from the bytes and must fit the kind."""
        org = await owner.authorize(session, principal, owner_id, True)
        if kind not in kinds:
            raise DocumentErrors.DOCUMENT_KIND_UNKNOWN(
                f"unknown kind {kind!r}; accepted: {sorted(kinds)}", accepted=sorted(kinds))
        return await service.store_document(
            session, _storage(request), owner.model, owner_type=owner.owner_type,
            owner_id=owner_id, owner_org=org, kind=kinds[kind],
            filename=file.filename or "document", declared_type=file.content_type,
            chunks=_Chunks(file), actor=principal)


def _add_reads(router: APIRouter, owner: _Owner, reader) -> None:
    Reader = Annotated[Any, reader]
    errors = responses(*AUTH_ERRORS, KitErrors.NOT_FOUND, DocumentErrors.DOCUMENT_NOT_FOUND)

    @router.get(owner.path, response_model=list[DocumentOut], name=f"{owner.name}-list",
                responses=errors)
    async def list_documents(owner_id: str, session: DbSession, principal: Reader) -> Any:
        """Every document of the object, withdrawn ones included (marked)."""
        await owner.authorize(session, principal, owner_id, False)
        return await service.list_documents(session, owner.model, owner.owner_type, owner_id)

    @router.get(owner.path + "/{document_id}/content", name=f"{owner.name}-download",
                response_class=Response,
                responses={**errors, 200: {"description": "The document's bytes",
                                           "content": {"application/octet-stream": {}}}})
    async def download(owner_id: str, document_id: uuid.UUID, request: Request,
                       session: DbSession, principal: Reader) -> Response:
        """The bytes, verified against the stored SHA-256 before they are sent."""
        await owner.authorize(session, principal, owner_id, False)
        document = await service.get_document(session, owner.model, owner.owner_type, owner_id,
                                              document_id)
        content = await service.read_verified(_storage(request), document)
        return Response(content, media_type=document.media_type, headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "ETag": f'"{document.sha256}"', "X-Content-Type-Options": "nosniff"})


def _add_withdrawal(router: APIRouter, owner: _Owner, writer) -> None:
    Writer = Annotated[Any, writer]

    @router.post(owner.path + "/{document_id}/withdrawal", response_model=DocumentOut,
                 name=f"{owner.name}-withdraw",
                 responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND, KitErrors.VALIDATION_ERROR,
                                     DocumentErrors.DOCUMENT_NOT_FOUND,
                                     DocumentErrors.DOCUMENT_WITHDRAWN))
    async def withdraw(owner_id: str, document_id: uuid.UUID, body: WithdrawalIn,
                       session: DbSession, clock: ClockDep, principal: Writer) -> Any:
        """Withdraw a document with a reason; the row and the bytes are kept."""
        org = await owner.authorize(session, principal, owner_id, True)
        document = await service.get_document(session, owner.model, owner.owner_type, owner_id,
                                              document_id)
        await service.withdraw_document(session, document, actor=principal, reason=body.reason,
                                        now=clock.now(), owner_org=org)
        return document
