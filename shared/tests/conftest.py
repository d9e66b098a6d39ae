"""A small app built with the kit, exercising each kit feature through HTTP."""

import asyncio
import socket
from pathlib import Path
from typing import Annotated

import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import APIRouter
from fastapi import Depends
from fastapi import Request
from fastapi import Response
from pydantic import BaseModel
from pydantic import ConfigDict
from sqlalchemy.orm import DeclarativeBase

from dkbuza_dev.testing import ServiceHarness
from dkbuza_kit.app import create_app
from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.concurrency import check_if_match
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.documents.kinds import JPEG
from dkbuza_kit.documents.kinds import PDF
from dkbuza_kit.documents.kinds import PNG
from dkbuza_kit.documents.kinds import TEXT
from dkbuza_kit.documents.kinds import DocumentKind
from dkbuza_kit.documents.models import DocumentMixin
from dkbuza_kit.documents.router import documents_router
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.kpis import Direction
from dkbuza_kit.kpis import KpiPeriod
from dkbuza_kit.kpis import KpiUnit
from dkbuza_kit.kpis import kpi
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import paginate
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.settings import ServiceSettings
from dkbuza_kit.timeouts import TRANSACTIONAL_READ
from dkbuza_kit.webhooks import TargetPolicy
from dkbuza_kit.webhooks import webhook_router

KIT_APP_INI = Path(__file__).parent / "kit_app" / "alembic.ini"
widgets = sa.table("widgets", sa.column("id"), sa.column("name"), sa.column("version"))


class WidgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    slow: bool = False


class WidgetOut(BaseModel):
    id: int
    name: str
    version: int


def build_router() -> APIRouter:
    router = APIRouter(tags=["widgets"])
    writer = require_roles("kit.writer")

    @router.post("/v1/widgets", status_code=201, response_model=WidgetOut)
    async def create_widget(body: WidgetIn, session: DbSession, idem: IdempotencyDep,
                            principal: Annotated[Principal, Depends(writer)]):
        if idem.replay is not None:
            return idem.replay
        if body.slow:
            await asyncio.sleep(0.5)
        row = (await session.execute(
            sa.insert(widgets).values(name=body.name, version=1).returning(
                widgets.c.id, widgets.c.name, widgets.c.version))).one()
        await record_audit(session, entity_type="widget", entity_id=row.id, action="created",
                           to_state="active")
        await emit_event(session, "widget.created", subject=row.id, data={"name": row.name},
                         org=principal.org)
        if body.name == "explode-after-write":
            raise ProblemError(422, "WIDGET_REFUSED", "refused after the insert")
        return await idem.respond(201, WidgetOut(**row._mapping))

    @router.get("/v1/widgets", response_model=Page[WidgetOut])
    async def list_widgets(session: DbSession, page: Pagination):
        rows, total = await paginate(session, sa.select(widgets).order_by(widgets.c.id), page,
                                     scalars=False)
        return Page(items=[WidgetOut(**r._mapping) for r in rows], total=total,
                    limit=page.limit, offset=page.offset)

    # A GET that writes (to provoke the database's errors): it asks for a transaction.
    @router.get("/v1/crash", name="crash", dependencies=[TRANSACTIONAL_READ])
    async def crash(kind: str, session: DbSession):
        """Failure modes that must never surface as an unexplained 500 (or leak a trace)."""
        if kind == "int-overflow":
            await session.execute(sa.text("SELECT CAST(:x AS int4)"), {"x": 2**40})
        elif kind == "duplicate":
            await session.execute(sa.text("INSERT INTO widgets (id, name, version) VALUES (1, 'a', 1)"))
            await session.execute(sa.text("INSERT INTO widgets (id, name, version) VALUES (1, 'b', 1)"))
        raise RuntimeError("secret internal detail")

    # A GET that installs a default on first use, like export control's packaged lists.
    @router.get("/v1/widgets-default", dependencies=[TRANSACTIONAL_READ])
    async def default_widget(session: DbSession):
        await session.execute(sa.insert(widgets).values(name="default", version=1))
        return {"installed": True}

    @router.get("/v1/widgets/{widget_id}", response_model=WidgetOut)
    async def get_widget(widget_id: int, session: DbSession, response: Response):
        row = (await session.execute(sa.select(widgets).where(widgets.c.id == widget_id))).first()
        if row is None:
            raise ProblemError(404, "WIDGET_NOT_FOUND", "no such widget")
        set_etag(response, row.version)
        return WidgetOut(**row._mapping)

    @router.put("/v1/widgets/{widget_id}", response_model=WidgetOut)
    async def rename_widget(widget_id: int, body: WidgetIn, request: Request,
                            session: DbSession, response: Response,
                            _: Annotated[Principal, Depends(writer)]):
        row = (await session.execute(
            sa.select(widgets).where(widgets.c.id == widget_id).with_for_update())).first()
        if row is None:
            raise ProblemError(404, "WIDGET_NOT_FOUND", "no such widget")
        check_if_match(request, row.version)
        updated = (await session.execute(
            sa.update(widgets).where(widgets.c.id == widget_id)
            .values(name=body.name, version=row.version + 1)
            .returning(widgets.c.id, widgets.c.name, widgets.c.version))).one()
        set_etag(response, updated.version)
        return WidgetOut(**updated._mapping)

    return router


