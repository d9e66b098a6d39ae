"""The platform contract (health, metrics, auth, migrations) for the statistics app."""

from dkbuza_dev.testing.contract import *  # noqa: F403
