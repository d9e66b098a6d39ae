from sqlalchemy import func
from sqlalchemy import select

from dkbuza_kit.models import AuditEvent
from export_control.applications.models import Application
from export_control.demo import load
from export_control.documents.checklist import evaluate_application
from export_control.settings import ExportControlSettings


async def test_demo_data_loads_and_a_second_run_changes_nothing(client, harness, tmp_path):
    settings = ExportControlSettings(database_url=harness.database_url,
                                     documents_dir=str(tmp_path))
    await load(settings)

    async def counts():
        async with harness.sessionmaker() as session:
            return (await session.scalar(select(func.count()).select_from(Application)),
                    await session.scalar(select(func.count()).select_from(AuditEvent)))

    first = await counts()
    assert first[0] >= 100  # the issue asks for at least 100 demo applications
    await load(settings)
    assert await counts() == first
    r = await client.get("/v1/licences", headers=harness.headers("csg.applicant",
                                                                  org="0123456789"))
    assert r.json()["total"] == 1
    # Every submitted demo case carries the documents its type and destination require.
    async with harness.sessionmaker() as session:
        submitted = (await session.scalars(select(Application).where(
            Application.submitted_at.is_not(None)))).all()
        for app in submitted:
            assert (await evaluate_application(session, app)).complete, app.reference
    assert submitted and any(tmp_path.rglob("*"))
