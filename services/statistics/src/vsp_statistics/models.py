"""Every domain table of the statistics app on one `Base.metadata` (migrations and tests import it).

The kit's own tables live in `dkbuza_kit.models`.
"""

from vsp_statistics.base import Base
from vsp_statistics.collaborations import models as _collaborations  # noqa: F401
from vsp_statistics.consultations import models as _consultations  # noqa: F401
from vsp_statistics.network import models as _network  # noqa: F401
from vsp_statistics.official_statistics import models as _official_statistics  # noqa: F401
from vsp_statistics.quality import models as _quality  # noqa: F401
from vsp_statistics.releases import models as _releases  # noqa: F401
from vsp_statistics.work_programmes import models as _work_programmes  # noqa: F401

__all__ = ["Base"]
