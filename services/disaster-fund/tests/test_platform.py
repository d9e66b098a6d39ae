"""The platform contract (health, metrics, auth, migrations) for the disaster-fund app."""

from dkbuza_kit.testing.contract import *  # noqa: F403
