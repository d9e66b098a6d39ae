"""A denial notice blocks only an essentially identical transaction: same party (name and
country) and same goods category (`ML<n>`, or the Annex I entry such as `5A002`)."""

import pytest

from export_control.screening.matching import goods_category_key
from export_control.screening.matching import notice_covers_goods

from .test_screening import END_USER
from .test_screening import notice


@pytest.mark.parametrize(("entry", "key"), [
    ("", None),
    ("XYZ", None),
    ("ML8", "ML8"),
    ("ML8.a.1", "ML8"),
    ("ml8a1", "ML8"),
    ("ML10.b", "ML10"),
    ("5A002", "5A002"),
    ("5a002a1", "5A002"),
    ("1C350.d.7", "1C350"),
])
def test_goods_category_key(entry, key):
    assert goods_category_key(entry) == key


@pytest.mark.parametrize(("notice_entry", "line_entries", "covers"), [
    # No entry on the notice (or an unreadable one): kept on the party match (fails closed).
    (None, ["ML5.a"], True),
    ("", ["ML5.a"], True),
    ("not-an-entry", ["5A002"], True),
    # An application without goods lines has nothing to match.
    ("ML5", [], False),
    # Military: the ML category decides; sub-items do not matter.
    ("ML8.a.1", ["ML8"], True),
    ("ML8", ["ML8.b.2"], True),
    ("ML8.a", ["ML5.a"], False),
    ("ML1", ["ML10.a", "ML11"], False),  # ML1 is not a prefix match for ML10 / ML11
    ("ML1.a", ["ML10.a", "ML1.b"], True),  # one matching line is enough
    # Dual-use: the five-character Annex I entry decides.
    ("5A002.a.1", ["5A002"], True),
    ("5A002", ["5A002.b"], True),
    ("5A002", ["5A003"], False),
    ("5A002", ["5D002"], False),  # the software entry is another entry
    ("5A002", ["5B002"], False),
    ("1C350", ["2C350"], False),
    # Regimes never match each other.
    ("ML5", ["5A002"], False),
    ("5A002", ["ML5.a"], False),
])
def test_notice_covers_goods(notice_entry, line_entries, covers):
    assert notice_covers_goods(notice_entry, line_entries) is covers


async def screening_hits(flow, app_id):
    r = await flow.c.get(f"/v1/applications/{app_id}/screening-hits", headers=flow.officer)
    assert r.status_code == 200, r.text
    return [(h["source"], h["listed_reference"]) for h in r.json()]


async def test_notice_for_other_goods_does_not_block_the_grant(flow):
    # Same party and country, but ML8 (explosives) against an application for ML5 sights.
    await notice(flow, "2025-06-01", control_entry="ML8.a.1", reference="DE-ML8")
    app = await flow.submitted(parties=[END_USER])
    assert await screening_hits(flow, app["id"]) == []
    app = await flow.to_countersigned(app)
    assert app["decision_authority"] == "delegated"
    decision = await flow.decide(app["id"], flow.head)
    assert decision["granted_despite_denial"] is False


async def test_notice_for_the_same_category_blocks_the_grant(flow):
    await notice(flow, "2025-06-01", control_entry="ML8.a.1", reference="DE-ML8")
    # ML5.b is the same category as the notice's ML5.a: an essentially identical transaction.
    await notice(flow, "2025-06-01", control_entry="ML5.b", reference="DE-ML5")
    app = await flow.submitted(parties=[END_USER])
    assert await screening_hits(flow, app["id"]) == [("denial_notice", "DE-ML5")]
    app = await flow.to_countersigned(app)
    r = await flow.c.post(f"/v1/applications/{app['id']}/decision", headers=flow.head,
                          json={"outcome": "granted"})
    assert (r.status_code, r.json()["code"]) == (409, "DENIAL_CONSULTATION_REQUIRED")


async def test_dual_use_notice_matches_on_the_annex_entry(flow):
    dual_use = {"application_type": "dual_use_individual_export", "parties": [END_USER]}
    await notice(flow, "2025-06-01", control_entry="5A003", reference="DE-5A003")
    other = await flow.submitted(**dual_use, lines=[
        {"description": "Crypto", "control_entry": "5A002.a.1", "quantity": "3",
         "unit": "pieces", "value_eur": "1000.00"}])
    assert await screening_hits(flow, other["id"]) == []
    await notice(flow, "2025-06-01", control_entry="5a002", reference="DE-5A002")
    same = await flow.submitted(**dual_use, lines=[
        {"description": "Crypto", "control_entry": "5A002.a.1", "quantity": "3",
         "unit": "pieces", "value_eur": "1000.00"}])
    assert await screening_hits(flow, same["id"]) == [("denial_notice", "DE-5A002")]
