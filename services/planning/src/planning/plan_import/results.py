"""One initiative's table body -> description and expected results, each result dated.

Expected results are split into items on bullets, blank lines and lines that open with a date
marker ("Q1: ...", "2026 Migratie ...", "Oktober 2025: ..."); a lone marker ("2025 Q1:",
"2026", "2025-2029") is a period heading that dates the items below it. What each result's text
says about its timing is read by `due_moments.read_due`.
"""

import re

from planning.plan_import.due_moments import DueMoment
from planning.plan_import.due_moments import read_due
from planning.plan_import.due_moments import read_marker
from planning.plan_import.lines import ParseIssue
from planning.plan_import.lines import is_blank
from planning.plan_import.lines import is_page_number
from planning.plan_import.lines import join_lines
from planning.plan_import.parsed import ParsedInitiative
from planning.plan_import.parsed import ParsedOperationalGoal
from planning.plan_import.parsed import ParsedResult

BULLET = re.compile(r"^\s*(?:[•▪◦·*]|-(?=\s))\s*")
RESULTS_MARKER = "\x00results"
PROCESS_HINT = re.compile(r"\b(continu\w* process?|recurrent)", re.IGNORECASE)


def strip_noise(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Drop page numbers and table headers repeated after page breaks.

    "Beoogde resultaten" (or the wrapped label "Beoogde" / "resultaten") becomes a RESULTS
    marker; a repeated "Algemene Informatie" disappears together with the blank lines after
    it when the text before it stops mid-sentence, so the sentence is joined again.
    """
    kept: list[tuple[int, str]] = []
    index = 0
    while index < len(body):
        number, line = body[index]
        stripped = line.strip()
        following = body[index + 1][1].strip() if index + 1 < len(body) else ""
        index += 1
        if is_page_number(line):
            continue
        if stripped.lower() == "beoogde resultaten" or (stripped == "Beoogde"
                                                         and following == "resultaten"):
            kept.append((number, RESULTS_MARKER))
            index += 1 if stripped == "Beoogde" else 0
            continue
        if stripped.lower() == "algemene informatie":
            previous = next((text for _, text in reversed(kept) if text.strip()), "")
            if previous and not previous.rstrip().endswith((".", ":", ";", "!", "?")):
                while kept and is_blank(kept[-1][1]):
                    kept.pop()
                while index < len(body) and is_blank(body[index][1]):
                    index += 1
            continue
        kept.append((number, line))
    return kept


def build_initiative(title: str, line: int, body: list[tuple[int, str]], od_kind: str | None,
                     od: ParsedOperationalGoal, warnings: list[ParseIssue],
                     plan_year: int) -> ParsedInitiative:
    description, results = _columns(strip_noise(body))
    items = result_items(results, plan_year)
    kind = od_kind or ("process" if PROCESS_HINT.search(
        " ".join(text for _, text in results)) else "project")
    code = f"{od.code.removeprefix('OD ')}-{len(od.initiatives) + 1:02d}"
    if not items:
        warnings.append(ParseIssue(line, f"initiative '{title[:60]}' has no expected results"))
    return ParsedInitiative(code=code, title=title, kind=kind,
                            description=paragraphs([text for _, text in description]),
                            results=items, line=line)


def _columns(lines: list[tuple[int, str]]
             ) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(description lines, results lines) of a table body."""
    description: list[tuple[int, str]] = []
    results: list[tuple[int, str]] = []
    target = description
    started = False
    for number, line in lines:
        if line == RESULTS_MARKER:
            if started:
                target = results
            continue
        if not started and line.strip().startswith("Omschrijving"):
            started = True
            rest = line.strip().removeprefix("Omschrijving").strip()
            if rest:
                description.append((number, rest))
            continue
        target.append((number, line))
    return description, results


def paragraphs(lines: list[str]) -> str:
    grouped: list[list[str]] = [[]]
    for line in lines:
        if is_blank(line):
            if grouped[-1]:
                grouped.append([])
            continue
        grouped[-1].append(line)
    return "\n\n".join(join_lines(p) for p in grouped if p)


def opens_dated_item(line: str, plan_year: int) -> bool:
    return bool(read_marker(line, plan_year)[0])


def _is_heading(text: str, plan_year: int) -> bool:
    moments, rest = read_marker(text, plan_year)
    return bool(moments) and not rest.strip()


def _chunks(results: list[tuple[int, str]], plan_year: int
            ) -> list[tuple[int, list[str], bool]]:
    """(line, lines, opened by a bullet) per chunk."""
    chunks: list[tuple[int, list[str], bool]] = []
    for number, line in results:
        if is_blank(line):
            chunks.append((number, [], False))
            continue
        bullet = BULLET.match(line)
        if bullet:
            chunks.append((number, [line[bullet.end():]], True))
        elif chunks and chunks[-1][1] and not opens_dated_item(line, plan_year):
            chunks[-1][1].append(line)
        else:
            chunks.append((number, [line], False))
    return chunks


def _items(results: list[tuple[int, str]], plan_year: int) -> list[tuple[int, str]]:
    """Chunks as texts; a chunk continuing the previous sentence across a blank is merged
    (a bulleted chunk never continues: it is an item of its own)."""
    items: list[tuple[int, str]] = []
    for number, chunk, bulleted in _chunks(results, plan_year):
        text = join_lines(chunk)
        if not text:
            continue
        if (items and not bulleted and text[:1].islower()
                and not items[-1][1].endswith((".", ";", ":"))
                and not _is_heading(items[-1][1], plan_year)
                and not opens_dated_item(text, plan_year)):
            items[-1] = (items[-1][0], join_lines([items[-1][1], text]))
            continue
        items.append((number, text))
    return items


def result_items(results: list[tuple[int, str]], plan_year: int) -> list[ParsedResult]:
    """The results column as items, each with what its text (or heading) says about timing."""
    parsed: list[ParsedResult] = []
    heading: list[DueMoment] = []
    for number, text in _items(results, plan_year):
        year = heading[0].first.year if heading else plan_year
        if _is_heading(text, year):
            heading = read_marker(text, year)[0]
            continue
        parsed.append(ParsedResult(text=text, line=number,
                                   reading=read_due(text, plan_year, heading)))
    return parsed
