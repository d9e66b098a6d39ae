"""Required documents against present ones: the one evaluation every service's checklist uses.

A service says what an owner needs (`Requirement`s from its own data: a rule set, an
application type and destination) and what is present (`present_documents`: the kinds of the
owner's documents that are not withdrawn, plus whatever the service records itself, e.g. a
kind received on paper); `evaluate` says, requirement by requirement, what is met and what is
missing. The service raises its own problem (`REQUIRED_DOCUMENTS_MISSING`, with the `missing`
list) when `missing` is not empty.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

UPLOADED = "uploaded"


@dataclass(frozen=True)
class Requirement:
    """`name` is what is required (a kind, or a group such as `estimate_or_invoice`), met by
    any kind of `any_of`; `basis` is where the requirement comes from (a provision, or
    "working value")."""

    name: str
    any_of: tuple[str, ...]
    basis: str | None = None


@dataclass(frozen=True)
class Checked:
    requirement: Requirement
    present: dict[str, str]  # kind -> how it is present ("uploaded", "paper", ...)

    @property
    def missing(self) -> bool:
        return not self.present


@dataclass(frozen=True)
class Evaluation:
    checked: tuple[Checked, ...]

    @property
    def missing(self) -> list[str]:
        return [c.requirement.name for c in self.checked if c.missing]

    @property
    def complete(self) -> bool:
        return not self.missing


def evaluate(requirements: Iterable[Requirement], present: Mapping[str, str]) -> Evaluation:
    """Each requirement with the present kinds that meet it; pure (no I/O)."""
    return Evaluation(tuple(
        Checked(r, {kind: present[kind] for kind in r.any_of if kind in present})
        for r in requirements))


async def present_documents(session: AsyncSession, model: type, owner_type: str,
                            owner_id: str) -> dict[str, str]:
    """{kind: "uploaded"} for the owner's current documents; a withdrawn one does not count."""
    stmt = select(model.kind).where(model.owner_type == owner_type, model.owner_id == owner_id,
                                    model.withdrawn_at.is_(None)).distinct()
    return {kind: UPLOADED for kind in (await session.scalars(stmt)).all()}
