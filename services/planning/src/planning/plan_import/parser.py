"""Parse the text export of a published ondernemingsplan (PDF -> text) into a plan tree.

Pure: text in, `ParsedPlan` out (or `PlanParseError` with line numbers). No I/O, no database.

What the PDF extraction does to the text, and how each artefact is handled:
- Every initiative is a table that starts with the label "Algemene Informatie" followed by
  "Omschrijving" (sometimes on the same line as the description). That pair is the anchor of
  an initiative; a repeated "Algemene Informatie" / "Beoogde resultaten" without it is the
  table header repeated after a page break and is dropped.
- The initiative title is the block of lines right above its anchor (page numbers and blank
  lines in between are skipped). Capital titles wrap over several lines and are joined; a
  line starting with a space is the first line on a new page and therefore starts a heading
  (this is how an OD heading directly followed by a title without a blank line is split).
- Page numbers are lines holding only a number of 1-3 digits; 4-digit years ("2025") are
  kept because they head groups of expected results.
- Policy field ("1. BUITENLANDS BELEID"), strategic goal ("SD 3.1 ...") and operational goal
  ("OD 3.2.3. ..." with or without the trailing dot) headings are in capitals and wrap too.
- Sub-headings such as "PROJECTEN" / "PROCESSEN" are not initiatives: they set the kind of
  the initiatives below them in the same OD. Elsewhere an initiative whose expected results
  call it a continuous process ("continu proces", "recurrent") is a `process`, else a `project`.
- Expected results are split into items on bullets and blank lines; a lone period heading
  ("2025 Q2:", "2026", "Q3:") dates the items below it, an inline "Q2: ..." dates its item.
- The look-back ("TERUGBLIK ONDERNEMINGSPLAN 2024") lists titles per status in a table whose
  wrapped rows are rebuilt from line-wrap evidence; the printed counts are checked.
"""

import re
from dataclasses import dataclass, field

STATUS_ON_TRACK = "on_track"
STATUS_ATTENTION = "attention_needed"
STATUS_ACTION = "action_needed"
STATUS_DONE = "done"


@dataclass
class ParseIssue:
    line: int
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "message": self.message}


class PlanParseError(ValueError):
    """The text is not a plan this parser can read; `errors` say where (1-based lines)."""

    def __init__(self, errors: list[ParseIssue]) -> None:
        super().__init__("; ".join(f"line {e.line}: {e.message}" for e in errors[:5]))
        self.errors = errors


@dataclass
class ParsedResult:
    text: str
    due: str | None  # a partial date string: "2025", "2025-Q2"
    line: int


@dataclass
class ParsedInitiative:
    code: str
    title: str
    kind: str
    description: str
    results: list[ParsedResult]
    line: int


@dataclass
class ParsedOperationalGoal:
    code: str  # "OD 3.2.3"
    title: str
    line: int
    description: str = ""
    initiatives: list[ParsedInitiative] = field(default_factory=list)


@dataclass
class ParsedStrategicGoal:
    code: str  # "SD 3.1"
    title: str
    line: int
    operational_goals: list[ParsedOperationalGoal] = field(default_factory=list)


@dataclass
class ParsedPolicyField:
    number: int
    title: str
    line: int
    strategic_goals: list[ParsedStrategicGoal] = field(default_factory=list)


@dataclass
class ParsedReviewItem:
    title: str
    status: str
    line: int


@dataclass
class ParsedReview:
    year: int
    line: int
    printed_total: int | None
    printed_counts: dict[str, int]
    items: list[ParsedReviewItem]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.printed_counts, 0)
        for item in self.items:
            counts[item.status] = counts.get(item.status, 0) + 1
        return counts


@dataclass
class ParsedAuditRecommendation:
    code: str
    title: str
    auditing_body: str
    target_date: str  # ISO date
    status_text: str
    line: int


@dataclass
class ParsedIndicator:
    code: str  # "PI <policy field>.<n>", e.g. "PI 4.1"
    title: str
    description: str | None
    policy_field: int | None
    line: int


