"""Revision 0260: customs' all-organisations subscriptions made before the per-type readers
keep the licence events only (an application-only one is deactivated)."""

import json

import sqlalchemy as sa

from dkbuza_dev.testing.harness import migrate
from dkbuza_dev.testing.harness import scratch_database
from export_control.main import ALEMBIC_INI

SUBSCRIPTIONS = {  # (org, all_orgs, event types) as the old release let them be created
    "customs-mixed": ("customs", True, ["application.submitted", "licence.suspended"]),
    "customs-applications": ("customs", True, ["application.decided"]),
    "department": ("dkbuza", True, ["application.submitted"]),
    "company": ("0123456789", False, ["application.submitted"]),
}


async def test_customs_subscriptions_are_narrowed_to_licence_events(pg_server_url):
    async with scratch_database(pg_server_url, "test_ec_wh_migration") as (url, engine):
        await migrate(ALEMBIC_INI, url, "0250")
        async with engine.begin() as connection:
            for sub, (org, all_orgs, types) in SUBSCRIPTIONS.items():
                await connection.execute(sa.text(
                    "INSERT INTO webhook_subscriptions (id, org, url, event_types, secret, "
                    "all_orgs, active, created_by) VALUES (gen_random_uuid(), :org, "
                    "'https://hooks.example.org/in', CAST(:types AS jsonb), 's', :all_orgs, "
                    "true, :sub)"),
                    {"org": org, "types": json.dumps(types), "all_orgs": all_orgs, "sub": sub})
        await migrate(ALEMBIC_INI, url)
        async with engine.connect() as connection:
            rows = (await connection.execute(sa.text(
                "SELECT created_by, event_types, active FROM webhook_subscriptions"))).all()
        assert {sub: (types, active) for sub, types, active in rows} == {
            "customs-mixed": (["licence.suspended"], True),
            "customs-applications": ([], False),
            "department": (["application.submitted"], True),
            "company": (["application.submitted"], True),
        }
