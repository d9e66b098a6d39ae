"""HTTP routes of applications."""

import uuid
from typing import Annotated
from typing import TypeVar

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Request
from fastapi import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles
from dkbuza_kit.calendar import brussels_date
from dkbuza_kit.concurrency import lock_for_change
from dkbuza_kit.concurrency import set_etag
from dkbuza_kit.db import DbSession
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.errors import responses
from dkbuza_kit.idempotency import IdempotencyDep
from dkbuza_kit.openapi import IF_MATCH
from dkbuza_kit.openapi import RETURNS_ETAG
from dkbuza_kit.statemachine import illegal_transition
from export_control.applications import decision as decisions
from export_control.applications import figures
from export_control.applications import history
from export_control.applications import service
from export_control.applications.models import Advice
from export_control.applications.models import Application
from export_control.applications.models import Decision
from export_control.applications.models import InformationRequest
from export_control.applications.schemas import AdviceIn
from export_control.applications.schemas import AdviceOut
from export_control.applications.schemas import ApplicationIn
from export_control.applications.schemas import ApplicationOut
from export_control.applications.schemas import DecisionIn
from export_control.applications.schemas import DecisionOut
from export_control.applications.schemas import HistoryImportIn
from export_control.applications.schemas import InformationAnswerIn
from export_control.applications.schemas import InformationRequestIn
from export_control.applications.schemas import InformationRequestOut
from export_control.applications.schemas import TransitionIn
from export_control.applications.schemas import TurnaroundOut
from export_control.deps import ClockDep
from export_control.deps import Settings
from export_control.errors import Errors
from export_control.roles import APPLICANT
from export_control.roles import HEAD
from export_control.roles import MINISTER
from export_control.roles import OFFICER
from export_control.roles import REOPEN
from export_control.roles import case_workers
from export_control.roles import heads
from export_control.roles import org_scope
from export_control.roles import readers
from export_control.routing.service import route_application
from export_control.screening import service as screening
from export_control.screening.models import ScreeningHit
from export_control.screening.schemas import ScreeningHitOut
from export_control.screening.schemas import ScreeningResolutionIn

router = APIRouter(prefix="/v1/applications", tags=["applications"])

Reader = Annotated[Principal, Depends(readers)]
HeadOnly = Annotated[Principal, Depends(heads)]
CaseWorker = Annotated[Principal, Depends(case_workers)]
Filer = Annotated[Principal, Depends(require_roles(APPLICANT, OFFICER, HEAD))]
Mover = Annotated[Principal, Depends(require_roles(APPLICANT, OFFICER, HEAD, MINISTER,
                                                   REOPEN))]
Decider = Annotated[Principal, Depends(require_roles(HEAD, MINISTER))]
OutT = TypeVar("OutT", bound=BaseModel)


def _out(app: Application) -> ApplicationOut:
    return ApplicationOut.model_validate(app)


async def _children(session: AsyncSession, app: Application, when: InstrumentedAttribute,
                    out: type[OutT]) -> list[OutT]:
    """The rows of `when`'s table that belong to the application, oldest first (`when`, then id)."""
    model = when.class_
    rows = (await session.scalars(select(model).where(model.application_id == app.id)
                                  .order_by(when, model.id))).all()
    return [out.model_validate(row) for row in rows]


@router.post("", status_code=201, response_model=ApplicationOut)
async def create_application(body: ApplicationIn, session: DbSession, principal: Filer,
                             idem: IdempotencyDep, clock: ClockDep):
    """Create a draft (ontwerp). An applicant files for its own organisation (token `org`)."""
    if idem.replay is not None:
        return idem.replay
    app = await service.create_draft(session, body, principal, clock.now())
    return await idem.respond(201, _out(app), headers={"ETag": f'"{app.version}"'})


@router.post("/history", status_code=201, response_model=list[ApplicationOut],
             responses=responses(Errors.HISTORY_INVALID, Errors.REFUSAL_CRITERIA_REQUIRED,
                                 Errors.INVALID_CONTROL_LIST_ENTRY, Errors.REGIME_MISMATCH,
                                 KitErrors.DATE_IN_FUTURE, KitErrors.DATE_BEFORE_PREDECESSOR,
                                 KitErrors.VALIDATION_ERROR, *AUTH_ERRORS))
