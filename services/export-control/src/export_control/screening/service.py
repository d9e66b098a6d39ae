"""Screening of an application's parties against denial notices and the sanctions list.

Fails closed: when screening cannot run (no sanctions list imported, or an error while
matching) the application is `screening_pending` and cannot be decided. A sanctions hit sets
the flag (`flagged`) that only `csg.head` clears, with a reason; a denial-notice match blocks
a grant until the consultation with the denying member state is recorded.

A denial notice matches a party when it is active (younger than the validity period, not
revoked), names the party's country, concerns the same goods category as one of the
application's lines (`matching.notice_covers_goods`: same `ML<n>` category or same Annex I
entry such as `5A002`) and its party name scores at or above the threshold.
"""

import uuid
from datetime import date
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import emit_event
from dkbuza_kit.audit import record_audit
from dkbuza_kit.dates import add_months
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.timeline import check_timeline
from export_control.applications.models import Application
from export_control.controllist import normalise_control_entry
from export_control.errors import Errors
from export_control.roles import HEAD
from export_control.screening.matching import best_match
from export_control.screening.matching import notice_covers_goods
from export_control.screening.models import DenialNotice
from export_control.screening.models import SanctionEntity
from export_control.screening.models import SanctionsImport
from export_control.screening.models import ScreeningHit
from export_control.screening.sanctions_file import parse_sanctions_file
from export_control.screening.schemas import EU_MEMBER_STATES
from export_control.screening.schemas import OWN_STATE
from export_control.screening.schemas import DenialNoticeIn

log = structlog.get_logger("export_control.screening")

SANCTIONS = "sanctions"
DENIAL = "denial_notice"


class ScreeningUnavailable(Exception):
    """Screening could not run; the application must stay undecidable."""


async def import_sanctions_list(session: AsyncSession, content: bytes, *, actor: str,
                                now: datetime) -> SanctionsImport:
    """An officer's upload: stored as pending; screening keeps using the active list until a
    head activates this one (`activate_sanctions_list`)."""
    parsed = parse_sanctions_file(content)
    if not parsed.entities:
        raise Errors.SANCTIONS_FILE_INVALID("the file lists no sanctioned entity")
    imported = SanctionsImport(id=uuid.uuid4(), imported_at=now, imported_by=actor,
                               generation_date=parsed.generation_date,
                               source_sha256=parsed.sha256, entity_count=len(parsed.entities),
                               active=False)
    session.add(imported)
    await session.flush()
    session.add_all([
        SanctionEntity(import_id=imported.id, logical_id=e.logical_id[:50],
                       subject_type=e.subject_type, programme=(e.programme or None),
                       names=e.names, countries=e.countries)
        for e in parsed.entities
    ])
    await record_audit(session, entity_type="sanctions_list", entity_id=imported.id,
                       action="uploaded", to_state="pending",
                       data={"entities": len(parsed.entities), "sha256": parsed.sha256,
                             "generation_date": parsed.generation_date})
    return imported


async def activate_sanctions_list(session: AsyncSession, import_id: uuid.UUID, *, actor: str,
                                  confirm_shrink: bool, shrink_alert_pct: float,
                                  now: datetime) -> SanctionsImport:
    """A head puts a pending upload in force. A list that shrinks by more than the alert share
    (a working value, setting `screening_list_shrink_alert_pct`) needs `confirm_shrink`."""
    candidate = await session.get(SanctionsImport, import_id, with_for_update=True)
    if candidate is None:
        raise KitErrors.NOT_FOUND("sanctions list upload not found")
    if candidate.activated_at is not None:
        raise Errors.SANCTIONS_LIST_NOT_PENDING("this upload was activated already")
    current = await session.scalar(select(SanctionsImport).where(SanctionsImport.active)
                                   .with_for_update())
    floor = current.entity_count * (1 - shrink_alert_pct / 100) if current else 0
    if current is not None and candidate.entity_count < floor and not confirm_shrink:
        raise Errors.SANCTIONS_LIST_SHRINKS(
            f"the upload has {candidate.entity_count} entities against {current.entity_count} "
            f"in force; confirm to activate it", active_count=current.entity_count,
            upload_count=candidate.entity_count, alert_pct=shrink_alert_pct,
            working_value=True)
    await session.execute(update(SanctionsImport).values(active=False))
    candidate.active, candidate.activated_by, candidate.activated_at = True, actor, now
    await record_audit(session, entity_type="sanctions_list", entity_id=candidate.id,
                       action="activated", from_state="pending", to_state="active",
                       data={"entities": candidate.entity_count, "confirm_shrink": confirm_shrink,
                             "replaces": str(current.id) if current else None})
    return candidate