@dataclass
class ParsedPlan:
    year: int
    title: str
    policy_fields: list[ParsedPolicyField]
    review: ParsedReview | None
    audit_recommendations: list[ParsedAuditRecommendation]
    warnings: list[ParseIssue]
    indicators: list[ParsedIndicator] = field(default_factory=list)

    @property
    def strategic_goals(self) -> list[ParsedStrategicGoal]:
        return [sd for pf in self.policy_fields for sd in pf.strategic_goals]

    @property
    def operational_goals(self) -> list[ParsedOperationalGoal]:
        return [od for sd in self.strategic_goals for od in sd.operational_goals]

    @property
    def initiatives(self) -> list[ParsedInitiative]:
        return [ini for od in self.operational_goals for ini in od.initiatives]


# --- line classification ---------------------------------------------------------------

PLAN_HEADING = re.compile(r"^\s*ONDERNEMINGSPLAN\s+(\d{4})\s*$")
POLICY_FIELD = re.compile(r"^\s*([1-9])\.\s+([A-ZÀ-Ý][A-ZÀ-Ý \-]+?)\s*$")
STRATEGIC_GOAL = re.compile(r"^\s*SD\s*(\d+(?:\.\d+)?)\.?\s+(\S.*?)\s*$")
OPERATIONAL_GOAL = re.compile(r"^\s*OD\s*(\d+(?:\.\d+){1,2})\.?\s+(\S.*?)\s*$")
PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
END_OF_TREE = re.compile(
    r"^\s*(PRESTATIE-INDICATOREN|PERSONEELSPLAN|HORIZONTALE STRATEGISCHE DOELSTELLINGEN|"
    r"TERUGBLIK ONDERNEMINGSPLAN \d{4}|LIJST MET AFKORTINGEN)\s*$"
)
REVIEW_HEADING = re.compile(r"^\s*TERUGBLIK ONDERNEMINGSPLAN (\d{4})\s*$")
REVIEW_TOTAL = re.compile(r"in totaal (\d+) projecten en\s+processen", re.IGNORECASE)
REVIEW_STATUS = re.compile(r"^\s*-\s*De volgende (\d+) initiatieven kregen de status (.+?)\s*$")
AUDIT_ITEM = re.compile(
    r"^-\s*(A\d+)\s+(.+?):\s*(.+?)\s*[–-]\s*voorziene streefdatum\s+(\d{1,2})/(\d{1,2})/(\d{4})",
    re.IGNORECASE,
)
AUDIT_HEADING = re.compile(r"Aanbevelingen\s+(Audit Vlaanderen|.+)$")
QUARTER = re.compile(r"^(?:(?P<year>20\d\d)\s*)?Q(?P<q>[1-4])(?:\s*[–-]\s*Q(?P<q2>[1-4]))?\s*:")
YEAR_HEADING = re.compile(r"^(?P<year>20\d\d)\s*:?$")
BULLET = re.compile(r"^\s*(?:[•▪◦·*]|-(?=\s))\s*")
RESULTS_MARKER = "\x00results"
PROCESS_HINT = re.compile(r"\b(continu\w* process?|recurrent)", re.IGNORECASE)
FUNCTION_WORDS = {
    "de", "het", "een", "van", "voor", "en", "uit", "met", "op", "tot", "in", "te", "aan",
    "bij", "naar", "over", "door", "om", "of", "als", "die", "dat", "zijn", "ook",
}
STATUS_LABELS = [
    ("actie/bijsturing", STATUS_ACTION),
    ("vertraging/aandacht", STATUS_ATTENTION),
    ("afgewerkt", STATUS_DONE),
    ("op schema", STATUS_ON_TRACK),
]
WRAP_WIDTH = 85  # characters: a line plus the next word beyond this means the line wrapped


def is_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) / len(letters) > 0.9


def is_blank(line: str) -> bool:
    return not line.strip()


def is_page_number(line: str) -> bool:
    return bool(PAGE_NUMBER.match(line))


