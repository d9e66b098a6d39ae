"""The platform contract (health, metrics, auth, migrations) for the disaster-fund app."""

from dkbuza_dev.testing.contract import *  # noqa: F403
