"""Documents of dossiers and decision letters: access exactly as the dossier, a citizen never
sees another citizen's documents, the letter carries the decision's amount and appeal route."""

import io
from datetime import date

import pytest
from df_support import at
from df_support import problem_code
from df_support import set_now
from pypdf import PdfReader
from sqlalchemy import text

from disaster_fund.documents.letters import appeal_term
from disaster_fund.documents.letters import nl_date

PDF_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def upload(api, owner, kind, content, headers, filename="stuk"):
    return api.client.post(f"/v1/applications/{owner}/documents", data={"kind": kind},
                           files={"file": (filename, content, "application/octet-stream")},
                           headers=headers)


async def test_citizen_documents_are_their_own(api):
    disaster = await api.published_disaster()
    mine = await api.submit(disaster["id"], headers=api.citizen("citizen-1"))
    stored = await upload(api, mine["id"], "photo", JPEG, api.citizen("citizen-1"), "keuken.jpg")
    assert stored.status_code == 201, stored.text
    assert stored.json()["media_type"] == "image/jpeg"
    other = api.citizen("citizen-2")
    assert (await upload(api, mine["id"], "photo", JPEG, other)).status_code == 404
    listed = await api.client.get(f"/v1/applications/{mine['id']}/documents", headers=other)
    assert listed.status_code == 404
    download = await api.client.get(
        f"/v1/applications/{mine['id']}/documents/{stored.json()['id']}/content", headers=other)
    assert download.status_code == 404
    handler = await api.client.get(f"/v1/applications/{mine['id']}/documents",
                                   headers=api.handler)
    assert [d["kind"] for d in handler.json()] == ["photo"]


async def test_a_pdf_is_not_a_photo(api):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"])
    refused = await upload(api, application["id"], "photo", PDF_HEADER, api.citizen())
    assert (refused.status_code, problem_code(refused)) == (415, "DOCUMENT_TYPE_MISMATCH")


async def test_decision_letter_reads_back(api):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"], amount="25000.00")
    await api.to_decided(application["id"], assessed="20500.00")
    # The letter is dated Wednesday 23 December 2026 (Brussels); presumed received on the 3rd
    # working day after it: 24 Dec (1), Christmas and the weekend skipped, 28 Dec (2),
    # 29 Dec (3); the 1-month appeal term of the seeded rule set ends on 29 January 2027.
    set_now(api.harness, at(2026, 12, 23, 10))
    url = f"/v1/applications/{application['id']}/decisions/1/letter"
    assert (await api.client.post(url, headers=api.citizen())).status_code == 403
    letter = await api.client.post(url, headers=api.handler)
    assert letter.status_code == 201, letter.text
    again = await api.client.post(url, headers=api.handler)
    assert again.json()["id"] == letter.json()["id"]  # one letter per decision version
    content = await api.client.get(
        f"/v1/applications/{application['id']}/documents/{letter.json()['id']}/content",
        headers=api.citizen())
    assert content.status_code == 200
    text = PdfReader(io.BytesIO(content.content)).pages[0].extract_text()
    assert "EUR 16.000,00" in text and "hof van beroep" in text
    assert "regime_2019" in text and "1 maand(en) na ontvangst" in text
    assert "geacht ontvangen te zijn op 29 december 2026" in text
    assert "tot en met 29 januari 2027" in text
    missing = await api.client.post(f"/v1/applications/{application['id']}/decisions/9/letter",
                                    headers=api.handler)
    assert problem_code(missing) == "DECISION_NOT_FOUND"


async def test_intake_waits_for_the_required_documents(api):
    disaster = await api.published_disaster()
    application = await api.submit(disaster["id"], insured=True, insurer_name="Verzekeraar NV")
    aid = application["id"]
    blocked = await api.step(aid, "intake", documents=False, expect=409)
    assert blocked["code"] == "REQUIRED_DOCUMENTS_MISSING"
    assert blocked["missing"] == ["photo", "estimate_or_invoice", "insurer_statement"]
    await api.provide_documents(aid, ("photo", "invoice"))
    checklist = (await api.client.get(f"/v1/applications/{aid}/document-checklist",
                                      headers=api.citizen())).json()
    assert checklist["missing"] == ["insurer_statement"]
    assert checklist["requirements"][1]["present"] == {"invoice": "uploaded"}
    assert (await api.step(aid, "intake", documents=False, expect=409))["missing"] == [
        "insurer_statement"]
    await api.provide_documents(aid, ("insurer_statement",))
    assert (await api.step(aid, "intake", documents=False))["state"] == "intake"


