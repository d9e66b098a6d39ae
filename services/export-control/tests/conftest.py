from datetime import UTC
from datetime import date
from datetime import datetime
from importlib import resources
from typing import Any

import pytest

from dkbuza_dev.testing import ServiceHarness
from dkbuza_dev.testing import app_harness_fixture
from dkbuza_kit.clock import FixedClock
from dkbuza_kit.letters import Letter
from dkbuza_kit.letters import render_pdf

COMPANY = "0123456789"
OTHER_COMPANY = "0987654321"


harness = app_harness_fixture("export-control")


def sample_sanctions_file() -> bytes:
    return resources.files("export_control").joinpath("data/sanctions-sample.xml").read_bytes()


def application_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "application_type": "military_export",
        "applicant_name": "Vlaamse Precisie NV",
        "destination_country": "NO",
        "end_use": "Equipment of the Norwegian armed forces",
        "lines": [{"description": "Thermal sights", "control_entry": "ml5a",
                   "quantity": "100", "unit": "pieces", "value_eur": "250000.00"}],
        "parties": [{"role": "end_user", "name": "Norwegian Defence Materiel Agency",
                     "address": "Kjeller, Norway", "country": "NO",
                     "euc_issuer": "Ministry of Defence", "euc_date": "2026-01-10",
                     "euc_signatory": "K. Nordmann", "euc_no_re_export_clause": True}],
    }
    body.update(overrides)
    return body


def party_document(kind: str) -> bytes:
    """A small real PDF standing for a party document (an end-user certificate, a contract)."""
    return render_pdf(Letter(kind.replace("_", " ").capitalize(), f"{kind}-1", date(2026, 1, 10),
                             ["Norwegian Defence Materiel Agency"], ["No re-export."]))


class Flow:
    """Drives applications through the workflow with the right role at each step."""

    def __init__(self, harness: ServiceHarness) -> None:
        self.h = harness
        self.c = harness.client
        self.applicant = harness.headers("csg.applicant", org=COMPANY, sub="company-user")
        self.officer = harness.headers("csg.officer", sub="officer-1")
        self.head = harness.headers("csg.head", sub="head-1")
        self.minister = harness.headers("csg.minister", sub="minister")
        self.customs = harness.headers("csg.customs", org="customs", sub="certex")

    def at(self, moment: datetime) -> None:
        self.h.app.state.clock = FixedClock(moment)

    async def load_sanctions(self) -> None:
        r = await self.c.post("/v1/sanctions-list", content=sample_sanctions_file(),
                              headers={**self.officer, "Content-Type": "application/xml"})
        assert r.status_code == 201, r.text
        r = await self.c.post(f"/v1/sanctions-list/{r.json()['id']}/activate", headers=self.head)
        assert r.status_code == 200, r.text

    async def draft(self, headers: dict | None = None, **overrides: Any) -> dict:
        r = await self.c.post("/v1/applications", json=application_body(**overrides),
                              headers=headers or self.applicant)
        assert r.status_code == 201, r.text
        return r.json()

    async def move(self, app_id: str, to: str, headers: dict, expect: int = 200,
                   reason: str | None = None) -> dict:
        body = {"to": to} | ({"reason": reason} if reason else {})
        r = await self.c.post(f"/v1/applications/{app_id}/transitions", json=body,
                              headers=headers)
        assert r.status_code == expect, r.text
        return r.json()

    async def provide_documents(self, app_id: str, headers: dict | None = None) -> list[str]:
        """Attach a (PDF) document of every kind the checklist still misses; returns the kinds."""
        url = f"/v1/applications/{app_id}/documents"
        checklist = await self.c.get(f"{url}/checklist", headers=headers or self.applicant)
        assert checklist.status_code == 200, checklist.text
        for kind in checklist.json()["missing"]:
            r = await self.c.post(url, data={"kind": kind}, headers=headers or self.applicant,
                                  files={"file": (f"{kind}.pdf", party_document(kind),
                                                  "application/pdf")})
            assert r.status_code == 201, r.text
        return checklist.json()["missing"]

    async def submitted(self, **overrides: Any) -> dict:
        app = await self.draft(**overrides)
        await self.provide_documents(app["id"])
        return await self.move(app["id"], "submitted", self.applicant)

    async def to_countersigned(self, app: dict) -> dict:
        app_id = app["id"]
        await self.move(app_id, "completeness_check", self.officer)
        await self.move(app_id, "under_assessment", self.officer)
        await self.advise_all(app)
        await self.move(app_id, "advice_given", self.officer)
        return await self.move(app_id, "countersigned", self.head)

    async def advise_all(self, app: dict) -> None:
        """Advice on every current line and party (what `advice_given` requires)."""
        subjects = [("line", line["id"]) for line in app["lines"]] + [
            ("party", party["id"]) for party in app["parties"]]
        for kind, subject_id in subjects:
            r = await self.c.post(f"/v1/applications/{app['id']}/advice", headers=self.officer,
                                  json={"subject_type": kind, "subject_id": subject_id,
                                        "recommendation": "approve"})
            assert r.status_code == 201, r.text

    async def decide(self, app_id: str, headers: dict, expect: int = 201, **body: Any):
        r = await self.c.post(f"/v1/applications/{app_id}/decision", headers=headers,
                              json={"outcome": "granted"} | body)
        assert r.status_code == expect, r.text
        return r.json()

    async def report(self, name: str, headers: dict | None = None, **params: str) -> dict:
        """A report as JSON (`/v1/reports/<name>`), read by the officer unless `headers` say."""
        r = await self.c.get(f"/v1/reports/{name}", params=params, headers=headers or self.officer)
        assert r.status_code == 200, r.text
        return r.json()

    async def granted_licence(self, *, line_terms=None, decision: dict | None = None,
                              **overrides: Any) -> dict:
        """A delegated grant: returns the licence."""
        app = await self.submitted(**overrides)
        app = await self.to_countersigned(app)
        assert app["decision_authority"] == "delegated", app
        body = ({"line_terms": line_terms} if line_terms else {}) | (decision or {})
        decision = await self.decide(app["id"], self.head, **body)
        r = await self.c.get(f"/v1/licences/{decision['licence_id']}", headers=self.officer)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
async def flow(client, harness) -> Flow:
    flow = Flow(harness)
    flow.at(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    await flow.load_sanctions()
    return flow
