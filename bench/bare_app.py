"""P10's yardstick: a minimal FastAPI + asyncpg app serving the two requests the benchmark
measures on the disaster fund, doing the same work without the stack.

    uvicorn --factory bare_app:create_app --app-dir bench   (env: BARE_DATABASE_URL,
        BARE_JWKS_PATH, BARE_ISSUER, BARE_AUDIENCE)

- `GET /v1/rule-sets/{id}`: bearer JWT verified with PyJWT against the same JWKS (RS256, iss,
  aud, exp, sub required; like the service, a verified token is remembered until its `exp`,
  at most 60 s, so neither side pays the RSA check per request), a role check, ONE
  `SELECT ... WHERE id = $1` on the pool (no explicit transaction), the row written as JSON.
- `POST /v1/applications`: the same token check, the body validated by a plain pydantic model
  (unknown fields refused), and in ONE transaction the statements the submission needs: the
  Idempotency-Key advisory lock and lookup, the disaster with the rule-set catalogue stamp,
  the stored idempotent response, and the application + damage items + event + audit row +
  outbox event as one statement of data-modifying CTEs (as the service sends it); 201 with the
  dossier as JSON. Guards are the cheap ones (disaster found and published, municipality and
  date in its scope); the rest of the service's rules are pure Python on the same values.

No middleware, no ORM, no response model: what FastAPI itself costs, so that
P10 = service CPU per request / this app's CPU per request isolates the stack's own cost.
"""

import datetime as dt
import hashlib
import json
import os
import time
import uuid
from decimal import Decimal
from typing import Annotated

import asyncpg
import jwt
from fastapi import FastAPI
from fastapi import Header
from fastapi import HTTPException
from fastapi import Path
from fastapi import Request
from fastapi import Response
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

VERIFIED_TTL_S = 60.0
READ_ROLES = frozenset({"vrf.handler", "vrf.manager", "vrf.expert"})
SUBMIT_ROLES = frozenset({"vrf.citizen", "vrf.municipality", "vrf.handler", "vrf.manager"})

RULE_SET_SQL = ("SELECT id, regime, version, applies_from, applies_to, content, note, created_by, "
                "created_at FROM rule_sets WHERE id = $1")
LOCK_SQL = "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))"
IDEMPOTENCY_SQL = ("SELECT request_hash, status_code, response_body FROM idempotency_keys "
                   "WHERE client = $1 AND key = $2")
DISASTER_SQL = (
    "SELECT id, state, phenomenon, event_start, publication_date, scope_municipalities, "
    "scope_period_start, scope_period_end, (SELECT count(*) || '/' || coalesce(max(id), 0) "
    "FROM rule_sets) AS stamp FROM disasters WHERE id = $1")
STORE_SQL = ("INSERT INTO idempotency_keys (client, key, method, path, request_hash, status_code, "
             "response_body) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)")
SUBMISSION_SQL = """
WITH app AS (
  INSERT INTO applications (id, disaster_id, applicant_sub, channel, received_at, received_on,
    municipality_nis, damage_date, category, description, insured, insurance_compensation,
    crop_insurable_in_principle, priority_requested, is_late, claimed_total, state,
    state_changed_at, version, one_year_mark, paid_amount, recovered_amount, paused_days, phase,
    phase_entered_at, phase_paused_days)
  VALUES ($1, $2, $3, 'online', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, false, $14,
    'submitted', $4, 1, $15, 0, 0, 0, 'intake', $4, 0)),
items AS (
  INSERT INTO damage_items (application_id, position, description, claimed_amount)
  SELECT $1, item.position, item.description, item.claimed_amount
  FROM unnest($16::integer[], $17::text[], $18::numeric[]) AS item(position, description,
    claimed_amount)),
event AS (
  INSERT INTO application_events (application_id, occurred_at, actor, action, to_state, data)
  VALUES ($1, $4, $3, 'submitted', 'submitted', $19::jsonb)),
audit AS (
  INSERT INTO audit_events (actor, request_id, entity_type, entity_id, action, to_state, data)
  VALUES ($3, $20, 'application', $1::text, 'submitted', 'submitted', $19::jsonb))
INSERT INTO outbox_events (id, type, subject, data) VALUES ($21, 'application.submitted', $1::text,
  $22::jsonb)"""


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = Field(min_length=1, max_length=500)
    claimed_amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disaster_id: uuid.UUID
    municipality_nis: str = Field(pattern=r"^\d{5}$")
    damage_date: dt.date
    category: str = Field(max_length=30)
    description: str = Field(min_length=1, max_length=4000)
    insured: bool = False
    insurance_compensation: Decimal = Decimal("0.00")
    crop_insurable_in_principle: bool = False
    priority_requested: bool = False
    items: list[Item] = Field(min_length=1, max_length=200)


