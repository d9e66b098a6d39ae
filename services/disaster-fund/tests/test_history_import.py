"""Issue 15 P3 item 9: an audited, all-or-nothing import of historic dossiers with their dates,
so that the KPIs cover past disasters."""

from df_support import problem_code
from sqlalchemy import text


def dossier(disaster_id, number, **extra):
    return {"disaster_id": disaster_id, "dossier_number": number, "applicant_id": f"p-{number}",
            "municipality_nis": "44021", "damage_date": "2024-06-02", "category": "private_goods",
            "items": [{"description": "kelder", "claimed_amount": "5000.00"}],
            "received_on": "2024-09-20", "completion_kind": "paid", "completed_on": "2024-09-30",
            "decided_amount": "4050.00", "paid_amount": "4050.00", "first_paid_on": "2024-09-30",
            **extra}


async def count(harness, sql):
    async with harness.sessionmaker() as session:
        return await session.scalar(text(sql))


async def test_history_import_is_all_or_nothing_and_feeds_the_kpis(api, client, harness):
    disaster = await api.published_disaster()   # published 2024-09-16
    did = disaster["id"]
    url = "/v1/applications/history"
    batch = [dossier(did, "HIST-1"),
             dossier(did, "HIST-2", completion_kind="inadmissible", decided_amount=None,
                     paid_amount="0", first_paid_on=None)]
    before_publication = await client.post(url, headers=api.manager, json={"dossiers": [
        *batch, dossier(did, "HIST-3", received_on="2024-09-01")]})
    assert before_publication.status_code == 422
    assert problem_code(before_publication) == "DATE_BEFORE_ORIGIN"
    assert before_publication.json()["item"] == 2
    future = await client.post(url, headers=api.manager, json={"dossiers": [
        dossier(did, "HIST-4", completed_on="2025-01-01", first_paid_on="2025-01-01")]})
    assert problem_code(future) == "DATE_IN_FUTURE"
    inconsistent = await client.post(url, headers=api.manager, json={"dossiers": [
        dossier(did, "HIST-5", paid_amount="9999.00")]})
    assert problem_code(inconsistent) == "HISTORY_INCONSISTENT"
    assert await count(harness, "SELECT count(*) FROM applications") == 0
    assert (await client.post(url, headers=api.handler, json={"dossiers": batch})).status_code == 403
    imported = await client.post(url, headers=api.manager, json={"dossiers": batch})
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 2
    again = await client.post(url, headers=api.manager, json={"dossiers": [batch[0]]})
    assert again.status_code == 409 and problem_code(again) == "DOSSIER_NUMBER_TAKEN"
    assert await count(harness, "SELECT count(*) FROM audit_events "
                       "WHERE action = 'imported_from_history'") == 2
    board = (await client.get(f"/v1/disasters/{did}/dashboard", headers=api.manager)).json()
    assert (board["submitted"], board["completed"], board["completed_paid"]) == (2, 2, 1)
    kpis = {k["id"]: k for k in (await client.get(
        "/v1/kpis", headers=harness.headers("kpi.reader"))).json()}
    assert kpis["recognition_to_payout_median_days"]["value"] == 14.0   # 09-16 -> 09-30
