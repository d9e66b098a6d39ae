"""Every domain table on one metadata (migrations/env.py and the drift test import `Base`)."""

from disaster_fund.applications.models import Appeal  # noqa: F401
from disaster_fund.applications.models import Application  # noqa: F401
from disaster_fund.applications.models import ApplicationEvent  # noqa: F401
from disaster_fund.applications.models import DamageItem  # noqa: F401
from disaster_fund.applications.models import Decision  # noqa: F401
from disaster_fund.applications.models import ExpertReport  # noqa: F401
from disaster_fund.applications.models import Pause  # noqa: F401
from disaster_fund.base import Base
from disaster_fund.disasters.models import AdviceRequest  # noqa: F401
from disaster_fund.disasters.models import Disaster  # noqa: F401
from disaster_fund.disasters.models import NumberSequence  # noqa: F401
from disaster_fund.documents.models import Document  # noqa: F401
from disaster_fund.payments.models import Payment  # noqa: F401
from disaster_fund.payments.models import Recovery  # noqa: F401
from disaster_fund.reports.models import DamageReport  # noqa: F401
from disaster_fund.rules.models import RuleSet  # noqa: F401
from disaster_fund.stats.models import DisasterApplicationStats  # noqa: F401
from disaster_fund.stats.models import OpenApplicationsByDay  # noqa: F401
from disaster_fund.stats.models import PayoutsByDay  # noqa: F401

__all__ = ["Base"]
