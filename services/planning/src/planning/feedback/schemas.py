"""A coordinator's feedback on status reports: acknowledgement (kenntisname) and comments."""

from datetime import datetime

from pydantic import Field

from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel


class AcknowledgementOut(OutputModel):
    report_id: int
    acknowledged_by: str
    acknowledged_at: datetime
    acknowledged_version: int = Field(description="the report's version with this "
                                                  "acknowledgement; an edit after it bumps the "
                                                  "version (changed since acknowledged)")


class CommentIn(InputModel):
    body: str = Field(min_length=1, max_length=5000)
    reply_to_id: int | None = Field(None, description="the comment this one answers (thread)")


class CommentOut(OutputModel):
    id: int
    report_id: int
    reply_to_id: int | None
    author: str
    body: str
    created_at: datetime
