"""The plan tree: plan > policy field > strategic goal (SD) > operational goal (OD) > initiative."""

from datetime import date
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import int_pk
from dkbuza_kit.columns import owned_by
from planning.base import Base


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = int_pk()
    year: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20), default="adopted")  # draft/adopted/closed
    source_filename: Mapped[str | None] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())


class PolicyField(Base):
    __tablename__ = "policy_fields"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = int_pk()
    plan_id: Mapped[int] = owned_by("plans.id")
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)


class StrategicGoal(Base):
    __tablename__ = "strategic_goals"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = int_pk()
    plan_id: Mapped[int] = owned_by("plans.id")
    policy_field_id: Mapped[int] = owned_by("policy_fields.id")
    code: Mapped[str] = mapped_column(String(20))  # "SD 3.1"
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class OperationalGoal(Base):
    __tablename__ = "operational_goals"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = int_pk()
    plan_id: Mapped[int] = owned_by("plans.id")
    strategic_goal_id: Mapped[int] = owned_by("strategic_goals.id")
    code: Mapped[str] = mapped_column(String(20))  # "OD 3.2.3"
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)


class Initiative(Base):
    __tablename__ = "initiatives"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = int_pk()
    plan_id: Mapped[int] = owned_by("plans.id")
    operational_goal_id: Mapped[int] = owned_by("operational_goals.id")
    # Stable within a plan: "<OD number>-<position>", e.g. "3.2.3-02".
    code: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # project / process
    description: Mapped[str] = mapped_column(Text, default="")
    owner_team: Mapped[str | None] = mapped_column(String(100), index=True)
    partners: Mapped[list[str]] = mapped_column(ARRAY(String(200)), default=list)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)
    source_line: Mapped[int | None] = mapped_column(Integer)
    # Added during the year (after the plan was adopted), not printed in the plan.
    added_after_adoption: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default="false")
    version: Mapped[int] = mapped_column(Integer, default=1)


class ExpectedResult(Base):
    __tablename__ = "expected_results"

    id: Mapped[int] = int_pk()
    initiative_id: Mapped[int] = owned_by("initiatives.id")
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # dated / continuous ("Continu proces": no due) / undated
    timing: Mapped[str] = mapped_column(String(20), default="undated", server_default="undated")
    # The due moment as printed ("2025-Q2", "2025-Q1/2025-Q2", "2025-H1", "2025-03-31"), its
    # precision and its first/last day for SQL. With several moments: the latest one.
    due: Mapped[str | None] = mapped_column(String(24))
    due_precision: Mapped[str | None] = mapped_column(String(20))
    due_first: Mapped[date | None] = mapped_column(Date)
    due_last: Mapped[date | None] = mapped_column(Date, index=True)
    # The due as the plan printed it; a manager's change never overwrites it (see due_changes).
    original_due: Mapped[str | None] = mapped_column(String(24))
    added_after_adoption: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default="false")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    state: Mapped[str] = mapped_column(String(20), default="open")  # open/achieved/dropped
    achieved_on: Mapped[date | None] = mapped_column(Date)
    dropped_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ResultMilestone(Base):
    """One of several moments a result prints ("Q2 + Q4", "Jaarverslag (Q1), trefdag (Q2)")."""

    __tablename__ = "result_milestones"
    __table_args__ = (UniqueConstraint("result_id", "position"),)

    id: Mapped[int] = int_pk()
    result_id: Mapped[int] = owned_by("expected_results.id")
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)  # the fragment printed, e.g. "Q2 + Q4"
    due: Mapped[str] = mapped_column(String(24))
    due_precision: Mapped[str] = mapped_column(String(20))
    due_first: Mapped[date] = mapped_column(Date)
    due_last: Mapped[date] = mapped_column(Date, index=True)
    original_due: Mapped[str | None] = mapped_column(String(24))


class DueChange(Base):
    """A manager's change of a result's (or milestone's) due, with the reason: the history."""

    __tablename__ = "due_changes"

    id: Mapped[int] = int_pk()
    result_id: Mapped[int] = owned_by("expected_results.id")
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("result_milestones.id", ondelete="CASCADE"))
    from_due: Mapped[str | None] = mapped_column(String(24))
    to_due: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
