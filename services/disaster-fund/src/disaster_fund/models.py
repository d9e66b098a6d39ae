"""Every domain table on one metadata (migrations/env.py and the drift test import `Base`)."""

from disaster_fund.applications.models import (  # noqa: F401
    Appeal,
    Application,
    ApplicationEvent,
    DamageItem,
    Decision,
    ExpertReport,
    Pause,
)
from disaster_fund.base import Base
from disaster_fund.disasters.models import AdviceRequest, Disaster, NumberSequence  # noqa: F401
from disaster_fund.documents.models import Document  # noqa: F401
from disaster_fund.payments.models import Payment, Recovery  # noqa: F401
from disaster_fund.reports.models import DamageReport  # noqa: F401
from disaster_fund.rules.models import RuleSet  # noqa: F401
from disaster_fund.stats.models import (  # noqa: F401
    DisasterApplicationStats,
    OpenApplicationsByDay,
    PayoutsByDay,
)

__all__ = ["Base"]
