"""The platform contract (health, metrics, auth, migrations) for the export-control app."""

from dkbuza_dev.testing.contract import *  # noqa: F403