def is_goal_heading(line: str) -> bool:
    return bool(
        STRATEGIC_GOAL.match(line) or OPERATIONAL_GOAL.match(line)
        or (POLICY_FIELD.match(line) and is_capitals(line))
    )


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: words split by a hyphen at a line end stay joined."""
    text = ""
    glued = False  # the previous raw line ended in a hyphen with no space after it
    for raw in lines:
        part = " ".join(raw.split())
        if not part:
            continue
        if not text:
            text = part
        elif glued or (text.endswith("-") and not text.endswith(" -") and part[:1].islower()):
            text += part
        else:
            text += " " + part
        glued = raw.endswith("-") and not raw.endswith(" -") and len(raw.strip()) > 1
    return text


def normalise_code(prefix: str, number: str) -> str:
    return f"{prefix} {number.rstrip('.')}"


# --- the parser -------------------------------------------------------------------------


def parse_plan(text: str) -> ParsedPlan:
    """Parse a whole plan; raises `PlanParseError` when the structure is not a plan."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    errors: list[ParseIssue] = []
    warnings: list[ParseIssue] = []

    for number, line in enumerate(lines, 1):
        if "\x00" in line or "\ufffd" in line:
            errors.append(ParseIssue(number, "binary or undecodable content"))
    if errors:
        raise PlanParseError(errors[:20])

    start = next((i for i, line in enumerate(lines) if PLAN_HEADING.match(line)), None)
    if start is None:
        raise PlanParseError([ParseIssue(1, "no heading 'ONDERNEMINGSPLAN <year>' found")])
    year = int(PLAN_HEADING.match(lines[start]).group(1))  # type: ignore[union-attr]
    end = next((i for i in range(start + 1, len(lines)) if END_OF_TREE.match(lines[i])),
               len(lines))

    policy_fields = _parse_tree(lines, start + 1, end, errors, warnings, year)
    if not policy_fields and not errors:
        errors.append(ParseIssue(start + 1, "no policy field heading (e.g. '1. BUITENLANDS BELEID')"))
    if errors:
        raise PlanParseError(errors)

    review = _parse_review(lines, warnings)
    audits = _parse_audit_recommendations(lines, warnings)
    # Imported here: the section parser builds on this module's line helpers.
    from planning.plan_import.indicators import parse_indicator_section

    indicators = parse_indicator_section(
        lines, {pf.number: pf.title for pf in policy_fields}, warnings)
    return ParsedPlan(year=year, title=f"Ondernemingsplan {year}", policy_fields=policy_fields,
                      review=review, audit_recommendations=audits, warnings=warnings,
                      indicators=indicators)


def _initiative_anchors(lines: list[str], start: int, end: int) -> list[int]:
    anchors = []
    for i in range(start, end):
        if lines[i].strip() != "Algemene Informatie":
            continue
        j = i + 1
        while j < end and is_blank(lines[j]):
            j += 1
        if j < end and lines[j].strip().startswith("Omschrijving"):
            anchors.append(i)
    return anchors


def _title_range(lines: list[str], anchor: int, floor: int) -> tuple[int, int] | None:
    """The lines [first, last] of the title above an anchor, or None when there is none."""
    i = anchor - 1
    while i >= floor and (is_blank(lines[i]) or is_page_number(lines[i])):
        i -= 1
    if i < floor or is_goal_heading(lines[i]):
        return None
    last = i
    capitals = is_capitals(lines[last])
    first = last
    while True:
        if lines[first].startswith(" "):
            break  # a new page starts a heading
        previous = first - 1
        if previous < floor or is_blank(lines[previous]) or is_page_number(lines[previous]):
            break
        if is_goal_heading(lines[previous]):
            break
        if capitals and not is_capitals(lines[previous]):
            break
        # a goal heading's wrapped continuation is never part of the title
        if _belongs_to_goal_heading(lines, previous, floor):
            break
        first = previous
    return first, last


def _belongs_to_goal_heading(lines: list[str], index: int, floor: int) -> bool:
    i = index
    while i >= floor and not is_blank(lines[i]):
        if is_goal_heading(lines[i]):
            return True
        if lines[i].startswith(" ") or not is_capitals(lines[i]):
            return False
        i -= 1
    return False


def _heading_end(lines: list[str], first: int, end: int, claimed: set[int]) -> int:
    """Index after the last line of a goal heading starting at `first` (wrapped capitals)."""
    i = first + 1
    while (i < end and not is_blank(lines[i]) and i not in claimed
           and not lines[i].startswith(" ") and is_capitals(lines[i])
           and not is_goal_heading(lines[i])):
        i += 1
    return i


