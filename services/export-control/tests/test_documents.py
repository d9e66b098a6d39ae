"""Application documents (the end-user certificate), the checklist from data, and the licence
document and refusal letter read back with a PDF parser."""

import io

from pypdf import PdfReader

from dkbuza_kit.letters import Letter, render_pdf

EUC = render_pdf(Letter("End-user certificate", "EUC-1", __import__("datetime").date(2026, 1, 10),
                        ["Norwegian Defence Materiel Agency"], ["No re-export."]))


def attach(flow, app_id, kind, headers, content=EUC):
    return flow.c.post(f"/v1/applications/{app_id}/documents", data={"kind": kind},
                       files={"file": ("euc.pdf", content, "application/pdf")}, headers=headers)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_checklist_and_company_scope(flow):
    app = await flow.draft()
    checklist = (await flow.c.get(f"/v1/applications/{app['id']}/documents/checklist",
                                  headers=flow.applicant)).json()
    assert checklist["missing"] == ["contract", "end_user_certificate"]
    assert "2008/944/CFSP" in next(r["basis"] for r in checklist["required"]
                                   if r["kind"] == "end_user_certificate")
    stored = await attach(flow, app["id"], "end_user_certificate", flow.applicant)
    assert stored.status_code == 201, stored.text
    checklist = (await flow.c.get(f"/v1/applications/{app['id']}/documents/checklist",
                                  headers=flow.officer)).json()
    assert checklist["missing"] == ["contract"] and not checklist["complete"]
    other = flow.h.headers("csg.applicant", org="0999999999", sub="rival")
    assert (await attach(flow, app["id"], "end_user_certificate", other)).status_code == 404
    listed = await flow.c.get(f"/v1/applications/{app['id']}/documents", headers=other)
    assert listed.status_code == 404
    customs = await flow.c.get(f"/v1/applications/{app['id']}/documents", headers=flow.customs)
    assert customs.status_code in (403, 404)


async def test_dual_use_inside_the_eu_needs_no_end_use_statement(flow):
    app = await flow.draft(application_type="dual_use_individual_export", destination_country="NL",
                           lines=[{"description": "Cameras", "control_entry": "6A003b4",
                                   "quantity": "5", "unit": "pieces", "value_eur": "1000.00"}])
    checklist = (await flow.c.get(f"/v1/applications/{app['id']}/documents/checklist",
                                  headers=flow.applicant)).json()
    assert checklist["missing"] == [] and checklist["complete"]


async def test_licence_document_reads_back(flow):
    licence = await flow.granted_licence()
    made = await flow.c.post(f"/v1/licences/{licence['id']}/document", headers=flow.officer)
    assert made.status_code == 201, made.text
    assert (await flow.c.post(f"/v1/licences/{licence['id']}/document",
                              headers=flow.applicant)).status_code == 403
    content = await flow.c.get(
        f"/v1/licences/{licence['id']}/documents/{made.json()['id']}/content",
        headers=flow.applicant)
    assert content.status_code == 200, content.text
    text = pdf_text(content.content)
    assert licence["number"] in text and "hoeveelheid 100" in text
    assert "wapenhandeldecreet" in text and "Geldig tot en met" in text


async def test_refusal_letter(flow):
    app = await flow.submitted()
    app = await flow.to_countersigned(app)
    early = await flow.c.post(f"/v1/applications/{app['id']}/refusal-letter",
                              headers=flow.officer)
    assert early.json()["code"] == "NOT_REFUSED"
    await flow.decide(app["id"], flow.head, outcome="refused", refusal_criteria=[7],
                      reason="risk of diversion to a third country")
    letter = await flow.c.post(f"/v1/applications/{app['id']}/refusal-letter",
                               headers=flow.officer)
    assert letter.status_code == 201, letter.text
    content = await flow.c.get(
        f"/v1/applications/{app['id']}/documents/{letter.json()['id']}/content",
        headers=flow.applicant)
    text = pdf_text(content.content)
    assert app["reference"] in text and "criterium 7" in text and "Raad van State" in text
