"""The procedures beside licences, each with its own transition table and outcomes (pure).

Kinds (Dutch labels): preliminary_opinion (voorafgaand advies: positive/negative),
written_confirmation (schriftelijke bevestiging dat geen vergunning nodig is:
no_licence_needed/licence_needed), licence_extension (verlenging), exemption (vrijstelling,
reported to Parliament since the 2017 optimisation of the decree), verification_request
(verificatieverzoek aan de douane, with a reply target), compliance_visit (controlebezoek:
planned, held with findings, follow-up).
"""

from enum import StrEnum

from dkbuza_kit.statemachine import TransitionTable


class Kind(StrEnum):
    """preliminary_opinion (voorafgaand advies), written_confirmation (schriftelijke
    bevestiging), licence_extension (verlenging), exemption (vrijstelling),
    verification_request (verificatieverzoek), compliance_visit (controlebezoek)."""

    preliminary_opinion = "preliminary_opinion"
    written_confirmation = "written_confirmation"
    licence_extension = "licence_extension"
    exemption = "exemption"
    verification_request = "verification_request"
    compliance_visit = "compliance_visit"


_REVIEWED = {"requested": {"under_review", "withdrawn"}, "under_review": {"closed", "withdrawn"}}

FLOWS: dict[str, TransitionTable] = {
    Kind.preliminary_opinion: TransitionTable("preliminary_opinion", _REVIEWED),
    Kind.written_confirmation: TransitionTable("written_confirmation", _REVIEWED),
    Kind.licence_extension: TransitionTable("licence_extension", _REVIEWED),
    Kind.exemption: TransitionTable("exemption", _REVIEWED),
    Kind.verification_request: TransitionTable(
        "verification_request", {"requested": {"closed", "withdrawn"}}),
    Kind.compliance_visit: TransitionTable("compliance_visit", {
        "requested": {"held", "withdrawn"}, "held": {"follow_up", "closed"},
        "follow_up": {"closed"}}),
}

# The outcomes a procedure may close with (required on `closed`).
OUTCOMES: dict[str, frozenset[str]] = {
    Kind.preliminary_opinion: frozenset({"positive", "negative"}),
    Kind.written_confirmation: frozenset({"no_licence_needed", "licence_needed"}),
    Kind.licence_extension: frozenset({"granted", "refused"}),
    Kind.exemption: frozenset({"granted", "refused"}),
    Kind.verification_request: frozenset({"confirmed", "discrepancy", "no_reply"}),
    Kind.compliance_visit: frozenset({"compliant", "findings_remedied", "infringement"}),
}
FINAL = frozenset({"closed", "withdrawn"})


def outcome_allowed(kind: str, outcome: str | None) -> bool:
    return outcome in OUTCOMES[kind]
