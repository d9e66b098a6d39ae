"""Feedback on status reports (issue 16, point 3): a manager acknowledges a report (the version
read), comment threads; an edit after the acknowledgement shows it unacknowledged."""

from small_plan import report
from sqlalchemy import select

from dkbuza_kit.models import OutboxEvent


async def test_acknowledgement_and_comment_thread(client, harness, plan):
    manager, t2 = plan["manager"], plan["periods"]["2030-T2"]
    team_a = harness.headers("planning.reporter", teams=["team-a"], sub="reporter-a")
    team_b = harness.headers("planning.reporter", teams=["team-b"], sub="reporter-b")
    created = await report(client, team_a, plan["ini"]["1.1-01"], t2, "attention_needed",
                           explanation="leverancier laat")
    assert created.status_code == 201, created.text
    report_id = created.json()["id"]
    url = f"/v1/status-reports/{report_id}"

    no_etag = await client.post(f"{url}/acknowledgement", headers=manager)
    assert no_etag.status_code == 428
    by_reporter = await client.post(f"{url}/acknowledgement",
                                    headers={**team_a, "If-Match": '"1"'})
    assert by_reporter.status_code == 403
    ack = await client.post(f"{url}/acknowledgement", headers={**manager, "If-Match": '"1"'})
    assert ack.status_code == 200, ack.text
    assert (ack.json()["acknowledged_version"], ack.json()["acknowledged_by"]) == (2, "tester")
    assert ack.headers["ETag"] == '"2"'
    shown = (await client.get(url, headers=manager)).json()
    assert (shown["acknowledged_version"], shown["version"]) == (2, 2)

    question = await client.post(f"{url}/comments", headers=manager,
                                 json={"body": "Welke nieuwe datum?"})
    assert question.status_code == 201, question.text
    answer = await client.post(f"{url}/comments", headers=team_a, json={
        "body": "=Eind september", "reply_to_id": question.json()["id"]})
    assert answer.status_code == 201, answer.text
    other_team = await client.post(f"{url}/comments", headers=team_b, json={"body": "ik ook"})
    assert (other_team.status_code, other_team.json()["code"]) == (403, "NOT_YOUR_TEAM")
    foreign_reply = await client.post(f"{url}/comments", headers=manager,
                                      json={"body": "x", "reply_to_id": 999999})
    assert (foreign_reply.status_code, foreign_reply.json()["code"]) == (404, "COMMENT_NOT_FOUND")
    thread = (await client.get(f"{url}/comments",
                               headers=harness.headers("planning.reader"))).json()
    assert [(c["author"], c["body"], c["reply_to_id"]) for c in thread] == [
        ("tester", "Welke nieuwe datum?", None),
        ("reporter-a", "=Eind september", question.json()["id"])]

    edited = await client.put(url, headers={**team_a, "If-Match": '"2"'}, json={
        "status": "attention_needed", "explanation": "nieuwe datum: eind september"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["acknowledged_version"], edited.json()["version"]) == (2, 3)
    async with harness.sessionmaker() as session:
        types = (await session.scalars(select(OutboxEvent.type))).all()
    assert {"report.acknowledged", "report.commented"} <= set(types)