# The response's fields a new dossier has no value for (the service's response has them all).
_UNSET = dict.fromkeys((
    "dossier_number", "applicant_org", "applicant_name", "insurer_name",
    "insurer_attest_received_on", "crop_area_ha", "insured_crop_area_ha", "priority_reason",
    "late_motivation", "impediment_ended_on", "handler_sub", "expert_sub", "assessed_amount",
    "decision_version", "decided_amount", "completed_on", "completion_kind",
    "completed_on_time", "contact_email", "contact_phone", "payee_kind", "payee_name",
    "payee_iban"))


def _json_default(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)  # Decimal, UUID


def json_response(document, status_code: int = 200) -> Response:
    return Response(json.dumps(document, default=_json_default, separators=(",", ":")),
                    status_code=status_code, media_type="application/json")


class Verifier:
    def __init__(self, jwks_path: str, issuer: str, audience: str) -> None:
        keys = json.loads(open(jwks_path).read())["keys"]  # noqa: SIM115
        self.keys = {key["kid"]: jwt.PyJWK.from_dict(key) for key in keys}
        self.issuer, self.audience = issuer, audience
        self.verified: dict[str, tuple[dict, float]] = {}

    def claims(self, authorization: str | None, roles: frozenset[str]) -> dict:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "a bearer token is required")
        entry = self.verified.get(token)
        if entry is None or time.time() >= entry[1]:
            try:
                key = self.keys[jwt.get_unverified_header(token)["kid"]]
                claims = jwt.decode(token, key=key.key, algorithms=["RS256"],
                                    audience=self.audience, issuer=self.issuer, leeway=30,
                                    options={"require": ["exp", "iss", "aud", "sub"]})
            except (jwt.PyJWTError, KeyError) as exc:
                raise HTTPException(401, "token invalid") from exc
            entry = (claims, min(float(claims["exp"]), time.time() + VERIFIED_TTL_S))
            self.verified[token] = entry
        if not roles.intersection(entry[0].get("roles") or ()):
            raise HTTPException(403, "role not granted")
        return entry[0]


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def create_app() -> FastAPI:
    verifier = Verifier(os.environ["BARE_JWKS_PATH"], os.environ["BARE_ISSUER"],
                        os.environ["BARE_AUDIENCE"])
    state: dict[str, asyncpg.Pool] = {}

    async def lifespan(app: FastAPI):
        state["pool"] = await asyncpg.create_pool(os.environ["BARE_DATABASE_URL"], min_size=2,
                                                  max_size=20)
        yield
        await state["pool"].close()

    # FastAPI's native telemetry off as in the kit's apps (dkbuza_kit.app.NATIVE_TELEMETRY_OFF),
    # so P10 compares the stacks, not that switch.
    app = FastAPI(lifespan=lifespan, telemetry={"tracing": False, "metrics": False, "logs": False})

    @app.get("/readyz")
    async def readyz() -> Response:
        return json_response({"status": "ready"})

    @app.get("/v1/rule-sets/{rule_set_id}")
    async def get_rule_set(rule_set_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                           authorization: Annotated[str | None, Header()] = None) -> Response:
        verifier.claims(authorization, READ_ROLES)
        row = await state["pool"].fetchrow(RULE_SET_SQL, rule_set_id)
        if row is None:
            raise HTTPException(404, "rule set not found")
        document = dict(row)
        document["content"] = json.loads(document["content"])
        return json_response(document)

    @app.post("/v1/applications", status_code=201)
    async def submit(body: ApplicationIn, request: Request,
                     authorization: Annotated[str | None, Header()] = None,
                     idempotency_key: Annotated[str | None, Header()] = None) -> Response:
        claims = verifier.claims(authorization, SUBMIT_ROLES)
        raw = await request.body()
        request_hash = hashlib.sha256(b"POST /v1/applications\n" + raw).hexdigest()
        async with state["pool"].acquire() as conn, conn.transaction():
            return await _submit(conn, body, claims["sub"], idempotency_key, request_hash)

    return app


