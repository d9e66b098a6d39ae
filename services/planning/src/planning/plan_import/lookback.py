"""The look-back section ("TERUGBLIK ONDERNEMINGSPLAN 2024"): titles per final status.

The titles sit in a table whose wrapped rows are rebuilt from line-wrap evidence; the counts
the document prints (per status and in total) are kept next to the counts found, so a mismatch
is visible rather than hidden.
"""

import re

from planning.plan_import.lines import FUNCTION_WORDS
from planning.plan_import.lines import ParseIssue
from planning.plan_import.lines import is_blank
from planning.plan_import.lines import is_page_number
from planning.plan_import.lines import join_lines
from planning.plan_import.parsed import STATUS_ACTION
from planning.plan_import.parsed import STATUS_ATTENTION
from planning.plan_import.parsed import STATUS_DONE
from planning.plan_import.parsed import STATUS_ON_TRACK
from planning.plan_import.parsed import ParsedReview
from planning.plan_import.parsed import ParsedReviewItem

REVIEW_HEADING = re.compile(r"^\s*TERUGBLIK ONDERNEMINGSPLAN (\d{4})\s*$")
REVIEW_END = re.compile(r"^\s*(LIJST MET AFKORTINGEN|BIJLAGE)\s*$")
REVIEW_TOTAL = re.compile(r"in totaal (\d+) projecten en\s+processen", re.IGNORECASE)
REVIEW_STATUS = re.compile(r"^\s*-\s*De volgende (\d+) initiatieven kregen de status (.+?)\s*$")
STATUS_LABELS = [
    ("actie/bijsturing", STATUS_ACTION),
    ("vertraging/aandacht", STATUS_ATTENTION),
    ("afgewerkt", STATUS_DONE),
    ("op schema", STATUS_ON_TRACK),
]
WRAP_WIDTH = 85  # characters: a line plus the next word beyond this means the line wrapped


def parse_review(lines: list[str], warnings: list[ParseIssue]) -> ParsedReview | None:
    start = next((i for i, line in enumerate(lines) if REVIEW_HEADING.match(line)), None)
    if start is None:
        return None
    year = int(REVIEW_HEADING.match(lines[start]).group(1))  # type: ignore[union-attr]
    end = next((i for i in range(start + 1, len(lines)) if REVIEW_END.match(lines[i])),
               len(lines))
    total = REVIEW_TOTAL.search(" ".join(" ".join(lines[start:start + 6]).split()))
    printed_counts, items = _status_runs(lines, start + 1, end, warnings)
    review = ParsedReview(year=year, line=start + 1,
                          printed_total=int(total.group(1)) if total else None,
                          printed_counts=printed_counts, items=items)
    _warn_mismatches(review, warnings)
    return review


def _status_runs(lines: list[str], start: int, end: int, warnings: list[ParseIssue]
                 ) -> tuple[dict[str, int], list[ParsedReviewItem]]:
    printed_counts: dict[str, int] = {}
    items: list[ParsedReviewItem] = []
    status: str | None = None
    run: list[tuple[int, str]] = []

    for i in range(start, end + 1):
        line = lines[i] if i < end else None
        heading = REVIEW_STATUS.match(line) if line is not None else None
        if line is None or heading:
            if status is not None:
                items.extend(ParsedReviewItem(title=title, status=status, line=number)
                             for number, title in table_rows(run))
            run = []
        if line is None:
            break
        if heading:
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
    return printed_counts, items


def _warn_mismatches(review: ParsedReview, warnings: list[ParseIssue]) -> None:
    for code, printed in review.printed_counts.items():
        found = review.counts().get(code, 0)
        if found != printed:
            warnings.append(ParseIssue(review.line, f"look-back {code}: document prints "
                                                    f"{printed}, {found} titles found"))
    listed = sum(review.printed_counts.values())
    if review.printed_total is not None and review.printed_total != listed:
        warnings.append(ParseIssue(review.line, f"look-back: document prints a total of "
                                                f"{review.printed_total} but its status counts "
                                                f"add up to {listed}"))


def continues_row(current: str, following: str) -> bool:
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


def table_rows(run: list[tuple[int, str]]) -> list[tuple[int, str]]:
    rows: list[tuple[int, list[str]]] = []
    previous: str | None = None
    for number, line in run:
        if is_blank(line):
            previous = None
            continue
        if previous is not None and continues_row(previous, line):
            rows[-1][1].append(line)
        else:
            rows.append((number, [line]))
        previous = line
    return [(number, join_lines(parts)) for number, parts in rows]
