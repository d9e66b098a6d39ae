"""Application documents (the end-user certificate), the checklist from data, and the licence
document and refusal letter read back with a PDF parser."""

import io
import json

from pypdf import PdfReader

from dkbuza_kit.letters import Letter
from dkbuza_kit.letters import render_pdf
from export_control.applications.schemas import ApplicationType
from export_control.documents.kinds import APPLICATION_KINDS
from export_control.documents.kinds import REQUIRED_FILE
from export_control.documents.kinds import required_kinds

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


async def test_submission_waits_for_the_end_user_certificate(flow):
    app = await flow.draft()  # military export to Norway: end-user certificate and contract
    await attach(flow, app["id"], "contract", flow.applicant)
    refused = await flow.c.post(f"/v1/applications/{app['id']}/transitions",
                                json={"to": "submitted"}, headers=flow.applicant)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert (problem["code"], problem["missing"]) == ("REQUIRED_DOCUMENTS_MISSING",
                                                     ["end_user_certificate"])
    draft = await flow.c.get(f"/v1/applications/{app['id']}", headers=flow.applicant)
    assert (draft.json()["status"], draft.json()["reference"]) == ("draft", None)
    # A withdrawn certificate does not count.
    euc = (await attach(flow, app["id"], "end_user_certificate", flow.applicant)).json()
    withdrawn = await flow.c.post(
        f"/v1/applications/{app['id']}/documents/{euc['id']}/withdrawal",
        json={"reason": "wrong end user named"}, headers=flow.applicant)
    assert withdrawn.status_code == 200, withdrawn.text
    again = await flow.c.post(f"/v1/applications/{app['id']}/transitions",
                              json={"to": "submitted"}, headers=flow.applicant)
    assert (again.status_code, again.json()["missing"]) == (409, ["end_user_certificate"])
    assert (await attach(flow, app["id"], "end_user_certificate", flow.applicant)
            ).status_code == 201
    submitted = await flow.move(app["id"], "submitted", flow.applicant)
    assert submitted["status"] == "submitted" and submitted["reference"]


async def test_the_end_user_certificate_requirement_depends_on_the_destination(flow):
    lines = [{"description": "Cameras", "control_entry": "6A003b4", "quantity": "5",
              "unit": "pieces", "value_eur": "1000.00"}]
    outside = await flow.draft(application_type="dual_use_individual_export",
                               destination_country="CH", lines=lines)
    inside = await flow.draft(application_type="dual_use_individual_export",
                              destination_country="NL", lines=lines)
    refused = await flow.c.post(f"/v1/applications/{outside['id']}/transitions",
                                json={"to": "submitted"}, headers=flow.applicant)
    assert (refused.status_code, refused.json()["code"], refused.json()["missing"]) == (
        409, "REQUIRED_DOCUMENTS_MISSING", ["end_user_certificate"])
    # Inside the EU the same type needs no end-use statement: submitted without documents.
    assert (await flow.move(inside["id"], "submitted", flow.applicant))["status"] == "submitted"


def test_every_document_rule_names_its_source_and_basis():
    data = json.loads(REQUIRED_FILE.read_text(encoding="utf-8"))
    for rule in data["rules"]:
        assert rule["kind"] in APPLICATION_KINDS, rule
        assert rule["source"] in ("law", "working value") and rule["basis"], rule
        assert set(rule["application_types"]) <= {t.value for t in ApplicationType}, rule
    working = required_kinds("dual_use_individual_export", "CH")[0]
    assert working.name == "end_user_certificate" and "[working value]" in working.basis
    assert "[working value]" not in required_kinds("military_export", "NO")[1].basis
