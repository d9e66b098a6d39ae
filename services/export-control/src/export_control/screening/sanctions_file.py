"""Reading a sanctions list in the EU consolidated list XML format (xmlFullSanctionsList_1_1).

Each `sanctionEntity` gives its `logicalId`, `subjectType@code`, the programme of its
`regulation`, the `wholeName` of every `nameAlias` (or first/middle/last joined), and the
`countryIso2Code` of its addresses and citizenships. Parsed with defusedxml: documents with a
DTD, entity declarations or external references are refused (the EU file has none), in any
encoding, so nothing is expanded or fetched.
"""

import hashlib
from dataclasses import dataclass
from dataclasses import field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from dkbuza_kit.problems import ProblemError
from export_control.errors import Errors


@dataclass
class ListedEntity:
    logical_id: str
    subject_type: str | None = None
    programme: str | None = None
    names: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)


@dataclass
class SanctionsFile:
    generation_date: str | None
    sha256: str
    entities: list[ListedEntity]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _invalid(detail: str) -> ProblemError:
    return Errors.SANCTIONS_FILE_INVALID(detail)


def parse_sanctions_file(content: bytes) -> SanctionsFile:
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise _invalid("a DTD, entity declaration or external reference is not allowed") from exc
    except ParseError as exc:
        raise _invalid(f"not well-formed XML: {exc}") from exc
    if _local(root.tag) != "export":
        raise _invalid("the root element must be <export> (EU consolidated list format)")
    entities: list[ListedEntity] = []
    for element in root:
        if _local(element.tag) != "sanctionEntity":
            continue
        entity = ListedEntity(logical_id=element.get("logicalId") or element.get(
            "euReferenceNumber") or str(len(entities) + 1))
        for child in element:
            tag = _local(child.tag)
            if tag == "nameAlias":
                name = (child.get("wholeName") or " ".join(
                    part for part in (child.get("firstName"), child.get("middleName"),
                                      child.get("lastName")) if part)).strip()
                if name and name not in entity.names:
                    entity.names.append(name[:300])
            elif tag in ("address", "citizenship", "birthdate"):
                country = (child.get("countryIso2Code") or "").upper()
                if len(country) == 2 and country != "00" and country not in entity.countries:
                    entity.countries.append(country)
            elif tag == "subjectType":
                entity.subject_type = child.get("code")
            elif tag == "regulation" and entity.programme is None:
                entity.programme = child.get("programme")
        if entity.names:
            entities.append(entity)
    if not entities:
        raise _invalid("the file lists no sanctioned entity with a name")
    return SanctionsFile(root.get("generationDate"), hashlib.sha256(content).hexdigest(),
                         entities)
