"""Issue 15 P3: corrections with If-Match and a new decision version; payee with a validated
IBAN; four-eyes approval of payment orders."""

import asyncio

from df_support import problem_code
from sqlalchemy import text

IBAN = "BE71 0961 2345 6769"


async def patch(api, application_id, body, etag=None):
    url = f"/v1/applications/{application_id}"
    if etag is None:
        etag = (await api.client.get(url, headers=api.handler)).headers["ETag"]
    return await api.client.patch(url, headers={**api.handler, "If-Match": etag}, json=body)


async def test_insurer_payout_after_the_decision_yields_a_new_decision_version(api, harness):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    aid = application["id"]
    first = await api.to_decided(aid)           # 10000 - 500 franchise = 9500 -> 8550
    assert first["amount"] == "8550.00"
    missing = await api.client.patch(f"/v1/applications/{aid}", headers=api.handler,
                                     json={"insured": True, "insurance_compensation": "2000"})
    assert missing.status_code == 428
    inconsistent = await patch(api, aid, {"insurance_compensation": "2000.00"})
    assert problem_code(inconsistent) == "INSURANCE_INCONSISTENT"
    corrected = await patch(api, aid, {"insured": True, "insurance_compensation": "2000.00",
                                       "insurer_name": "Verzekeraar NV"})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["decision_version"] == 2
    decisions = (await api.client.get(f"/v1/applications/{aid}/decisions",
                                      headers=api.handler)).json()
    assert [(d["version"], d["kind"]) for d in decisions] == [(1, "initial"), (2, "correction")]
    assert decisions[0]["superseded_at"] is not None and decisions[1]["superseded_at"] is None
    # 10000 - 2000 insured - 500 franchise = 7500 -> 90 % = 6750, same rule-set version.
    assert decisions[1]["amount"] == "6750.00"
    assert decisions[1]["rule_set_id"] == decisions[0]["rule_set_id"]
    async with harness.sessionmaker() as session:
        audited = await session.scalar(text(
            "SELECT count(*) FROM audit_events WHERE entity_id = :id AND action = 'corrected'"),
            {"id": aid})
    assert audited == 1


async def test_payee_needs_a_valid_iban_and_fits_the_dossier(api):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    aid = application["id"]
    bad = await patch(api, aid, {"payee": {"kind": "applicant", "name": "J. Peeters",
                                           "iban": "BE00 0000 0000 0000"}})
    assert bad.status_code == 422
    insurer = await patch(api, aid, {"payee": {"kind": "insurer", "name": "Verzekeraar NV",
                                               "iban": IBAN}})
    assert problem_code(insurer) == "PAYEE_INCONSISTENT"
    ok = await patch(api, aid, {"payee": {"kind": "applicant", "name": "J. Peeters", "iban": IBAN},
                                "contact_email": "j.peeters@example.be"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["payee_iban"] == "BE71096123456769" and ok.json()["payee_kind"] == "applicant"


async def test_parallel_corrections_with_one_etag_one_wins_one_412(api):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    aid = application["id"]
    for round_ in range(20):
        etag = (await api.client.get(f"/v1/applications/{aid}", headers=api.handler)
                ).headers["ETag"]
        answers = await asyncio.gather(*(patch(api, aid, {"contact_phone": f"+32 9 {round_}{n}0000"},
                                               etag) for n in range(2)))
        assert sorted(r.status_code for r in answers) == [200, 412], [r.text for r in answers]


async def test_an_unapproved_payment_order_above_the_threshold_is_not_executable(api, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"], amount="100000.00")
    aid = application["id"]
    await patch(api, aid, {"payee": {"kind": "applicant", "name": "J. Peeters", "iban": IBAN}})
    await api.to_final(aid, assessed="100000.00", received_on="2024-10-01")
    order = await client.post("/v1/payments", headers=api.handler, json={"application_id": aid})
    assert order.status_code == 201, order.text
    payment = order.json()
    assert payment["needs_approval"] is True and payment["payee_iban"] == "BE71096123456769"
    url = f"/v1/payments/{payment['id']}"
    refused = await client.post(f"{url}/execution", headers=api.manager, json={})
    assert refused.status_code == 409 and problem_code(refused) == "PAYMENT_NOT_APPROVED"
    assert (await client.get(url, headers=api.manager)).json()["state"] == "ordered"
    own = await client.post(f"{url}/approval", headers=api.handler)
    assert own.status_code == 403 and problem_code(own) == "SECOND_PERSON_REQUIRED"
    approved = await client.post(f"{url}/approval", headers=api.manager)
    assert approved.status_code == 200 and approved.json()["approved_by"] == "manager-1"
    executed = await client.post(f"{url}/execution", headers=api.manager, json={})
    assert executed.status_code == 200, executed.text


async def test_small_payment_orders_need_no_second_person(api, client):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    await api.to_final(application["id"], received_on="2024-10-01")
    payment = (await client.post("/v1/payments", headers=api.handler,
                                 json={"application_id": application["id"]})).json()
    assert payment["needs_approval"] is False
    approval = await client.post(f"/v1/payments/{payment['id']}/approval", headers=api.manager)
    assert problem_code(approval) == "PAYMENT_APPROVAL_NOT_NEEDED"


async def test_sampled_decisions_get_a_recorded_review_by_a_second_person(api, client):
    listing = (await client.get("/v1/rule-sets", headers=api.manager)).json()
    items = listing["items"] if isinstance(listing, dict) else listing
    base = next(r for r in items if r["regime"] == "regime_2019")
    assert base["content"]["review_sample_share"] == "0.05"
    added = await client.post("/v1/rule-sets", headers=api.manager, json={
        "regime": "regime_2019", "applies_from": "2020-01-01",
        "content": {**base["content"], "review_sample_share": "1"}})
    assert added.status_code == 201, added.text
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    decision = await api.to_decided(application["id"])
    assert decision["review_selected"] is True
    url = f"/v1/applications/{application['id']}/decisions/1/review"
    own = await client.post(url, headers=api.manager, json={"outcome": "confirmed"})
    assert own.status_code == 403 and problem_code(own) == "SECOND_PERSON_REQUIRED"
    other = api.h("vrf.manager", sub="manager-2")
    reviewed = await client.post(url, headers=other, json={"outcome": "confirmed", "note": "ok"})
    assert reviewed.status_code == 200, reviewed.text
    assert (reviewed.json()["review_outcome"], reviewed.json()["reviewed_by"]) == \
        ("confirmed", "manager-2")
    again = await client.post(url, headers=other, json={"outcome": "to_rectify"})
    assert problem_code(again) == "REVIEW_NOT_OPEN"