async def test_a_withdrawn_document_no_longer_counts(api):
    disaster = await api.published_disaster()
    aid = (await api.submit(disaster["id"]))["id"]
    photo, _ = await api.provide_documents(aid, ("photo", "estimate"))
    withdrawn = await api.client.post(
        f"/v1/applications/{aid}/documents/{photo['id']}/withdrawal", headers=api.handler,
        json={"reason": "verkeerde foto"})
    assert withdrawn.status_code == 200, withdrawn.text
    blocked = await api.step(aid, "intake", documents=False, expect=409)
    assert blocked["missing"] == ["photo"]


async def test_paper_documents_are_recorded_and_audited(api):
    disaster = await api.published_disaster()
    aid = (await api.submit(disaster["id"]))["id"]
    url = f"/v1/applications/{aid}/paper-documents"
    body = {"kind": "photo", "received_on": "2024-10-01", "reason": "papieren dossier, foto's"}
    assert (await api.client.post(url, json=body, headers=api.citizen())).status_code == 403
    refused = await api.client.post(url, json={**body, "kind": "insurer_statement"},
                                    headers=api.handler)
    assert problem_code(refused) == "DOCUMENT_NOT_REQUIRED"  # not insured: not required
    for kind in ("photo", "estimate"):
        recorded = await api.client.post(url, json={**body, "kind": kind}, headers=api.handler)
        assert recorded.status_code == 201, recorded.text
    checklist = (await api.client.get(f"/v1/applications/{aid}/document-checklist",
                                      headers=api.handler)).json()
    assert checklist["missing"] == [] and checklist["requirements"][0]["present"] == {
        "photo": "paper"}
    assert (await api.step(aid, "intake", documents=False))["state"] == "intake"
    async with api.harness.sessionmaker() as session:
        rows = (await session.execute(text(
            "SELECT actor, reason, data->>'kind' FROM audit_events WHERE entity_id = :id "
            "AND action = 'document.received_on_paper' ORDER BY occurred_at"), {"id": aid})).all()
    assert [tuple(r) for r in rows] == [("handler-1", body["reason"], "photo"),
                                        ("handler-1", body["reason"], "estimate")]


@pytest.mark.parametrize(("letter_date", "months", "received", "last_day"), [
    # Monday: received Thursday, term to the same day number next month: 5 April 2026 is
    # Easter Sunday and 6 April Easter Monday, so the last day is Tuesday 7 April (art. 53)
    (date(2026, 3, 2), 1, date(2026, 3, 5), date(2026, 4, 7)),
    # received on 31 January: February has no 31st, the term ends on its last day, a Sunday
    # in 2027: moved to Monday 1 March
    (date(2027, 1, 26), 1, date(2027, 1, 29), date(2027, 3, 1)),
    # leap year: received Monday 31 January 2028, the term ends on 29 February
    (date(2028, 1, 26), 1, date(2028, 1, 31), date(2028, 2, 29)),
    # received 31 March, 3 months: 30 June (June has 30 days)
    (date(2026, 3, 26), 3, date(2026, 3, 31), date(2026, 6, 30)),
    # Friday before Easter: the weekend and Easter Monday (6 April 2026) skipped, 7 (1),
    # 8 (2), received Thursday 9 April; 9 May 2026 is a Saturday: Monday 11 May
    (date(2026, 4, 3), 1, date(2026, 4, 9), date(2026, 5, 11)),
    # over the new year: 31 Dec, 1 Jan (holiday), weekend -> received 5 January 2027
    (date(2026, 12, 30), 1, date(2027, 1, 5), date(2027, 2, 5)),
])
def test_appeal_term_from_the_letter_date(letter_date, months, received, last_day):
    term = appeal_term(letter_date, months, working_days=3)
    assert (term.presumed_received_on, term.last_day) == (received, last_day)


def test_dutch_dates():
    assert nl_date(date(2028, 2, 29)) == "29 februari 2028"
    assert nl_date(date(2027, 1, 5)) == "5 januari 2027"
