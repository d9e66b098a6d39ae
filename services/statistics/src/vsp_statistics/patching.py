"""Partial updates (JSON merge patch) on the kit's PatchModel: which fields changed, one audit
row per change, the version bumped only when something changed."""

from typing import Any
from typing import ClassVar

from fastapi.encoders import jsonable_encoder
from pydantic import model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import record_audit
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.schemas import PatchModel as KitPatchModel


class PatchModel(KitPatchModel):
    """Absent fields stay as they are, `null` clears a nullable field. `REQUIRED` names the
    fields that may be omitted but never set to null."""

    REQUIRED: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required(self) -> Any:
        if nulled := sorted(f for f in self.model_fields_set & self.REQUIRED
                            if getattr(self, f) is None):
            raise ValueError(f"{', '.join(nulled)} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their (validated) values (not dumped: enums and
        partial dates stay objects)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


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
