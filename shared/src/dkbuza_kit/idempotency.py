"""Idempotency-Key for POSTs that create cases, money movements or ledger entries.

Semantics (IETF httpapi idempotency-key draft), scoped per client (token subject):
- same key, same body, earlier request completed -> the stored response is replayed;
- same key, different body -> 422 IDEMPOTENCY_KEY_REUSED;
- same key while the first request is still running -> 409 IDEMPOTENCY_KEY_IN_USE.
A transaction-scoped advisory lock on (client, key) detects the concurrent case; the stored
response is written in the same transaction as the change it describes, so a key is never
recorded for work that rolled back.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated
from typing import Any

from fastapi import Depends
from fastapi import Header
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.auth import authenticate_request
from dkbuza_kit.db import DbSession
from dkbuza_kit.models import IdempotencyRecord
from dkbuza_kit.problems import ProblemError

HEADER = "Idempotency-Key"

# Built once: a statement made per request pays SQLAlchemy's cache-key walk every time.
_records = IdempotencyRecord.__table__
_LOCK = select(func.pg_try_advisory_xact_lock(func.hashtextextended(bindparam("lock_id"), 0)))
_STORED = select(_records.c.request_hash, _records.c.status_code, _records.c.response_body
                 ).where(_records.c.client == bindparam("client"),
                         _records.c.key == bindparam("key"))
_STORE = _records.insert()


@dataclass
class Idempotency:
    session: Any
    client: str
    key: str | None
    method: str
    path: str
    request_hash: str
    replay: JSONResponse | None = None

    async def respond(self, status_code: int, body: Any,
                      headers: dict[str, str] | None = None) -> Response:
        """Store (when a key was given) and return the response of the first execution."""
        if isinstance(body, BaseModel):  # pydantic's own serialiser, one pass each
            payload = body.model_dump(mode="json", by_alias=True)
            response: Response = Response(body.model_dump_json(by_alias=True),
                                          status_code=status_code,
                                          headers=headers, media_type="application/json")
        else:
            payload = jsonable_encoder(body)
            response = JSONResponse(payload, status_code=status_code, headers=headers)
        if self.key is not None:
            await self.session.execute(_STORE, {
                "client": self.client, "key": self.key, "method": self.method, "path": self.path,
                "request_hash": self.request_hash, "status_code": status_code,
                "response_body": payload})
        return response


async def _idempotency(
    request: Request, session: DbSession,
    key: Annotated[str | None, Header(
        alias=HEADER, description="A unique key per intended change (1-200 characters): "
        "a retry with the same key and body replays the first answer")] = None,
) -> Idempotency:
    # From the request, not `CurrentPrincipal`: see `dkbuza_kit.auth.authenticates`.
    principal = await authenticate_request(request)
    body = await request.body()
    request_hash = hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + body
    ).hexdigest()
    idem = Idempotency(session=session, client=principal.sub, key=key, method=request.method,
                       path=request.url.path, request_hash=request_hash)
    if key is None:
        return idem
    if not 1 <= len(key) <= 200:
        raise ProblemError(400, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key must be 1-200 chars")
    lock_id = json.dumps([principal.sub, key])
    if not await session.scalar(_LOCK, {"lock_id": lock_id}):
        raise ProblemError(409, "IDEMPOTENCY_KEY_IN_USE",
                           "a request with this Idempotency-Key is still being processed")
    # A statement after the lock: its snapshot sees a concurrent request's commit.
    stored = (await session.execute(_STORED, {"client": principal.sub, "key": key})).first()
    if stored is not None:
        if stored.request_hash != request_hash:
            raise ProblemError(422, "IDEMPOTENCY_KEY_REUSED",
                               "this Idempotency-Key was used with a different request")
        idem.replay = JSONResponse(stored.response_body, status_code=stored.status_code,
                                   headers={"Idempotent-Replayed": "true"})
    return idem


IdempotencyDep = Annotated[Idempotency, Depends(_idempotency)]
