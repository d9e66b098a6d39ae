"""Mandatory refusals as data: an EU arms embargo or export ban refuses a grant for every role
and route, names its legal act and article, and yields only to an exception the act provides,
signed by the head and the minister. Routing reads the same data."""

from sqlalchemy import func
from sqlalchemy import select

from export_control.applications.models import Decision
from export_control.embargoes.rules import EmbargoList
from export_control.embargoes.rules import default_list
from export_control.embargoes.rules import measures_for
from export_control.licences.models import Licence

RU_AMMUNITION = {"application_type": "military_export", "destination_country": "RU",
                 "lines": [{"description": "Ammunition", "control_entry": "ML3.a",
                            "quantity": "100", "unit": "pieces", "value_eur": "5000.00"}],
                 "parties": [{"role": "end_user", "name": "Rosoboronexport buyer",
                              "address": "Moscow", "country": "RU"}]}


async def _counts(flow) -> tuple[int, int]:
    async with flow.h.sessionmaker() as session:
        return (await session.scalar(select(func.count()).select_from(Licence)),
                await session.scalar(select(func.count()).select_from(Decision)))


async def _at_minister(flow, **overrides) -> dict:
    app = await flow.submitted(**(RU_AMMUNITION | overrides))
    app = await flow.to_countersigned(app)
    return app


def test_default_list_routes_cn_ly_sd_ss_as_embargoes_with_their_acts():
    embargoes = EmbargoList.model_validate(default_list())
    from datetime import date
    on = date(2026, 12, 6)
    found = {c: measures_for(embargoes.measures, c, {"military"}, on) for c in
             ("CN", "LY", "SD", "SS")}
    assert all(found.values()), found
    assert {c: found[c][0].legal_act for c in ("LY", "SD", "SS")} == {
        "LY": "Council Decision (CFSP) 2015/1333", "SD": "Council Decision 2014/450/CFSP",
        "SS": "Council Decision (CFSP) 2015/740"}
    assert all(found[c][0].mandatory for c in ("LY", "SD", "SS"))
    # The 1989 Madrid declaration is not a legal act: routed, not refused automatically.
    assert not found["CN"][0].mandatory and "not a legal act" in found["CN"][0].note
    # Russia and Belarus: arms embargo and the dual-use ban.
    for country in ("RU", "BY"):
        scopes = {m.goods_scope for m in measures_for(embargoes.measures, country,
                                                      {"military", "dual_use"}, on)}
        assert scopes == {"military", "dual_use"}
    assert embargoes.as_of.isoformat() == "2026-12-06"


async def test_grant_to_embargoed_destination_refused_for_every_role_and_route(flow):
    app = await _at_minister(flow)
    assert app["track"] == "complex" and app["decision_authority"] == "minister"
    # The head at the countersigned step: the law, not the routing, answers.
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.head,
                          json={"outcome": "granted"})
    assert (r.status_code, r.json()["code"]) == (409, "EMBARGO_REFUSAL")
    basis = r.json()["legal_basis"]
    assert basis == [{"measure_id": "RU-arms", "legal_act": "Council Decision 2014/512/CFSP",
                      "article": "Article 2(1)", "goods_scope": "military", "country": "RU"}]
    await flow.move(app["id"], "with_minister", flow.head)
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.minister,
                          json={"outcome": "granted_with_conditions", "conditions": "none"})
    assert (r.status_code, r.json()["code"]) == (409, "EMBARGO_REFUSAL")
    assert await _counts(flow) == (0, 0)
    # A refusal stays possible.
    refused = await flow.decide(app["id"], flow.minister, outcome="refused",
                                refusal_criteria=[1])
    assert refused["licence_id"] is None


async def test_dual_use_ban_on_russia_refuses_with_regulation_833(flow):
    app = await _at_minister(flow, application_type="dual_use_individual_export", lines=[
        {"description": "Crypto modules", "control_entry": "5A002.a.1", "quantity": "3",
         "unit": "pieces", "value_eur": "900.00"}])
    await flow.move(app["id"], "with_minister", flow.head)
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.minister,
                          json={"outcome": "granted"})
    assert (r.status_code, r.json()["code"]) == (409, "EMBARGO_REFUSAL")
    assert r.json()["legal_basis"][0]["legal_act"] == "Council Regulation (EU) No 833/2014"


