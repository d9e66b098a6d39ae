"""Base models for request and response bodies: one place for the conventions.

- `InputModel`: request bodies refuse unknown fields (no mass assignment) and strip text.
- `PatchModel`: a partial change; `changes()` gives only the fields the client sent.
- `OutputModel`: built from ORM rows (`from_attributes`).
"""

from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict


class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PatchModel(InputModel):
    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)