async def register_denial_notice(session: AsyncSession, body: DenialNoticeIn, *,
                                 now: datetime) -> DenialNotice:
    """A notice of another member state: dated, not in the future, once per state and reference."""
    if body.notifying_state == OWN_STATE:
        raise Errors.DENIAL_NOTICE_OWN_STATE(
            "Belgium's own refusals are decisions of this service, not notices to screen against")
    if body.notifying_state not in EU_MEMBER_STATES:
        raise Errors.DENIAL_NOTICE_OWN_STATE(
            f"{body.notifying_state} is not an EU member state: only they notify denials",
            field="notifying_state")
    check_timeline("issued_on", body.issued_on, now=now)
    data = body.model_dump()
    if body.control_entry:
        data["control_entry"] = normalise_control_entry(body.control_entry).code
    exists = await session.scalar(select(DenialNotice.id).where(
        DenialNotice.notifying_state == body.notifying_state,
        DenialNotice.notice_reference == body.notice_reference))
    if exists is not None:
        raise Errors.DENIAL_NOTICE_DUPLICATE(
            f"{body.notifying_state} notice {body.notice_reference} is registered already",
            existing_id=str(exists))
    notice = DenialNotice(id=uuid.uuid4(), **data)
    await add_audited(session, notice, entity_type="denial_notice", action="registered", to_state="active")
    return notice


async def revoke_denial_notice(session: AsyncSession, notice_id: uuid.UUID, revoked_on: date, *,
                               now: datetime) -> DenialNotice:
    notice = await session.get(DenialNotice, notice_id, with_for_update=True)
    if notice is None:
        raise KitErrors.NOT_FOUND("denial notice not found")
    if notice.revoked_on is not None:
        raise Errors.DENIAL_NOTICE_REVOKED("the notice is already revoked")
    check_timeline("revoked_on", revoked_on, now=now, origin=("issued_on", notice.issued_on))
    notice.revoked_on = revoked_on
    await record_audit(session, entity_type="denial_notice", entity_id=notice.id,
                       action="revoked", from_state="active", to_state="revoked")
    return notice


def denial_notice_active(notice: DenialNotice, today: date, validity_years: int) -> bool:
    """Less than `validity_years` old and not revoked (on `today`)."""
    if notice.revoked_on is not None and notice.revoked_on <= today:
        return False
    return notice.issued_on > add_months(today, -12 * validity_years)


async def _sanctions_candidates(session: AsyncSession) -> list[tuple[str, str, list[str]]]:
    active = await session.scalar(select(SanctionsImport.id).where(SanctionsImport.active))
    if active is None:
        raise ScreeningUnavailable("no sanctions list has been imported")
    rows = (await session.execute(
        select(SanctionEntity.logical_id, SanctionEntity.names, SanctionEntity.countries)
        .where(SanctionEntity.import_id == active)
    )).all()
    return [(logical_id, name, countries) for logical_id, names, countries in rows
            for name in names]


async def _find_hits(session: AsyncSession, app: Application, *, threshold: float,
                     today: date, validity_years: int) -> list[dict]:
    sanctions = await _sanctions_candidates(session)
    line_entries = [line.control_entry for line in app.lines]
    # Only notices for an essentially identical transaction: active and on the same goods.
    notices = [n for n in (await session.scalars(select(DenialNotice))).all()
               if denial_notice_active(n, today, validity_years)
               and notice_covers_goods(n.control_entry, line_entries)]
    hits: list[dict] = []
    for party in app.parties:
        match = best_match(party.name, [name for _, name, _ in sanctions], threshold)
        if match is not None:
            logical_id = sanctions[match.candidate_index][0]
            hits.append({"party_id": party.id, "source": SANCTIONS,
                         "listed_reference": logical_id, "denial_notice_id": None,
                         "matched_name": match.matched_name, "score": match.score})
        same_country = [n for n in notices if n.party_country == party.country]
        match = best_match(party.name, [n.denied_party_name for n in same_country], threshold)
        if match is not None:
            notice = same_country[match.candidate_index]
            hits.append({"party_id": party.id, "source": DENIAL,
                         "listed_reference": notice.notice_reference,
                         "denial_notice_id": notice.id, "matched_name": match.matched_name,
                         "score": match.score})
    return hits