async def widget_kpis(session, clock):
    count = await session.scalar(sa.select(sa.func.count()).select_from(widgets))
    return [kpi(id="widgets_total", title_nl="Aantal widgets", title_en="Widgets", unit=KpiUnit.count,
                value=count, target=None, direction=Direction.higher_is_better,
                period=KpiPeriod.since_start(today_brussels(clock)), computed_at=clock.now())]


class KitAppBase(DeclarativeBase):
    pass


class WidgetDocument(DocumentMixin, KitAppBase):
    __tablename__ = "documents"


WIDGET_DOCUMENT_KINDS = {
    "photo": DocumentKind("photo", "foto", frozenset({JPEG, PNG}), max_bytes=4096),
    "statement": DocumentKind("statement", "verklaring", frozenset({PDF, TEXT})),
}


async def authorize_widget(session, principal, owner_id: str, write: bool) -> str | None:
    """A widget's documents are visible to the organisation named like the widget."""
    name = await session.scalar(sa.select(widgets.c.name).where(
        widgets.c.id == int(owner_id) if owner_id.isdigit() else sa.false()))
    if name is None or (name.startswith("org-") and name != f"org-{principal.org}"):
        raise ProblemError(404, "WIDGET_NOT_FOUND", "widget not found")
    if write and not principal.has_any("kit.writer"):
        raise ProblemError(403, "FORBIDDEN", "requires kit.writer")
    return principal.org


def create_kit_app(settings: ServiceSettings):
    webhooks = webhook_router(event_types=["widget.created"], roles=["kit.writer"])
    documents = documents_router(owner_type="widget", path="/v1/widgets/{owner_id}/documents",
                                 tag="widgets", name="widget-documents", model=WidgetDocument,
                                 kinds=WIDGET_DOCUMENT_KINDS, authorize=authorize_widget,
                                 read_roles=("kit.reader", "kit.writer"),
                                 write_roles=("kit.writer",))
    return create_app(settings, title="Kit test app",
                      routers=[build_router(), webhooks, documents],
                      kpi_provider=widget_kpis, alembic_ini=KIT_APP_INI, version="test")


@pytest.fixture(scope="session")
async def harness(pg_server_url, signing_key):
    async with ServiceHarness.start(
        pg_server_url, signing_key, name="kit", create_app=create_kit_app,
        settings_cls=ServiceSettings, alembic_ini=KIT_APP_INI, max_body_bytes=2048,
    ) as running:
        yield running


@pytest.fixture
async def client(harness):
    await harness.reset()
    return harness.client


# --- webhook receivers (real HTTP servers on loopback) ----------------------------------------

@pytest.fixture
async def serve():
    """`await serve(receiver)` -> the URL of a uvicorn server on 127.0.0.1 running it."""
    servers = []

    async def start(app) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                               timeout_graceful_shutdown=1))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:  # noqa: ASYNC110  (uvicorn exposes no started event)
            await asyncio.sleep(0.01)
        servers.append((app, server, task))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/hook"

    yield start
    for app, server, task in servers:
        if hasattr(app, "release"):
            app.release.set()
        server.should_exit = True
        await task


DEV_TARGETS = TargetPolicy(allow_loopback_http=True)


@pytest.fixture
def dev_targets(harness):
    """The development setting on (loopback receivers allowed), for this test only."""
    previous = harness.app.state.webhook_targets
    harness.app.state.webhook_targets = DEV_TARGETS
    yield DEV_TARGETS
    harness.app.state.webhook_targets = previous