async def _submit(conn: asyncpg.Connection, body: ApplicationIn, sub: str, key: str | None,
                  request_hash: str) -> Response:
    if key is not None:
        if not await conn.fetchval(LOCK_SQL, json.dumps([sub, key])):
            raise HTTPException(409, "Idempotency-Key in use")
        stored = await conn.fetchrow(IDEMPOTENCY_SQL, sub, key)
        if stored is not None:
            if stored["request_hash"] != request_hash:
                raise HTTPException(422, "Idempotency-Key reused")
            return Response(stored["response_body"], status_code=stored["status_code"],
                            media_type="application/json")
    disaster = await conn.fetchrow(DISASTER_SQL, body.disaster_id)
    if disaster is None:
        raise HTTPException(404, "disaster not found")
    if (disaster["state"] not in ("published", "closed")
            or body.municipality_nis not in (disaster["scope_municipalities"] or [])
            or not disaster["scope_period_start"] <= body.damage_date
            <= disaster["scope_period_end"]):
        raise HTTPException(422, "outside the recognition scope")
    now = dt.datetime.now(dt.UTC)
    application_id, outbox_id = uuid.uuid4(), uuid.uuid4()
    claimed_total = sum((item.claimed_amount for item in body.items), Decimal("0.00"))
    one_year_mark = add_months(disaster["publication_date"], 12)
    items = [{"position": n, "description": item.description,
              "claimed_amount": item.claimed_amount} for n, item in enumerate(body.items, 1)]
    document = {**_UNSET, "id": application_id, "disaster_id": disaster["id"],
                "applicant_sub": sub, "channel": "online", "received_at": now,
                "municipality_nis": body.municipality_nis, "damage_date": body.damage_date,
                "category": body.category, "description": body.description,
                "insured": body.insured, "insurance_compensation": body.insurance_compensation,
                "crop_insurable_in_principle": body.crop_insurable_in_principle,
                "priority_requested": body.priority_requested, "is_late": False,
                "claimed_total": claimed_total, "state": "submitted", "state_changed_at": now,
                "version": 1, "paid_amount": Decimal("0.00"), "recovered_amount": Decimal("0.00"),
                "one_year_mark": one_year_mark, "phase": "intake", "items": items}
    payload = json.dumps(document, default=_json_default, separators=(",", ":"))
    if key is not None:
        await conn.execute(STORE_SQL, sub, key, "POST", "/v1/applications", request_hash, 201,
                           payload)
    await conn.execute(
        SUBMISSION_SQL, application_id, disaster["id"], sub, now, now.date(),
        body.municipality_nis, body.damage_date, body.category, body.description, body.insured,
        body.insurance_compensation, body.crop_insurable_in_principle, body.priority_requested,
        claimed_total, one_year_mark, [i["position"] for i in items],
        [i["description"] for i in items], [i["claimed_amount"] for i in items],
        json.dumps({"channel": "online", "late": False}), uuid.uuid4().hex,
        outbox_id, json.dumps({"disaster_id": str(disaster["id"]), "late": False}))
    return Response(payload, status_code=201, media_type="application/json")
