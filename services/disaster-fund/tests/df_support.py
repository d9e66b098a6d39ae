"""Helpers shared by the disaster-fund tests (a uniquely named module: tests run in importlib mode)."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from dkbuza_kit.clock import FixedClock

SAMPLE_PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SAMPLE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
REQUIRED_UPLOADS = ("photo", "estimate", "insurer_statement")


def at(year, month, day, hour=12, minute=0, second=0) -> datetime:
    """A UTC moment (tests set the clock with it)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def set_now(harness, moment: datetime) -> FixedClock:
    clock = FixedClock(moment)
    harness.app.state.clock = clock
    return clock


def problem_code(response) -> str:
    return response.json().get("code")


class Api:
    """Small helpers driving the API as the different roles."""

    def __init__(self, client, harness):
        self.client = client
        self.harness = harness

    def h(self, *roles, org="dkbuza", sub="tester"):
        return self.harness.headers(*roles, org=org, sub=sub)

    @property
    def manager(self):
        return self.h("vrf.manager", sub="manager-1")

    @property
    def handler(self):
        return self.h("vrf.handler", sub="handler-1")

    def citizen(self, sub="citizen-1"):
        return self.h("vrf.citizen", org="", sub=sub)

    def expert(self, sub="expert-1"):
        return self.h("vrf.expert", org="expert-bureau", sub=sub)

    def ensure_now_after(self, day: date) -> None:
        """Facts are recorded after they happen: move the test clock past `day` if needed."""
        clock = self.harness.app.state.clock
        if clock.now() < at(day.year, day.month, day.day, 23):
            next_day = day + timedelta(days=1)
            set_now(self.harness, at(next_day.year, next_day.month, next_day.day))

    async def create_disaster(self, *, event_start=date(2024, 6, 1), event_end=date(2024, 6, 3),
                              municipalities=("44021", "44086"), phenomenon="flooding"):
        self.ensure_now_after(event_end)
        response = await self.client.post("/v1/disasters", headers=self.manager, json={
            "title": "Overstromingen juni", "phenomenon": phenomenon,
            "event_start": event_start.isoformat(), "event_end": event_end.isoformat(),
            "municipalities": list(municipalities)})
        assert response.status_code == 201, response.text
        return response.json()

    async def move(self, disaster_id, to_state, **extra):
        response = await self.client.post(f"/v1/disasters/{disaster_id}/transitions",
                                          headers=self.manager,
                                          json={"to_state": to_state, **extra})
        return response

    async def published_disaster(self, *, publication=date(2024, 9, 16), decision=date(2024, 9, 2),
                                 scope=None, **kwargs):
        disaster = await self.create_disaster(**kwargs)
        did = disaster["id"]
        event_end = date.fromisoformat(disaster["event_end"])
        self.ensure_now_after(publication)
        submitted_on = min(event_end + timedelta(days=59), decision)
        steps = [
            ("investigation", {"on": (event_end + timedelta(days=7)).isoformat()}),
            ("assessed", {"on": (event_end + timedelta(days=28)).isoformat(), "criteria": [
                {"kind": "scientific", "name": "rainfall 24h", "measured_value": "92.5",
                 "threshold": "60", "unit": "mm"}]}),
            ("submitted_to_government", {"on": submitted_on.isoformat()}),
            ("recognised", {"decision_date": decision.isoformat(),
                            **({"scope_municipalities": scope} if scope else {})}),
            ("published", {"publication_date": publication.isoformat()}),
        ]
        for state, extra in steps:
            response = await self.move(did, state, **extra)
            assert response.status_code == 200, response.text
        return response.json()

    async def submit(self, disaster_id, *, headers=None, amount="10000.00", category="private_goods",
                     municipality="44021", damage_date="2024-06-02", expect=201, **extra):
        body = {"disaster_id": disaster_id, "municipality_nis": municipality,
                "damage_date": damage_date, "category": category,
                "items": [{"description": "keuken", "claimed_amount": amount}], **extra}
        response = await self.client.post("/v1/applications", headers=headers or self.citizen(),
                                          json=body)
        assert response.status_code == expect, response.text
        return response.json()

    async def provide_documents(self, application_id, kinds=REQUIRED_UPLOADS):
        """Upload what the rule set requires before intake (the checklist's kinds)."""
        stored = []
        for kind in kinds:
            content = SAMPLE_JPEG if kind == "photo" else SAMPLE_PDF
            response = await self.client.post(
                f"/v1/applications/{application_id}/documents", data={"kind": kind},
                files={"file": (f"{kind}.bin", content, "application/octet-stream")},
                headers=self.handler)
            assert response.status_code == 201, response.text
            stored.append(response.json())
        return stored

    async def step(self, application_id, to_state, headers=None, expect=200, documents=True,
                   **extra):
        if to_state == "intake" and documents:
            await self.provide_documents(application_id)
        if "on" in extra:  # recorded on the day it happened (or later)
            self.ensure_now_after(date.fromisoformat(extra["on"]) - timedelta(days=1))
        response = await self.client.post(f"/v1/applications/{application_id}/transitions",
                                          headers=headers or self.handler,
                                          json={"to_state": to_state, **extra})
        assert response.status_code == expect, response.text
        return response.json()

    async def to_report_sent(self, application_id, assessed="10000.00", expert="expert-1"):
        await self.step(application_id, "intake")
        await self.step(application_id, "expert_assigned", expert_sub=expert)
        response = await self.client.post(
            f"/v1/applications/{application_id}/expert-reports", headers=self.expert(expert),
            json={"assessed_amount": assessed, "summary": "schade vastgesteld"})
        assert response.status_code == 201, response.text
        return response.json()

    async def to_decided(self, application_id, assessed="10000.00", **decision):
        await self.to_report_sent(application_id, assessed)
        await self.step(application_id, "report_accepted", headers=self.handler)
        response = await self.client.post(f"/v1/applications/{application_id}/decisions",
                                          headers=self.manager, json=decision)
        assert response.status_code == 201, response.text
        return response.json()

    async def to_final(self, application_id, assessed="10000.00", received_on="2024-11-04"):
        decision = await self.to_decided(application_id, assessed)
        await self.step(application_id, "decision_notified", on=received_on)
        await self.step(application_id, "final", reason="agreed")
        return decision
