"""Every domain table of the planning app, registered on `Base.metadata` (for Alembic)."""

from planning.audits.models import AuditRecommendation, AuditRecommendationPostponement
from planning.base import Base
from planning.indicators.models import Indicator, IndicatorMeasurement
from planning.plans.models import (
    DueChange,
    ExpectedResult,
    Initiative,
    OperationalGoal,
    Plan,
    PolicyField,
    ResultMilestone,
    StrategicGoal,
)
from planning.reporting.models import (
    PeriodReminder,
    ReportComment,
    ReportingPeriod,
    StatusReport,
    StatusReportEntry,
)
from planning.resources.models import InitiativeResources
from planning.reviews.models import Review, ReviewItem

__all__ = [
    "AuditRecommendation", "AuditRecommendationPostponement", "Base", "DueChange", "ExpectedResult",
    "Indicator", "IndicatorMeasurement", "Initiative", "InitiativeResources", "OperationalGoal",
    "PeriodReminder", "Plan", "PolicyField",
    "ReportComment", "ReportingPeriod", "ResultMilestone", "Review", "ReviewItem", "StatusReport",
    "StatusReportEntry", "StrategicGoal",
]
