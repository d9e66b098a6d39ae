"""Every domain table of the planning app, registered on `Base.metadata` (for Alembic)."""

from planning.audits.models import AuditRecommendation
from planning.audits.models import AuditRecommendationPostponement
from planning.base import Base
from planning.indicators.models import Indicator
from planning.indicators.models import IndicatorMeasurement
from planning.plans.models import DueChange
from planning.plans.models import ExpectedResult
from planning.plans.models import Initiative
from planning.plans.models import OperationalGoal
from planning.plans.models import Plan
from planning.plans.models import PolicyField
from planning.plans.models import ResultMilestone
from planning.plans.models import StrategicGoal
from planning.reporting.models import PeriodReminder
from planning.reporting.models import ReportComment
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport
from planning.reporting.models import StatusReportEntry
from planning.resources.models import InitiativeResources
from planning.reviews.models import Review
from planning.reviews.models import ReviewItem

__all__ = [
    "AuditRecommendation", "AuditRecommendationPostponement", "Base", "DueChange", "ExpectedResult",
    "Indicator", "IndicatorMeasurement", "Initiative", "InitiativeResources", "OperationalGoal",
    "PeriodReminder", "Plan", "PolicyField",
    "ReportComment", "ReportingPeriod", "ResultMilestone", "Review", "ReviewItem", "StatusReport",
    "StatusReportEntry", "StrategicGoal",
]
