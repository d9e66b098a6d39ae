"""The platform contract (health, metrics, auth, migrations) for the export-control app."""

from dkbuza_kit.testing.contract import *  # noqa: F403