async def import_history(body: HistoryImportIn, session: DbSession, principal: HeadOnly,
                         clock: ClockDep) -> list[ApplicationOut]:
    """Recording the past: historic applications with their decision, all or nothing
    (csg.head; audited as `history_imported`)."""
    apps = await history.import_history(session, body.applications, principal=principal,
                                        now=clock.now())
    return [_out(app) for app in apps]


@router.get("/{application_id}", response_model=ApplicationOut, dependencies=[RETURNS_ETAG])
async def get_application(application_id: uuid.UUID, session: DbSession, principal: Reader,
                          response: Response) -> ApplicationOut:
    app = await service.get_application(session, application_id, principal)
    set_etag(response, app.version)
    return _out(app)


@router.put("/{application_id}", response_model=ApplicationOut, dependencies=[IF_MATCH])
async def replace_application(application_id: uuid.UUID, body: ApplicationIn,
                              request: Request, response: Response, session: DbSession,
                              principal: Filer, clock: ClockDep) -> ApplicationOut:
    """Replace the content of a draft (or of a case with an open information request that
    allows changes). Requires If-Match."""
    await service.get_application(session, application_id, principal)  # others': 404 first
    # The row lock, then If-Match against the locked version (the ORM's version_id_col bumps it).
    app = await lock_for_change(session, Application, application_id, request,
                                what="application")
    app = await service.replace_content(session, app, body, principal, clock.now())
    set_etag(response, app.version)
    return _out(app)


@router.post("/{application_id}/transitions", response_model=ApplicationOut,
             responses=responses(Errors.END_USER_REQUIRED, Errors.REQUIRED_DOCUMENTS_MISSING,
                                 Errors.ADVICE_MISSING, Errors.REASON_REQUIRED))
async def transition_application(application_id: uuid.UUID, body: TransitionIn,
                                 session: DbSession, principal: Mover, clock: ClockDep,
                                 settings: Settings) -> ApplicationOut:
    """Move along the transition table (any other move: 409 ILLEGAL_TRANSITION)."""
    app = await service.get_application(session, application_id, principal, for_update=True)
    if org_scope(principal) is not None and body.to not in ("submitted", "withdrawn"):
        raise KitErrors.FORBIDDEN("an applicant only submits or withdraws")
    app = await service.transition(session, app, body.to, principal=principal,
                                   reason=body.reason, settings=settings, now=clock.now())
    return _out(app)


@router.post("/{application_id}/information-requests", status_code=201,
             response_model=InformationRequestOut)
async def request_information(application_id: uuid.UUID, body: InformationRequestIn,
                              session: DbSession, principal: CaseWorker,
                              clock: ClockDep) -> InformationRequestOut:
    """Ask the applicant for information: the turnaround clock pauses until it is answered."""
    app = await service.get_application(session, application_id, principal, for_update=True)
    request = await service.open_information_request(session, app, body, actor=principal.sub,
                                                     now=clock.now())
    return InformationRequestOut.model_validate(request)


@router.get("/{application_id}/information-requests",
            response_model=list[InformationRequestOut])
async def list_information_requests(application_id: uuid.UUID, session: DbSession,
                                    principal: Reader) -> list[InformationRequestOut]:
    app = await service.get_application(session, application_id, principal)
    return await _children(session, app, InformationRequest.opened_at, InformationRequestOut)


@router.post("/{application_id}/information-requests/{request_id}/answer",
             response_model=InformationRequestOut)
async def answer_information_request(
    application_id: uuid.UUID, request_id: uuid.UUID, body: InformationAnswerIn,
    session: DbSession, principal: Annotated[Principal, Depends(require_roles(APPLICANT))],
    clock: ClockDep, settings: Settings,
) -> InformationRequestOut:
    app = await service.get_application(session, application_id, principal, for_update=True)
    request = await service.answer_information_request(session, app, request_id, body.answer,
                                                       settings=settings, now=clock.now())
    return InformationRequestOut.model_validate(request)


@router.post("/{application_id}/advice", status_code=201, response_model=AdviceOut)
async def give_advice(application_id: uuid.UUID, body: AdviceIn, session: DbSession,
                      principal: CaseWorker, clock: ClockDep) -> AdviceOut:
    """The officer's advice on one goods line or party (approve / with conditions / refuse)."""
    app = await service.get_application(session, application_id, principal, for_update=True)
    return AdviceOut.model_validate(
        await service.add_advice(session, app, body, actor=principal.sub, now=clock.now()))


