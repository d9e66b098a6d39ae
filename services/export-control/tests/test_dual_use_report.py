"""The EU dual-use annual data (Regulation (EU) 2021/821, Article 26) against a hand-computed
fixture: dual-use decisions only, each application once, per destination/category and per
authorisation type."""

CH_PARTY = [{"role": "end_user", "name": "Swiss Telecom AG", "address": "Bern", "country": "CH"}]


def _dual(entry, value, kind="dual_use_individual_export", country="CH"):
    return {"application_type": kind, "destination_country": country,
            "parties": [dict(CH_PARTY[0], country=country)],
            "lines": [{"description": "item", "control_entry": entry, "quantity": "1",
                       "unit": "pieces", "value_eur": value}]}


async def test_dual_use_annual_matches_the_hand_computed_fixture(flow):
    # Granted: CH 5A002 900.00 (individual), CH 1C350 500.00 (global). Refused: SG 5A002 300.00.
    # A military grant (NO, ML5) must not appear.
    for body, outcome in [(_dual("5A002.a.1", "900.00"), "granted"),
                          (_dual("1C350.1", "500.00", "dual_use_global_export"), "granted"),
                          (_dual("5A002.a.1", "300.00", country="SG"), "refused")]:
        app = await flow.to_countersigned(await flow.submitted(**body))
        extra = {"refusal_criteria": [7]} if outcome == "refused" else {}
        await flow.decide(app["id"], flow.head, outcome=outcome, **extra)
    await flow.granted_licence()  # military, NO
    report = await flow.report("dual-use-annual", year="2026")
    assert report["totals"] == {"granted": 2, "refused": 1}
    assert report["rows"] == [
        {"destination_country": "CH", "category": "1", "granted": 1, "granted_value": "500.00",
         "refused": 0, "refused_value": "0.00"},
        {"destination_country": "CH", "category": "5", "granted": 1, "granted_value": "900.00",
         "refused": 0, "refused_value": "0.00"},
        {"destination_country": "SG", "category": "5", "granted": 0, "granted_value": "0.00",
         "refused": 1, "refused_value": "300.00"},
    ]
    assert report["by_authorisation_type"] == [
        {"authorisation_type": "dual_use_global_export", "category": "1", "granted": 1,
         "granted_value": "500.00", "refused": 0, "refused_value": "0.00"},
        {"authorisation_type": "dual_use_individual_export", "category": "5", "granted": 1,
         "granted_value": "900.00", "refused": 1, "refused_value": "300.00"},
    ]
    assert report["refusal_criteria"] == [{"criterion": 7, "refusals": 1}]
    r = await flow.c.get("/v1/reports/dual-use-annual.xlsx", headers=flow.officer,
                         params={"year": "2026"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
