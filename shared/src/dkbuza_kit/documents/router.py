"""Routes for the documents of one owning object type, access exactly as the owner.

`authorize(session, principal, owner_id, write)` is the service's own object-level check: it
raises the owner's 404 when the caller may not see the owner (and 403 when it may see but not
change it) and returns the owner's organisation (for event scoping).
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.auth import CurrentPrincipal
from dkbuza_kit.clock import ClockDep
from dkbuza_kit.db import DbSession
from dkbuza_kit.documents import service
from dkbuza_kit.documents.kinds import DocumentKind
from dkbuza_kit.documents.service import DocumentErrors
from dkbuza_kit.documents.storage import CHUNK
from dkbuza_kit.errors import AUTH_ERRORS, KitErrors, responses
from dkbuza_kit.schemas import InputModel, OutputModel

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


def documents_router(*, owner_type: str, path: str, tag: str, name: str, model: type,
                     kinds: Mapping[str, DocumentKind], authorize: Authorize) -> APIRouter:
    """`path` names the owner id `{owner_id}`, e.g. `/v1/applications/{owner_id}/documents`."""
    router = APIRouter(tags=[tag])
    kind_list = ", ".join(f"`{k.name}` ({k.label_nl})" for k in kinds.values())
    errors = responses(*AUTH_ERRORS, KitErrors.NOT_FOUND, DocumentErrors.DOCUMENT_NOT_FOUND)

    def storage(request: Request):
        return request.app.state.document_storage

    @router.post(path, status_code=201, response_model=DocumentOut, name=f"{name}-upload",
                 responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND, KitErrors.VALIDATION_ERROR,
                                     DocumentErrors.DOCUMENT_KIND_UNKNOWN,
                                     DocumentErrors.DOCUMENT_TYPE_MISMATCH,
                                     DocumentErrors.DOCUMENT_TOO_LARGE,
                                     DocumentErrors.DOCUMENT_EMPTY))
    async def upload(owner_id: str, request: Request, session: DbSession,
                     principal: CurrentPrincipal,
                     file: Annotated[UploadFile, File()],
                     kind: Annotated[str, Form(description=f"one of: {kind_list}")]) -> Any:
        """Attach a document; its type is detected from the bytes and must fit the kind."""
        org = await authorize(session, principal, owner_id, True)
        if kind not in kinds:
            raise DocumentErrors.DOCUMENT_KIND_UNKNOWN(
                f"unknown kind {kind!r}; accepted: {sorted(kinds)}", accepted=sorted(kinds))
        return await service.store_document(
            session, storage(request), model, owner_type=owner_type, owner_id=owner_id,
            owner_org=org, kind=kinds[kind], filename=file.filename or "document",
            declared_type=file.content_type, chunks=_Chunks(file), actor=principal)

    @router.get(path, response_model=list[DocumentOut], name=f"{name}-list", responses=errors)
    async def list_documents(owner_id: str, session: DbSession,
                             principal: CurrentPrincipal) -> Any:
        """Every document of the object, withdrawn ones included (marked)."""
        await authorize(session, principal, owner_id, False)
        return await service.list_documents(session, model, owner_type, owner_id)

    @router.get(path + "/{document_id}/content", name=f"{name}-download",
                response_class=Response,
                responses={**errors, 200: {"description": "The document's bytes",
                                           "content": {"application/octet-stream": {}}}})
    async def download(owner_id: str, document_id: uuid.UUID, request: Request,
                       session: DbSession,
                       principal: CurrentPrincipal) -> Response:
        """The bytes, verified against the stored SHA-256 before they are sent."""
        await authorize(session, principal, owner_id, False)
        document = await service.get_document(session, model, owner_type, owner_id, document_id)
        content = await service.read_verified(storage(request), document)
        return Response(content, media_type=document.media_type, headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "ETag": f'"{document.sha256}"', "X-Content-Type-Options": "nosniff"})

    @router.post(path + "/{document_id}/withdrawal", response_model=DocumentOut,
                 name=f"{name}-withdraw",
                 responses=responses(*AUTH_ERRORS, KitErrors.NOT_FOUND, KitErrors.VALIDATION_ERROR,
                                     DocumentErrors.DOCUMENT_NOT_FOUND,
                                     DocumentErrors.DOCUMENT_WITHDRAWN))
    async def withdraw(owner_id: str, document_id: uuid.UUID, body: WithdrawalIn,
                       session: DbSession, clock: ClockDep,
                       principal: CurrentPrincipal) -> Any:
        """Withdraw a document with a reason; the row and the bytes are kept."""
        org = await authorize(session, principal, owner_id, True)
        document = await service.get_document(session, model, owner_type, owner_id, document_id)
        await service.withdraw_document(session, document, actor=principal, reason=body.reason,
                                        now=clock.now(), owner_org=org)
        return document

    return router