@router.get("/{application_id}/advice", response_model=list[AdviceOut])
async def list_advice(application_id: uuid.UUID, session: DbSession,
                      principal: CaseWorker) -> list[AdviceOut]:
    app = await service.get_application(session, application_id, principal)
    return await _children(session, app, Advice.given_at, AdviceOut)


@router.post("/{application_id}/decision", status_code=201, response_model=DecisionOut)
async def decide_application(application_id: uuid.UUID, body: DecisionIn, session: DbSession,
                             principal: Decider, clock: ClockDep, settings: Settings,
                             idem: IdempotencyDep):
    """Decide: by csg.head in delegation (countersigned, delegated routing) or by the minister
    (with_minister). A grant issues the licence in the same transaction."""
    if idem.replay is not None:
        return idem.replay
    app = await service.get_application(session, application_id, principal, for_update=True)
    decision, licence = await decisions.decide(session, app, body, principal=principal,
                                             settings=settings, now=clock.now())
    out = DecisionOut.model_validate(decision)
    if licence is not None:
        out.licence_id, out.licence_number = licence.id, licence.number
    return await idem.respond(201, out)


@router.get("/{application_id}/decisions", response_model=list[DecisionOut])
async def list_decisions(application_id: uuid.UUID, session: DbSession,
                         principal: Reader) -> list[DecisionOut]:
    app = await service.get_application(session, application_id, principal)
    return await _children(session, app, Decision.decided_at, DecisionOut)


@router.get("/{application_id}/turnaround", response_model=TurnaroundOut)
async def get_turnaround(application_id: uuid.UUID, session: DbSession, principal: Reader,
                         clock: ClockDep) -> TurnaroundOut:
    """Working days so far (or until the decision), computed from the event table."""
    app = await service.get_application(session, application_id, principal)
    figure = await figures.turnaround_of(session, app.id, brussels_date(clock.now()))
    return TurnaroundOut(application_id=app.id, working_days=figure.working_days,
                         paused_working_days=figure.paused_working_days,
                         started_on=figure.started_on, stopped_on=figure.stopped_on,
                         running=figure.running,
                         indicative_max_working_days=app.indicative_max_working_days,
                         track=app.track)


@router.post("/{application_id}/screening", response_model=ApplicationOut)
async def rerun_screening(application_id: uuid.UUID, session: DbSession, principal: CaseWorker,
                          clock: ClockDep, settings: Settings) -> ApplicationOut:
    """Screen the parties again (e.g. after `screening_pending`) and route the case again."""
    app = await service.get_application(session, application_id, principal, for_update=True)
    if app.status in ("draft", "decided", "withdrawn"):
        raise illegal_transition("application", app.status, "screened", (),
                                 f"a {app.status} case is not screened")
    await service.rescreen_and_route(session, app, settings, clock.now())
    return _out(app)


@router.get("/{application_id}/screening-hits", response_model=list[ScreeningHitOut])
async def list_screening_hits(application_id: uuid.UUID, session: DbSession,
                              principal: CaseWorker) -> list[ScreeningHitOut]:
    app = await service.get_application(session, application_id, principal)
    return await _children(session, app, ScreeningHit.found_at, ScreeningHitOut)


@router.post("/{application_id}/screening-hits/{hit_id}/resolve",
             response_model=ScreeningHitOut)
async def resolve_screening_hit(application_id: uuid.UUID, hit_id: uuid.UUID,
                                body: ScreeningResolutionIn, session: DbSession,
                                principal: CaseWorker, clock: ClockDep) -> ScreeningHitOut:
    """Clear a sanctions hit (csg.head only, with a reason) or record the consultation with the
    member state behind a matching denial notice."""
    app = await service.get_application(session, application_id, principal, for_update=True)
    hit = await screening.resolve_hit(session, app, hit_id, roles=principal.roles,
                                      actor=principal.sub, reason=body.reason, now=clock.now())
    denial, sanctions_hit = await screening.hit_flags(session, app.id)
    await route_application(session, app, denial_match=denial, sanctions_hit=sanctions_hit,
                            now=clock.now())
    return ScreeningHitOut.model_validate(hit)
