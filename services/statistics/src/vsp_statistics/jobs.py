"""The statistics service's scheduled tasks, registered on one TaskRegistry (the worker adds
webhook delivery and the daily KPI snapshot).

- `releases-overdue-check` once a day: a `release.overdue` event per release that passed its
  target unpublished (see `releases/overdue.py`).
"""

from dkbuza_kit.jobs import TaskRegistry
from vsp_statistics.releases.overdue import OVERDUE_CHECK_EVERY_SECONDS
from vsp_statistics.releases.overdue import OVERDUE_CHECK_TASK
from vsp_statistics.releases.overdue import signal_overdue_releases


def register(registry: TaskRegistry) -> TaskRegistry:
    registry.every(OVERDUE_CHECK_TASK, OVERDUE_CHECK_EVERY_SECONDS)(signal_overdue_releases)
    return registry


registry = register(TaskRegistry())
