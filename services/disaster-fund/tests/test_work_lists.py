"""Issue 15 P3: work lists (my dossiers, priority first, filters, search), the expert follow-up
report and the appeals report."""

from df_support import at
from df_support import set_now


async def listing(api, headers=None, **params):
    response = await api.client.get("/v1/applications", headers=headers or api.handler,
                                    params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_my_dossiers_priority_first_filters_and_search(api, harness):
    disaster = await api.published_disaster()
    plain = await api.submit(disaster["id"], headers=api.citizen("a"))
    urgent = await api.submit(disaster["id"], headers=api.citizen("b"), priority_requested=True,
                              priority_reason="woning onbewoonbaar")
    paper = await api.submit(disaster["id"], headers=api.handler, applicant_id="burger-7",
                             applicant_name="Jan Peeters_50%", received_at="2024-09-20T10:00:00Z")
    await api.step(plain["id"], "intake")                      # handler-1
    other = api.h("vrf.handler", sub="handler-2")
    intake = await api.step(urgent["id"], "intake", headers=other)
    everything = await listing(api)
    assert [a["id"] for a in everything["items"]][0] == urgent["id"]   # priority first
    mine = await listing(api, mine="true")
    assert [a["id"] for a in mine["items"]] == [plain["id"]]
    assert [a["id"] for a in (await listing(api, headers=other, mine="true"))["items"]] == \
        [urgent["id"]]
    assert [a["id"] for a in (await listing(api, priority="true"))["items"]] == [urgent["id"]]
    by_number = await listing(api, q=intake["dossier_number"])
    assert [a["id"] for a in by_number["items"]] == [urgent["id"]]
    by_name = await listing(api, q="peeters_50%")
    assert [a["id"] for a in by_name["items"]] == [paper["id"]]
    assert (await listing(api, q="peeters_5x"))["total"] == 0   # _ and % are literal
    assert (await listing(api, q="burger-7"))["items"][0]["id"] == paper["id"]
    assert {a["id"] for a in (await listing(api, phase="intake"))["items"]} == \
        {plain["id"], urgent["id"], paper["id"]}
    set_now(harness, at(2024, 11, 20))   # intake norm 30 days: all overdue
    overdue = await listing(api, norm_status="overdue")
    assert overdue["total"] == 3
    assert (await listing(api, norm_status="at_risk"))["total"] == 0
    expert = await api.client.get("/v1/applications", headers=api.expert(),
                                  params={"mine": "true"})
    assert expert.json()["total"] == 0


async def test_expert_follow_up_and_appeals_reports(api, client, harness):
    disaster = await api.published_disaster()
    reported = await api.submit(disaster["id"], headers=api.citizen("a"))
    waiting = await api.submit(disaster["id"], headers=api.citizen("b"))
    await api.to_report_sent(reported["id"], expert="expert-1")   # assigned and sent today
    await api.step(waiting["id"], "intake")
    await api.step(waiting["id"], "expert_assigned", expert_sub="expert-1")
    set_now(harness, at(2025, 3, 1))   # 151 days: past the expertise norm of 120
    experts = (await client.get("/v1/applications/reports/experts", headers=api.manager)).json()
    assert experts == [{"expert_sub": "expert-1", "dossiers": 2, "open_assignments": 1,
                        "reports_sent": 1, "overdue": 1, "lead_time_avg_days": 0.0}]
    await api.step(reported["id"], "report_accepted", headers=api.citizen("a"))
    await client.post(f"/v1/applications/{reported['id']}/decisions", headers=api.manager,
                      json={})
    await api.step(reported["id"], "decision_notified", on="2025-03-01")
    await client.post(f"/v1/applications/{reported['id']}/appeals", headers=api.handler,
                      json={"lodged_on": "2025-03-01", "reason": "bedrag te laag"})
    appeals = (await client.get("/v1/applications/reports/appeals", headers=api.manager)).json()
    assert appeals["total"] == 1
    row = appeals["items"][0]
    assert (row["application_id"], row["status"], row["out_of_time"]) == \
        (reported["id"], "open", False)
    assert row["reference"] == disaster["reference"]