async def test_exception_needs_the_acts_article_and_both_sign_offs(flow):
    app = await _at_minister(flow)
    url = f"/v1/applications/{app['id']}/embargo-exceptions"
    r = await flow.c.post(url, headers=flow.head, json={
        "measure_id": "RU-arms", "article": "Article 99", "justification": "made up"})
    assert (r.status_code, r.json()["code"]) == (422, "EMBARGO_EXCEPTION_INVALID")
    assert r.json()["allowed_articles"] == ["Article 2(3)"]
    r = await flow.c.post(url, headers=flow.officer, json={
        "measure_id": "RU-arms", "article": "Article 2(3)", "justification": "contract 2013"})
    assert r.status_code == 403
    r = await flow.c.post(url, headers=flow.head, json={
        "measure_id": "RU-arms", "article": "Article 2(3)",
        "justification": "contract concluded on 3 March 2014"})
    assert r.status_code == 201, r.text
    exception = r.json()
    assert exception["head_signed_by"] == "head-1" and exception["minister_signed_by"] is None
    await flow.move(app["id"], "with_minister", flow.head)
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.minister,
                          json={"outcome": "granted"})
    assert r.json()["code"] == "EMBARGO_REFUSAL"  # the head alone is not enough
    r = await flow.c.post(f"{url}/{exception['id']}/sign", headers=flow.minister)
    assert r.status_code == 200 and r.json()["minister_signed_by"] == "minister"
    r = await flow.c.post(f"{url}/{exception['id']}/sign", headers=flow.minister)
    assert r.json()["code"] == "EMBARGO_EXCEPTION_SIGNED"
    decision = await flow.decide(app["id"], flow.minister)
    assert decision["licence_id"] is not None


async def test_a_new_list_version_applies_to_reissues_and_never_edits_the_old(flow):
    licence = await flow.granted_licence()  # NO: no measure
    lists = (await flow.c.get("/v1/embargo-lists", headers=flow.officer)).json()
    assert [v["version"] for v in lists] == ["2026.12"]
    content = lists[0]["content"]
    new = dict(content, version="2026.12-test", measures=content["measures"] + [{
        "id": "NO-test", "country": "NO", "goods_scope": "military", "mandatory": True,
        "partial": False, "legal_act": "Test Decision", "article": "Article 1",
        "in_force_from": "2026-01-01", "source": "test", "exceptions": []}])
    r = await flow.c.post("/v1/embargo-lists", headers=flow.officer, json=new)
    assert r.status_code == 403
    r = await flow.c.post("/v1/embargo-lists", headers=flow.head, json=new)
    assert r.status_code == 201, r.text
    r = await flow.c.post("/v1/embargo-lists", headers=flow.head, json=new)
    assert r.json()["code"] == "EMBARGO_LIST_VERSION_EXISTS"
    bad = dict(new, version="bad", measures=[dict(new["measures"][0], country="XX")])
    assert (await flow.c.post("/v1/embargo-lists", headers=flow.head, json=bad)).status_code == 422
    r = await flow.c.post(f"/v1/licences/{licence['id']}/reissue", headers=flow.head,
                          json={"reason": "new address"})
    assert (r.status_code, r.json()["code"]) == (409, "EMBARGO_REFUSAL")
    lists = (await flow.c.get("/v1/embargo-lists", headers=flow.officer)).json()
    old = next(v for v in lists if v["version"] == "2026.12")
    assert old["content"] == content and not old["active"]


async def test_routing_names_the_embargo_measure(flow):
    for country in ("LY", "SD", "SS", "CN"):
        app = await flow.submitted(**(RU_AMMUNITION | {"destination_country": country,
                                                       "parties": [dict(
                                                           RU_AMMUNITION["parties"][0],
                                                           country=country)]}))
        assert (app["track"], app["decision_authority"]) == ("complex", "minister"), country
        r = await flow.c.get(f"/v1/applications/{app['id']}/routing-results",
                             headers=flow.officer)
        result = r.json()[-1]
        assert any(f"{country}-arms" in reason for reason in result["reasons"]), result
        assert result["inputs"]["embargo_measures"][0].startswith(f"{country}-arms")