async def screen_application(session: AsyncSession, app: Application, *, threshold: float,
                             validity_years: int, today: date, now: datetime) -> None:
    """Screen every party; keeps earlier resolutions and sets `app.screening_status`."""
    previous = app.screening_status
    try:
        async with session.begin_nested():
            found = await _find_hits(session, app, threshold=threshold, today=today,
                                     validity_years=validity_years)
    except ScreeningUnavailable as exc:
        await _set_status(session, app, previous, "pending", reason=str(exc))
        return
    except Exception as exc:  # fail closed on any screening error (the savepoint rolled back)
        log.warning("screening_failed", application_id=str(app.id), error=repr(exc))
        await _set_status(session, app, previous, "pending", reason="screening error")
        return
    existing = {(h.party_id, h.source, h.listed_reference): h
                for h in (await session.scalars(
                    select(ScreeningHit).where(ScreeningHit.application_id == app.id))).all()}
    for hit in found:
        key = (hit["party_id"], hit["source"], hit["listed_reference"])
        if key not in existing:
            row = ScreeningHit(application_id=app.id, found_at=now, **hit)
            session.add(row)
            existing[key] = row
    await session.flush()
    await refresh_screening_status(session, app, previous=previous)


async def refresh_screening_status(session: AsyncSession, app: Application, *,
                                   previous: str | None = None) -> None:
    open_sanctions = await session.scalar(
        select(ScreeningHit.id).where(ScreeningHit.application_id == app.id,
                                      ScreeningHit.source == SANCTIONS,
                                      ScreeningHit.status == "open").limit(1))
    await _set_status(session, app, previous or app.screening_status,
                      "flagged" if open_sanctions else "clear")


async def _set_status(session: AsyncSession, app: Application, previous: str, status: str,
                      reason: str | None = None) -> None:
    app.screening_status = status
    await record_audit(session, entity_type="application", entity_id=app.id, action="screened",
                       from_state=previous, to_state=status, reason=reason)


async def hit_flags(session: AsyncSession, app_id: uuid.UUID) -> tuple[bool, bool]:
    """(denial-notice match, sanctions hit not cleared) for routing."""
    rows = (await session.execute(
        select(ScreeningHit.source, ScreeningHit.status)
        .where(ScreeningHit.application_id == app_id))).all()
    denial = any(source == DENIAL for source, _ in rows)
    sanctions = any(source == SANCTIONS and status == "open" for source, status in rows)
    return denial, sanctions


async def open_denial_hits(session: AsyncSession, app_id: uuid.UUID) -> list[ScreeningHit]:
    return list((await session.scalars(
        select(ScreeningHit).where(ScreeningHit.application_id == app_id,
                                   ScreeningHit.source == DENIAL,
                                   ScreeningHit.status == "open"))).all())


async def consulted_denial_hits(session: AsyncSession, app_id: uuid.UUID) -> list[ScreeningHit]:
    return list((await session.scalars(
        select(ScreeningHit).where(ScreeningHit.application_id == app_id,
                                   ScreeningHit.source == DENIAL,
                                   ScreeningHit.status == "consulted"))).all())


async def resolve_hit(session: AsyncSession, app: Application, hit_id: uuid.UUID, *,
                      roles: frozenset[str], actor: str, reason: str, now: datetime) -> ScreeningHit:
    """Clear a sanctions hit (csg.head only) or record the consultation on a denial match."""
    hit = await session.scalar(
        select(ScreeningHit).where(ScreeningHit.id == hit_id,
                                   ScreeningHit.application_id == app.id).with_for_update())
    if hit is None:
        raise KitErrors.NOT_FOUND("screening hit not found")
    if hit.status != "open":
        raise Errors.SCREENING_HIT_RESOLVED(f"the hit is already {hit.status}")
    if hit.source == SANCTIONS:
        if HEAD not in roles:
            raise KitErrors.FORBIDDEN("only csg.head may clear a sanctions hit")
        new_status = "cleared"
    else:
        new_status = "consulted"
    hit.status, hit.resolved_by, hit.resolved_at, hit.resolution = new_status, actor, now, reason
    await record_audit(session, entity_type="screening_hit", entity_id=hit.id,
                       action="resolved", from_state="open", to_state=new_status, reason=reason,
                       data={"application_id": str(app.id), "source": hit.source})
    if hit.source == SANCTIONS:
        await refresh_screening_status(session, app)
    else:
        await emit_event(session, "denial_notice.consulted", subject=app.id,
                         data={"hit_id": str(hit.id), "reference": hit.listed_reference})
    return hit
