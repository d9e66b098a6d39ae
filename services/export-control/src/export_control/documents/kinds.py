"""Kinds of application documents and which an application needs (data: required-documents.json)."""

import json
from functools import cache
from pathlib import Path

from dkbuza_kit.documents.checklist import Requirement
from dkbuza_kit.documents.kinds import DOCX
from dkbuza_kit.documents.kinds import JPEG
from dkbuza_kit.documents.kinds import PDF
from dkbuza_kit.documents.kinds import PNG
from dkbuza_kit.documents.kinds import DocumentKind

MB = 1024 * 1024
SCANS = frozenset({PDF, JPEG, PNG})
REQUIRED_FILE = Path(__file__).resolve().parents[1] / "data" / "required-documents.json"

APPLICATION_KINDS = {kind.name: kind for kind in (
    DocumentKind("end_user_certificate", "eindgebruikersverklaring", SCANS, 10 * MB),
    DocumentKind("import_certificate", "invoercertificaat", SCANS, 10 * MB),
    DocumentKind("contract", "contract of bestelbon", SCANS | {DOCX}, 20 * MB),
    DocumentKind("technical_specification", "technische beschrijving", SCANS | {DOCX}, 20 * MB),
    DocumentKind("other", "ander stuk", SCANS | {DOCX}, 20 * MB),
)}
LICENCE_DOCUMENT = DocumentKind("licence_document", "vergunning", frozenset({PDF}), 5 * MB)
REFUSAL_LETTER = DocumentKind("refusal_letter", "weigeringsbrief", frozenset({PDF}), 5 * MB)


@cache
def _requirements() -> dict:
    return json.loads(REQUIRED_FILE.read_text(encoding="utf-8"))


def required_kinds(application_type: str, destination: str) -> list[Requirement]:
    """The documents an application of this type to this destination needs, with their basis
    (a rule whose `source` is "working value" says so in the basis)."""
    data = _requirements()
    outside_eu = destination not in frozenset(data["eu_member_states"])
    needed: dict[str, Requirement] = {}
    for rule in data["rules"]:
        if application_type not in rule["application_types"]:
            continue
        if rule.get("destinations") == "outside_eu" and not outside_eu:
            continue
        basis = rule["basis"] if rule["source"] == "law" else f"{rule['basis']} [working value]"
        needed.setdefault(rule["kind"], Requirement(rule["kind"], (rule["kind"],), basis))
    return sorted(needed.values(), key=lambda r: r.name)
