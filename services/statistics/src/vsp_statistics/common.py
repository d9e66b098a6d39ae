"""Small helpers shared by the domain folders."""

from typing import Any, ClassVar, TypeVar

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE, Problem, ProblemError

M = TypeVar("M")


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


async def get_or_404(session: AsyncSession, model: type[M], key: Any, what: str,
                     code: str = "NOT_FOUND") -> M:
    row = await session.get(model, key)
    if row is None:
        raise ProblemError(404, code, f"{what} not found")
    return row


def require_text(value: str | None, code: str, detail: str) -> str:
    """A mandatory free text that the schema leaves optional so that its absence has a code."""
    if value is None or not value.strip():
        raise ProblemError(422, code, detail)
    return value.strip()


def page_of(rows: list[Any], total: int, page: Any, out: type[BaseModel]) -> dict[str, Any]:
    """A `Page` body from ORM rows."""
    return {"items": [out.model_validate(row) for row in rows], "total": total,
            "limit": page.limit, "offset": page.offset}


def get_settings(request: Request) -> Any:
    """The app's settings (a `VspStatisticsSettings`)."""
    return request.app.state.settings


def bump_version(row: Any) -> None:
    """A change of the resource's representation: its ETag changes."""
    row.version += 1


def apply_patch(row: Any, changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set the attributes of `changes` that differ from the row's; bump the version if any did.

    Returns {field: {"from": old, "to": new}} in JSON form (for the audit row); empty when the
    patch changes nothing (then the version stays, so the client's ETag remains valid).
    """
    diff: dict[str, dict[str, Any]] = {}
    for name, new in changes.items():
        old = getattr(row, name)
        if old != new:
            diff[name] = jsonable_encoder({"from": old, "to": new})
            setattr(row, name, new)
    if diff:
        bump_version(row)
    return diff


class PatchModel(InputModel):
    """A partial update (JSON merge patch): absent fields stay as they are, `null` clears a
    nullable field. `REQUIRED` names the fields that may be omitted but never set to null."""

    REQUIRED: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required(self) -> Any:
        if nulled := sorted(f for f in self.model_fields_set & self.REQUIRED
                            if getattr(self, f) is None):
            raise ValueError(f"{', '.join(nulled)} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their (validated) values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


async def audit_update(session: AsyncSession, *, entity_type: str, entity_id: Any,
                       diff: dict[str, dict[str, Any]], principal: Any,
                       data: dict[str, Any] | None = None) -> None:
    """The audit row of a PATCH that changed something (a state change names from/to)."""
    if not diff:
        return
    state = diff.get("state")
    await record_audit(session, entity_type=entity_type, entity_id=entity_id, action="updated",
                       from_state=state and state["from"], to_state=state and state["to"],
                       data={"changes": diff, **(data or {})}, actor_org=principal.org)


# The extra answers of a conditional write (PATCH with If-Match), for the OpenAPI document.
CONDITIONAL_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": phrase}
    for status, phrase in [(412, "If-Match names an outdated version (PRECONDITION_FAILED)"),
                           (428, "If-Match is missing (PRECONDITION_REQUIRED)")]
}
