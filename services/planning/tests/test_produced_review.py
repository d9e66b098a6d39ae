"""This year's look-back produced from the final reports (issue 16, point 4), in the shape of
an imported one and comparable with it. Fixture year 2030: alfa on_track in T1 then done in T2,
beta action_needed in T1 only, delta attention_needed in T2, gamma never reported."""

from small_plan import report


async def test_look_back_produced_from_the_final_reports(client, harness, plan):
    manager, ini = plan["manager"], plan["ini"]
    t1, t2 = plan["periods"]["2030-T1"], plan["periods"]["2030-T2"]
    assert (await report(client, manager, ini["1.1-01"], t1, "on_track")).status_code == 201
    assert (await report(client, manager, ini["1.1-02"], t1, "action_needed", explanation="x",
                         corrective_action="y")).status_code == 201
    assert (await report(client, manager, ini["2.1-01"], t2, "attention_needed",
                         explanation="z")).status_code == 201
    for result in (await client.get("/v1/expected-results", headers=manager,
                                    params={"initiative_id": ini["1.1-01"]})).json()["items"]:
        await client.patch(f"/v1/expected-results/{result['id']}", headers={
            **manager, "If-Match": f'"{result["version"]}"'},
            json={"state": "dropped", "dropped_reason": "niet meer nodig"})
    assert (await report(client, manager, ini["1.1-01"], t2, "done")).status_code == 201

    refused = await client.post("/v1/reviews/produce", headers=harness.headers("planning.reader"),
                                json={"plan_year": 2030})
    assert refused.status_code == 403
    produced = await client.post("/v1/reviews/produce", headers=manager, json={"plan_year": 2030})
    assert produced.status_code == 201, produced.text
    review = produced.json()
    assert (review["year"], review["origin"], review["printed_total"]) == (2030, "produced", None)
    assert review["counts"] == {"on_track": 0, "attention_needed": 1, "action_needed": 1,
                                "done": 1, "not_reported": 1}
    assert (review["listed_total"], review["counts_match"]) == (4, None)
    done = (await client.get(f"/v1/reviews/{review['id']}/items", headers=manager,
                             params={"final_status": "done"})).json()["items"]
    assert [(i["title"], i["initiative_id"]) for i in done] == [
        ("PROJECT ALFA MET EEN TITEL DIE OVER TWEE REGELS LOOPT", ini["1.1-01"])]

    again = await client.post("/v1/reviews/produce", headers=manager, json={"plan_year": 2030})
    assert again.status_code == 201  # produced anew, not duplicated
    reviews = (await client.get("/v1/reviews", headers=manager)).json()
    assert [r["origin"] for r in reviews["items"]] == ["produced"]

    # comparable with a printed one: here with itself, nothing listed on one side only
    same = (await client.get(f"/v1/reviews/{again.json()['id']}/comparison", headers=manager,
                             params={"other": again.json()["id"]})).json()
    assert (same["only_in_review"], same["only_in_other"]) == ([], [])
    assert same["review"]["counts"] == same["other"]["counts"]
