"""Store, list, read and withdraw documents; every change audited and announced."""

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.documents.kinds import DocumentKind
from dkbuza_kit.documents.kinds import detect_media_type
from dkbuza_kit.documents.kinds import matches
from dkbuza_kit.documents.storage import DocumentStorage
from dkbuza_kit.documents.storage import TooLarge
from dkbuza_kit.errors import ErrorCatalogue
from dkbuza_kit.errors import ErrorCode
from dkbuza_kit.errors import KitErrors

SNIFF_BYTES = 8192


def owner_uuid(owner_id: str, what: str) -> uuid.UUID:
    """The owner id of a documents path as a UUID; one that is none names no owner (404)."""
    try:
        return uuid.UUID(owner_id)
    except ValueError:
        raise KitErrors.NOT_FOUND(f"{what} not found") from None


class DocumentErrors(ErrorCatalogue):
    DOCUMENT_KIND_UNKNOWN = ErrorCode(422, "Unknown document kind")
    DOCUMENT_TYPE_MISMATCH = ErrorCode(415, "The file's content does not match its kind")
    DOCUMENT_TOO_LARGE = ErrorCode(413, "The document exceeds its kind's size limit")
    DOCUMENT_EMPTY = ErrorCode(422, "The document is empty")
    DOCUMENT_NOT_FOUND = ErrorCode(404, "Document not found")
    DOCUMENT_WITHDRAWN = ErrorCode(409, "The document was withdrawn")
    DOCUMENT_CORRUPTED = ErrorCode(500, "The stored document no longer matches its hash")


async def _sniffed(chunks: AsyncIterator[bytes], kind: DocumentKind, declared: str | None,
                   found: dict[str, str]) -> AsyncIterator[bytes]:
    """Pass the chunks on, checking the first bytes against the kind before any are stored."""
    head, checked = b"", False
    async for chunk in chunks:
        if checked:
            yield chunk
            continue
        head += chunk
        if len(head) >= SNIFF_BYTES:
            found["media_type"] = _check(kind, declared, head)
            checked = True
            yield head
    if not checked:
        if not head:
            raise DocumentErrors.DOCUMENT_EMPTY()
        found["media_type"] = _check(kind, declared, head)
        yield head


def _check(kind: DocumentKind, declared: str | None, head: bytes) -> str:
    detected = detect_media_type(head[:SNIFF_BYTES])
    media_type = matches(kind, declared, detected)
    if media_type is None:
        raise DocumentErrors.DOCUMENT_TYPE_MISMATCH(
            f"a {kind.name} must be one of {sorted(kind.media_types)}; the file is "
            f"{detected or 'of an unknown type'} (declared {declared or 'nothing'})",
            detected=detected, declared=declared, accepted=sorted(kind.media_types))
    return media_type


async def store_document(session: AsyncSession, storage: DocumentStorage, model: type, *,
                         owner_type: str, owner_id: str, owner_org: str | None,
                         kind: DocumentKind, filename: str, declared_type: str | None,
                         chunks: AsyncIterator[bytes], actor: Any, source: str = "uploaded"):
    """Stream the bytes to storage (checked, hashed, bounded), then record the row; the row
    exists only if the transaction commits, and no row points at half-stored bytes."""
    found: dict[str, str] = {}
    try:
        blob = await storage.put(_sniffed(chunks, kind, declared_type, found),
                                 max_bytes=kind.max_bytes)
    except TooLarge as exc:
        raise DocumentErrors.DOCUMENT_TOO_LARGE(
            f"a {kind.name} may be at most {exc.limit} bytes", limit=exc.limit) from None
    document = model(owner_type=owner_type, owner_id=owner_id, kind=kind.name,
                     filename=_safe_name(filename), media_type=found["media_type"],
                     size=blob.size, sha256=blob.sha256, storage_key=blob.key, source=source,
                     uploaded_by=actor.sub)
    await add_audited(session, document, entity_type="document", action=f"document.{source}",
                      actor=actor.sub, actor_org=actor.org,
                      data={"owner_type": owner_type, "owner_id": owner_id, "kind": kind.name,
                            "sha256": blob.sha256, "size": blob.size})
    await emit_event(session, "document.stored", subject=document.id, org=owner_org,
                     data={"owner_type": owner_type, "owner_id": owner_id, "kind": kind.name,
                           "document_id": str(document.id), "media_type": document.media_type,
                           "source": source})
    return document


def _safe_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    return "".join(ch for ch in name if ch.isprintable())[:255]


async def list_documents(session: AsyncSession, model: type, owner_type: str, owner_id: str,
                         *, include_withdrawn: bool = True) -> list:
    stmt = (select(model).where(model.owner_type == owner_type, model.owner_id == owner_id)
            .order_by(model.uploaded_at, model.id))
    if not include_withdrawn:
        stmt = stmt.where(model.withdrawn_at.is_(None))
    return list((await session.scalars(stmt)).all())


async def get_document(session: AsyncSession, model: type, owner_type: str, owner_id: str,
                       document_id: Any):
    document = await session.get(model, document_id)
    if document is None or (document.owner_type, document.owner_id) != (owner_type, owner_id):
        raise DocumentErrors.DOCUMENT_NOT_FOUND()
    return document


async def read_verified(storage: DocumentStorage, document: Any) -> bytes:
    """The bytes, checked against the stored SHA-256 before anyone gets them."""
    content = await storage.read(document.storage_key)
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise DocumentErrors.DOCUMENT_CORRUPTED(
            "the stored bytes do not match the document's SHA-256; it is not served")
    return content


async def withdraw_document(session: AsyncSession, document: Any, *, actor: Any, reason: str,
                            now: datetime, owner_org: str | None) -> None:
    if document.withdrawn_at is not None:
        raise DocumentErrors.DOCUMENT_WITHDRAWN()
    document.withdrawn_at, document.withdrawn_by = now, actor.sub
    document.withdrawal_reason = reason
    await record_audit(session, actor=actor.sub, actor_org=actor.org, entity_type="document",
                       entity_id=str(document.id), action="document.withdrawn", reason=reason)
    await emit_event(session, "document.withdrawn", subject=document.id, org=owner_org,
                     data={"owner_type": document.owner_type, "owner_id": document.owner_id,
                           "document_id": str(document.id), "kind": document.kind})