def _parse_tree(lines: list[str], start: int, end: int, errors: list[ParseIssue],
                warnings: list[ParseIssue], plan_year: int) -> list[ParsedPolicyField]:
    anchors = _initiative_anchors(lines, start, end)
    titles: dict[int, tuple[int, int]] = {}
    claimed: set[int] = set()
    for anchor in anchors:
        span = _title_range(lines, anchor, start)
        if span is None:
            errors.append(ParseIssue(anchor + 1, "initiative table without a title above it"))
            continue
        titles[span[0]] = (span[1], anchor)
        claimed.update(range(span[0], span[1] + 1))

    policy_fields: list[ParsedPolicyField] = []
    current_sd: ParsedStrategicGoal | None = None
    current_od: ParsedOperationalGoal | None = None
    od_kind: str | None = None
    od_text: list[str] = []
    body: list[tuple[int, str]] | None = None
    current_ini: dict | None = None
    seen_codes: dict[str, int] = {}

    def finish_initiative() -> None:
        nonlocal current_ini, body
        if current_ini is not None and current_od is not None:
            current_od.initiatives.append(_build_initiative(current_ini, body or [],
                                                            current_ini["kind"], current_od,
                                                            warnings, plan_year))
        current_ini, body = None, None

    def finish_od() -> None:
        nonlocal current_od, od_text
        finish_initiative()
        if current_od is not None:
            current_od.description = join_lines(od_text)
        od_text = []

    def check_unique(code: str, line: int) -> None:
        if code in seen_codes:
            errors.append(ParseIssue(line, f"{code} appears twice (first at line {seen_codes[code]})"))
        seen_codes[code] = line

    i = start
    while i < end:
        line = lines[i]
        if i in titles:
            finish_initiative()
            last, anchor = titles[i]
            if current_od is None:
                errors.append(ParseIssue(i + 1, "initiative outside any operational goal"))
            current_ini = {"title": join_lines(lines[i:last + 1]), "line": i + 1,
                           "kind": od_kind}
            body = []
            i = anchor + 1
            continue
        pf = POLICY_FIELD.match(line)
        sd = STRATEGIC_GOAL.match(line)
        od = OPERATIONAL_GOAL.match(line)
        if pf and is_capitals(line) and i not in claimed:
            finish_od()
            current_sd, current_od = None, None
            number = int(pf.group(1))
            if policy_fields and number != policy_fields[-1].number + 1:
                errors.append(ParseIssue(i + 1, f"policy field {number} follows "
                                                f"{policy_fields[-1].number}"))
            policy_fields.append(ParsedPolicyField(number, " ".join(pf.group(2).split()), i + 1))
            i += 1
            continue
        if (sd or od) and i not in claimed:
            finish_od()
            stop = _heading_end(lines, i, end, claimed)
            match = sd or od
            assert match is not None
            title = join_lines([match.group(2), *lines[i + 1:stop]])
            number = match.group(1)
            if sd:
                code = normalise_code("SD", number)
                check_unique(code, i + 1)
                current_od = None
                current_sd = ParsedStrategicGoal(code, title, i + 1)
                if not policy_fields:
                    errors.append(ParseIssue(i + 1, f"{code} outside any policy field"))
                elif number.split(".")[0] != str(policy_fields[-1].number):
                    errors.append(ParseIssue(i + 1, f"{code} under policy field "
                                                    f"{policy_fields[-1].number}"))
                    policy_fields[-1].strategic_goals.append(current_sd)
                else:
                    policy_fields[-1].strategic_goals.append(current_sd)
            else:
                code = normalise_code("OD", number)
                check_unique(code, i + 1)
                current_od = ParsedOperationalGoal(code, title, i + 1)
                od_kind = None
                if current_sd is None:
                    errors.append(ParseIssue(i + 1, f"{code} outside any strategic goal"))
                else:
                    parent = current_sd.code.removeprefix("SD ")
                    if number.rsplit(".", 1)[0] != parent:
                        errors.append(ParseIssue(i + 1, f"{code} under {current_sd.code}"))
                    current_sd.operational_goals.append(current_od)
            i = stop
            continue
        if current_od is not None and line.strip() in ("PROJECTEN", "PROCESSEN"):
            # a sub-heading, not an initiative: the kind of the initiatives below it
            od_kind = "project" if line.strip() == "PROJECTEN" else "process"
        elif body is not None:
            body.append((i + 1, line))
        elif current_od is not None and not is_page_number(line):
            od_text.append(line)
        i += 1
    finish_od()
    for pf_ in policy_fields:
        if not pf_.strategic_goals:
            warnings.append(ParseIssue(pf_.line, f"policy field {pf_.number} has no strategic goal"))
    return policy_fields


