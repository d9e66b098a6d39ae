"""Every domain table of the export-control app on one metadata (`Base`), for alembic and the
drift test; the kit's own tables live in `dkbuza_kit.models`."""

from export_control.applications import models as _applications  # noqa: F401
from export_control.base import Base
from export_control.compliance import models as _compliance  # noqa: F401
from export_control.customs import models as _customs  # noqa: F401
from export_control.documents import models as _documents  # noqa: F401
from export_control.licences import models as _licences  # noqa: F401
from export_control.routing import models as _routing  # noqa: F401
from export_control.screening import models as _screening  # noqa: F401

__all__ = ["Base"]
