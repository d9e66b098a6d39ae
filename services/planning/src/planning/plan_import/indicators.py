"""The "PRESTATIE-INDICATOREN" section of a plan text export -> indicators per policy field.

Pure. The section is prose with this structure (2025):

    Voor het beleidsveld buitenlands beleid is een beperkte set van prestatie-indicatoren ...
    - Indicatoren over omzettingen van EU-richtlijnen en het aantal inbreukdossiers waarbij de

    Vlaamse overheid betrokken is.
    ...
    Voor het beleidsveld 'rampenschade' zal prestatie-informatie over de termijn tussen de
    erkenning van een ramp en de uitbetaling van de schade als de belangrijkste indicator ...

- A paragraph opening with "Voor het beleidsveld <name>" names the policy field (matched on
  the titles of the plan's policy fields); the "- " bullets right after it are its
  indicators (an "ODA RAPPORT: explanation" bullet gives title and description).
- A policy field paragraph without bullets names one indicator in the sentence itself
  ("prestatie-informatie over <indicator> als de belangrijkste indicator ...").
- The PDF extraction breaks sentences with blank lines: after a blank line a line continues
  the sentence when that ends in a function word or a hyphen, or the line starts in lower
  case; otherwise it starts a new paragraph (such as "Aanvullende prestatie-indicatoren ...",
  which is not an indicator).
The indicators have no unit, baseline or target in the document: they are set later.
"""

import re
from dataclasses import dataclass

from planning.plan_import.lines import END_OF_TREE
from planning.plan_import.lines import FUNCTION_WORDS
from planning.plan_import.lines import ParseIssue
from planning.plan_import.lines import join_lines
from planning.plan_import.parsed import ParsedIndicator

SECTION_HEADING = re.compile(r"^\s*PRESTATIE-INDICATOREN\s*$")
FIELD_PARAGRAPH = re.compile(r"^\s*Voor het beleidsveld\s+(?P<rest>.*)$")
BULLET_ITEM = re.compile(r"^\s*-\s+(?P<text>\S.*)$")
NAMED_IN_SENTENCE = re.compile(
    r"prestatie-informatie over (?P<what>.+?)(?: als de belangrijkste indicator\b| ter "
    r"beschikking\b| opgenomen\b|[.:]?$)")
NAME_WITH_EXPLANATION = re.compile(r"^(?P<name>[^:]{3,60}):\s+(?P<explanation>\S.*)$")
QUOTES = "‘’'\"“”"


@dataclass
class _Unit:
    kind: str  # field / item / prose
    line: int
    lines: list[str]


def _units(lines: list[str], start: int, end: int) -> list[tuple[str, int, str]]:
    units: list[_Unit] = []
    after_blank = False
    for index in range(start, end):
        raw = lines[index]
        if not raw.strip():
            after_blank = True
            continue
        stripped = raw.strip()
        if FIELD_PARAGRAPH.match(raw):
            units.append(_Unit("field", index + 1, [raw]))
        elif BULLET_ITEM.match(raw):
            units.append(_Unit("item", index + 1, [raw]))
        elif units and (not after_blank or _continues(join_lines(units[-1].lines), stripped)):
            units[-1].lines.append(raw)
        else:
            units.append(_Unit("prose", index + 1, [raw]))
        after_blank = False
    return [(unit.kind, unit.line, join_lines(unit.lines)) for unit in units]


def _continues(text: str, following: str) -> bool:
    last_word = text.rsplit(" ", 1)[-1].lower()
    return (last_word in FUNCTION_WORDS or text.endswith("-")
            or following[:1].islower())


def _policy_field(rest: str, fields: dict[int, str]) -> int | None:
    name = rest.lstrip(QUOTES + " ").lower()
    for number, title in sorted(fields.items(), key=lambda item: -len(item[1])):
        if name.startswith(title.lower()):
            return number
    return None


def _label(text: str) -> str:
    text = text.strip().rstrip(".").strip()
    return text[:1].upper() + text[1:]


def parse_indicator_section(lines: list[str], fields: dict[int, str],
                            warnings: list[ParseIssue]) -> list[ParsedIndicator]:
    """Indicators of the section, or [] when the document has none. `fields` maps policy
    field numbers to titles; what is not understood becomes a warning."""
    start = next((i for i, line in enumerate(lines) if SECTION_HEADING.match(line)), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines))
                if END_OF_TREE.match(lines[i]) and not SECTION_HEADING.match(lines[i])),
               len(lines))
    found: list[ParsedIndicator] = []
    units = _units(lines, start + 1, end)
    for position, (kind, line, text) in enumerate(units):
        if kind != "field":
            continue
        match = FIELD_PARAGRAPH.match(text)
        assert match is not None
        field = _policy_field(match.group("rest"), fields)
        if field is None:
            warnings.append(ParseIssue(line, f"indicators of an unknown policy field: "
                                             f"{text[:80]!r}"))
        items = []
        for item_kind, item_line, item_text in units[position + 1:]:
            if item_kind != "item":
                break
            items.append((item_line, BULLET_ITEM.match(item_text).group("text")))  # type: ignore[union-attr]
        if not items:
            named = NAMED_IN_SENTENCE.search(text)
            if named is None:
                warnings.append(ParseIssue(line, "no indicator recognised for this policy field"))
                continue
            items = [(line, named.group("what"))]
        for number, (item_line, item_text) in enumerate(items, 1):
            explained = NAME_WITH_EXPLANATION.match(item_text)
            title, description = ((explained.group("name"), explained.group("explanation"))
                                  if explained else (item_text, None))
            code = f"PI {field}.{number}" if field is not None else f"PI ?.{line}.{number}"
            found.append(ParsedIndicator(code=code, title=_label(title),
                                         description=description and description.strip(),
                                         policy_field=field, line=item_line))
    if not found:
        warnings.append(ParseIssue(start + 1, "section PRESTATIE-INDICATOREN without "
                                              "recognisable indicators"))
    return found