def _strip_noise(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
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


def _build_initiative(data: dict, body: list[tuple[int, str]], od_kind: str | None,
                      od: ParsedOperationalGoal, warnings: list[ParseIssue],
                      plan_year: int) -> ParsedInitiative:
    lines = _strip_noise(body)
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
    description_text = _paragraphs([line for _, line in description])
    items = _result_items(results, plan_year)
    kind = od_kind or ("process" if PROCESS_HINT.search(
        " ".join(line for _, line in results)) else "project")
    index = len(od.initiatives) + 1
    code = f"{od.code.removeprefix('OD ')}-{index:02d}"
    if not items:
        warnings.append(ParseIssue(data["line"], f"initiative '{data['title'][:60]}' has no "
                                                 "expected results"))
    return ParsedInitiative(code=code, title=data["title"], kind=kind,
                            description=description_text, results=items, line=data["line"])


def _paragraphs(lines: list[str]) -> str:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if is_blank(line):
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        paragraphs[-1].append(line)
    return "\n\n".join(join_lines(p) for p in paragraphs if p)


def _result_items(results: list[tuple[int, str]], plan_year: int) -> list[ParsedResult]:
    """Split the results column into items and date them from quarter/year markers."""
    chunks: list[tuple[int, list[str]]] = []
    for number, line in results:
        if is_blank(line):
            chunks.append((number, []))
            continue
        bullet = BULLET.match(line)
        if bullet:
            chunks.append((number, [line[bullet.end():]]))
            continue
        if chunks and chunks[-1][1]:
            chunks[-1][1].append(line)
        else:
            chunks.append((number, [line]))
    # merge a chunk that continues the previous sentence across a blank line
    items: list[tuple[int, str]] = []
    for number, chunk in chunks:
        text = join_lines(chunk)
        if not text:
            continue
        if (items and text[:1].islower() and not items[-1][1].endswith((".", ";", ":"))
                and not YEAR_HEADING.match(items[-1][1]) and not QUARTER.match(text)):
            items[-1] = (items[-1][0], join_lines([items[-1][1], text]))
            continue
        items.append((number, text))

    parsed: list[ParsedResult] = []
    context_due: str | None = None
    default_year = str(plan_year)
    for number, text in items:
        year_heading = YEAR_HEADING.match(text)
        quarter = QUARTER.match(text)
        if year_heading:
            context_due = year_heading.group("year")
            continue
        if quarter and not text[quarter.end():].strip():
            context_due = _quarter_due(quarter, context_due or default_year)
            continue
        due = _quarter_due(quarter, context_due or default_year) if quarter else context_due
        parsed.append(ParsedResult(text=text, due=due, line=number))
    return parsed


def _quarter_due(match: re.Match[str], context: str) -> str:
    """A range "Q3 – Q4" is due by its last quarter."""
    year = match.group("year") or context[:4]
    return f"{year}-Q{match.group('q2') or match.group('q')}"


# --- look-back --------------------------------------------------------------------------


def _parse_review(lines: list[str], warnings: list[ParseIssue]) -> ParsedReview | None:
    start = next((i for i, line in enumerate(lines) if REVIEW_HEADING.match(line)), None)
    if start is None:
        return None
    year = int(REVIEW_HEADING.match(lines[start]).group(1))  # type: ignore[union-attr]
    end = next((i for i in range(start + 1, len(lines))
                if re.match(r"^\s*(LIJST MET AFKORTINGEN|BIJLAGE)\s*$", lines[i])), len(lines))
    intro = " ".join(lines[start:start + 6])
    total = REVIEW_TOTAL.search(" ".join(intro.split()))
    printed_counts: dict[str, int] = {}
    items: list[ParsedReviewItem] = []
    status: str | None = None
    run: list[tuple[int, str]] = []

    def flush() -> None:
        if status is not None:
            for number, title in _table_rows(run):
                items.append(ParsedReviewItem(title=title, status=status, line=number))
        run.clear()

    for i in range(start + 1, end):
        line = lines[i]
        heading = REVIEW_STATUS.match(line)
        if heading:
            flush()
            label = heading.group(2).lower()
            status = next((code for text, code in STATUS_LABELS if text in label), None)
            if status is None:
                warnings.append(ParseIssue(i + 1, f"unknown look-back status {heading.group(2)!r}"))
            else:
                printed_counts[status] = int(heading.group(1))
            continue
        if status is None or is_page_number(line) or line.strip() == "Titel":
            continue
        run.append((i + 1, line))
    flush()
    review = ParsedReview(year=year, line=start + 1,
                          printed_total=int(total.group(1)) if total else None,
                          printed_counts=printed_counts, items=items)
    for code, printed in printed_counts.items():
        found = review.counts().get(code, 0)
        if found != printed:
            warnings.append(ParseIssue(start + 1, f"look-back {code}: document prints {printed}, "
                                                  f"{found} titles found"))
    if review.printed_total is not None and review.printed_total != sum(printed_counts.values()):
        warnings.append(ParseIssue(start + 1, f"look-back: document prints a total of "
                                              f"{review.printed_total} but its status counts add "
                                              f"up to {sum(printed_counts.values())}"))
    return review


def _continues(current: str, following: str) -> bool:
    """Whether `following` is the wrapped rest of the table row whose line is `current`."""
    if following.startswith(" "):
        return False  # first line on a new page: a new row
    text = current.rstrip()
    nxt = following.strip()
    first_word = nxt.split()[0]
    if len(text) + 1 + len(first_word) <= WRAP_WIDTH:
        return False  # the next word would have fitted: the row ended here
    if nxt[:1].islower() or nxt[:1] in "(\"'‘“":
        return True
    last_word = text.split()[-1]
    if text.endswith((".", ")", ":")) and last_word.count(".") <= 1:
        return False
    if last_word.lower() in FUNCTION_WORDS:
        return True
    return last_word[:1].isupper() and not last_word.isupper()


def _table_rows(run: list[tuple[int, str]]) -> list[tuple[int, str]]:
    rows: list[tuple[int, list[str]]] = []
    previous: str | None = None
    for number, line in run:
        if is_blank(line):
            previous = None
            continue
        if previous is not None and _continues(previous, line):
            rows[-1][1].append(line)
        else:
            rows.append((number, [line]))
        previous = line
    return [(number, join_lines(parts)) for number, parts in rows]


# --- audit recommendations --------------------------------------------------------------


def _parse_audit_recommendations(lines: list[str],
                                 warnings: list[ParseIssue]) -> list[ParsedAuditRecommendation]:
    found: list[ParsedAuditRecommendation] = []
    body = "Audit Vlaanderen"
    i = 0
    while i < len(lines):
        heading = AUDIT_HEADING.search(lines[i].strip())
        if heading and lines[i].strip().startswith(("•", "Aanbevelingen")):
            body = heading.group(1).strip()
        if re.match(r"^\s*-\s*A\d+\s", lines[i]):
            start = i
            parts = [lines[i]]
            i += 1
            while i < len(lines) and not is_blank(lines[i]) and not re.match(r"^\s*[-•]", lines[i]):
                parts.append(lines[i])
                i += 1
            text = join_lines(parts)
            match = AUDIT_ITEM.match(text)
            if match is None:
                warnings.append(ParseIssue(start + 1, f"audit recommendation not understood: "
                                                      f"{text[:80]!r}"))
                continue
            day, month, year = int(match.group(4)), int(match.group(5)), int(match.group(6))
            found.append(ParsedAuditRecommendation(
                code=match.group(1), title=match.group(2).strip(), auditing_body=body,
                target_date=f"{year:04d}-{month:02d}-{day:02d}",
                status_text=match.group(3).strip(), line=start + 1))
            continue
        i += 1
    return found
