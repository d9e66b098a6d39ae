"""Roles of the export-control service and the object-level rule.

`csg.applicant` is a company (org = KBO number) that sees only its own applications,
licences, ledger entries and reports (404 for others'); the internal roles (org `dkbuza`) see
everything. `csg.customs` holds only the customs endpoints: no other route lists it, so every
other route answers 403. `csg.reopen` is the dedicated permission to reopen a decided case.
"""

from sqlalchemy import Select
from sqlalchemy import select

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import require_roles

APPLICANT = "csg.applicant"
OFFICER = "csg.officer"
HEAD = "csg.head"
MINISTER = "csg.minister"
CUSTOMS = "csg.customs"
REOPEN = "csg.reopen"
KPI_READER = "kpi.reader"
INTERNAL = (OFFICER, HEAD, MINISTER)

readers = require_roles(APPLICANT, *INTERNAL)
internal_readers = require_roles(*INTERNAL)
case_workers = require_roles(OFFICER, HEAD)
heads = require_roles(HEAD)
customs_only = require_roles(CUSTOMS)


def org_scope(principal: Principal) -> str | None:
    """The organisation a caller is limited to, or None for the administration."""
    if principal.is_internal and principal.has_any(*INTERNAL):
        return None
    return principal.org


def scoped_select(model: type, org_column, principal: Principal) -> Select:
    """Rows of `model` the caller may see: a company only those whose `org_column` is its own."""
    scope = org_scope(principal)
    stmt = select(model)
    return stmt if scope is None else stmt.where(org_column == scope)
ministers = require_roles(MINISTER)
