"""Due moments as the plan prints them: pure text -> moments with their precision.

The 2025 plan dates its expected results in many forms; each maps to one precision:

    "Q2:" / "Q1 het ontwerp ..." / "(Q1)" / "in Q1 van 2025"          quarter
    "Q1-2:" / "Q3 - Q4:" / "Q1-Q4" / "2025_Q1:" ranges                 quarter_range
    "Q2 + Q4" / "2025_Q3&Q4:"                                          one moment per quarter
    "medio 2025" / "ten laatste medio 2025" / "eerste jaarhelft 2025"  half_year (H1)
    "2de helft van 2025"                                                half_year (H2)
    "voorjaar 2025" / "najaar 2025"                                     half_year (H1 / H2)
    "Oktober 2025:" / "(mei 2025)" / "eind augustus 2025"               month
    "tegen 31 maart 2025" / "op 27 juni 2025"                           day
    "2025:" / "2025 - ..." / "2026" heading                             year
    "2025-2029" / "2027-2028"                                           year_range
    "Continu proces"                                                    kind `continuous`

A quarter without a year takes the year of the heading above it, else the plan's year.
Moments before the plan's year are context ("de MoU van 16 november 2023"), not dues.
A date-looking fragment (a quarter token, a month with a year, medio/jaarhelft/helft, a season
with a year) that none of the forms reads is returned as not understood, so the import can
list it. Bare years inside a sentence ("visienota 2016", "BO 2026") name documents and
editions, not moments, and are not read.
"""

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date

MONTHS = {name: number for number, name in enumerate(
    ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
     "oktober", "november", "december"], 1)}
_MONTH = "(?:" + "|".join(MONTHS) + ")"
_YEAR = r"20\d\d"

# One moment at its first..last day; `precision` says how the plan printed it.
PRECISIONS = ("day", "day_range", "month", "quarter", "quarter_range", "half_year", "year",
              "year_range")


@dataclass(frozen=True, order=True)
class DueMoment:
    first: date
    last: date
    precision: str

    def __str__(self) -> str:
        q_first, q_last = _quarter_of(self.first), _quarter_of(self.last)
        match self.precision:
            case "day":
                return self.first.isoformat()
            case "day_range":
                return f"{self.first.isoformat()}/{self.last.isoformat()}"
            case "month":
                return f"{self.first:%Y-%m}"
            case "quarter":
                return f"{self.first.year}-Q{q_first}"
            case "quarter_range":
                return f"{self.first.year}-Q{q_first}/{self.last.year}-Q{q_last}"
            case "half_year":
                return f"{self.first.year}-H{1 if self.first.month == 1 else 2}"
            case "year":
                return str(self.first.year)
            case _:
                return f"{self.first.year}/{self.last.year}"

    @classmethod
    def parse(cls, text: str) -> "DueMoment":
        """The inverse of `str()` (used to read a due a client sends)."""
        return _parse_moment(text)


@dataclass
class DueReading:
    """What one result's text says about its timing."""

    kind: str  # "dated" | "continuous" | "undated"
    moments: list[DueMoment] = field(default_factory=list)  # in the order printed
    understood: list[tuple[str, DueMoment]] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # dates before the plan year
    not_understood: list[str] = field(default_factory=list)

    @property
    def due(self) -> DueMoment | None:
        """The result is due by its latest moment."""
        return max(self.moments, key=lambda m: (m.last, m.first)) if self.moments else None


def _quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter(year: int, number: int) -> DueMoment:
    return DueMoment(date(year, 3 * number - 2, 1), _month_end(year, 3 * number), "quarter")


def quarter_range(year: int, first: int, last: int) -> DueMoment:
    if first == last:
        return quarter(year, first)
    return DueMoment(date(year, 3 * first - 2, 1), _month_end(year, 3 * last), "quarter_range")


def half_year(year: int, half: int) -> DueMoment:
    return (DueMoment(date(year, 1, 1), date(year, 6, 30), "half_year") if half == 1
            else DueMoment(date(year, 7, 1), date(year, 12, 31), "half_year"))


def month(year: int, number: int) -> DueMoment:
    return DueMoment(date(year, number, 1), _month_end(year, number), "month")


def year_moment(first: int, last: int | None = None) -> DueMoment:
    if last is None or last == first:
        return DueMoment(date(first, 1, 1), date(first, 12, 31), "year")
    return DueMoment(date(first, 1, 1), date(last, 12, 31), "year_range")


def _month_end(year: int, number: int) -> date:
    return date(year, number, calendar.monthrange(year, number)[1])


_PARSE_FORMS = [
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
     lambda m: DueMoment(date(*map(int, m.groups())), date(*map(int, m.groups())), "day")),
    (re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$"),
     lambda m: DueMoment(date.fromisoformat(m[1]), date.fromisoformat(m[2]), "day_range")),
    (re.compile(r"^(\d{4})-(\d{2})$"), lambda m: month(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-Q([1-4])$"), lambda m: quarter(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-Q([1-4])/(\d{4})-Q([1-4])$"),
     lambda m: DueMoment(quarter(int(m[1]), int(m[2])).first,
                         quarter(int(m[3]), int(m[4])).last, "quarter_range")),
    (re.compile(r"^(\d{4})-H([12])$"), lambda m: half_year(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})$"), lambda m: year_moment(int(m[1]))),
    (re.compile(r"^(\d{4})/(\d{4})$"), lambda m: year_moment(int(m[1]), int(m[2]))),
]


def _parse_moment(text: str) -> DueMoment:
    value = text.strip() if isinstance(text, str) else ""
    for pattern, build in _PARSE_FORMS:
        match = pattern.match(value)
        if match:
            moment = build(match)
            if moment.last < moment.first:
                raise ValueError(f"a due range ends before it starts: {text!r}")
            return moment
    raise ValueError("not a due moment (YYYY, YYYY/YYYY, YYYY-Hn, YYYY-Qn, "
                     f"YYYY-Qn/YYYY-Qn, YYYY-MM, YYYY-MM-DD): {text!r}")


# --- reading the plan's text --------------------------------------------------------------

# A marker at the start of a result: "Q1:", "Q1-2:", "Q3 - Q4:", "Q2 + Q4", "2025_Q3&Q4:",
# "2025 Q1:", "1/ 2025 Q1:", "Q1-Q3 :".
QUARTER_MARKER = re.compile(
    rf"^(?:\d/\s*)?(?:(?P<year>{_YEAR})\s*[_ ]?\s*)?Q(?P<q>[1-4])"
    r"(?P<rest>(?:\s*[-–_]\s*Q?[1-4]|\s*[+&]\s*Q[1-4])*)(?![\d])"
    rf"(?:\s+(?P<year_after>{_YEAR})(?=\s*:))?\s*:?\s*")
YEAR_MARKER = re.compile(
    rf"^(?P<year>{_YEAR})(?:\s*[-–]\s*(?P<last>{_YEAR}))?(?:\s*:\s*|\s+[-–]\s+|\s*$|\s+(?=[A-Z]))")
MONTH_MARKER = re.compile(rf"^(?P<month>{_MONTH})\s+(?P<year>{_YEAR})\s*:\s*", re.IGNORECASE)
CONTINUOUS = re.compile(r"\bcontinu\w*\s+process?\b", re.IGNORECASE)

_INLINE = [
    ("day", re.compile(rf"\b(?:(?P<from>\d{{1,2}})\s*[-–]\s*)?(?P<day>\d{{1,2}})\s+"
                       rf"(?P<month>{_MONTH})\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("month", re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("half", re.compile(rf"\b(?:(?:ten laatste\s+)?medio|(?:voor|tegen)\s+de\s+zomer(?:vakantie)?"
                        rf"(?:\s+van)?|(?P<which>eerste|1ste|tweede|2de)"
                        rf"\s+(?:jaar)?helft(?:\s+van)?)\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("season", re.compile(rf"\b(?P<season>voorjaar|najaar)(?:\s+van)?\s+(?P<year>{_YEAR})\b",
                          re.IGNORECASE)),
    ("end_of_year", re.compile(rf"\beind\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("quarter", re.compile(rf"\bQ(?P<q>[1-4])(?:\s*[-–]\s*Q?(?P<q2>[1-4]))?(?![\d])"
                           rf"(?:\s+(?:van\s+)?(?P<year>{_YEAR}))?")),
    ("years", re.compile(rf"\((?P<year>{_YEAR})(?:\s*[-–]\s*(?P<last>{_YEAR}))?\)")),
]
# What still looks like a date once every form above has been read.
DATE_LOOKING = re.compile(
    rf"\bQ[1-4]\b|\b{_MONTH}\s+{_YEAR}\b|\bmedio\b|\bjaarhelft\b|\bhelft van\b|"
    rf"\b(?:voorjaar|najaar|zomer)\w*\s+(?:van\s+)?{_YEAR}\b", re.IGNORECASE)


def _marker_moments(match: re.Match[str], year: int) -> list[DueMoment]:
    """"Q1-2", "Q3 - Q4" are ranges; "Q2 + Q4", "Q3&Q4" a moment per quarter."""
    year = int(match["year"] or match["year_after"] or year)
    first = int(match["q"])
    moments: list[DueMoment] = []
    current = (first, first)
    for sign, number in re.findall(r"([-–_+&])\s*Q?([1-4])", match["rest"] or ""):
        if sign in "-–_":
            current = (current[0], int(number))
        else:
            moments.append(quarter_range(year, *current))
            current = (int(number), int(number))
    moments.append(quarter_range(year, *current))
    return moments


def read_marker(text: str, year: int) -> tuple[list[DueMoment], str]:
    """Moments of a marker at the start of `text` and the text after it (or [] and text)."""
    stripped = text.strip()
    quarter_match = QUARTER_MARKER.match(stripped)
    if quarter_match:
        return _marker_moments(quarter_match, year), stripped[quarter_match.end():]
    month_match = MONTH_MARKER.match(stripped)
    if month_match:
        return ([month(int(month_match["year"]), MONTHS[month_match["month"].lower()])],
                stripped[month_match.end():])
    year_match = YEAR_MARKER.match(stripped)
    if year_match:
        last = int(year_match["last"]) if year_match["last"] else None
        if last is None or last >= int(year_match["year"]):
            return [year_moment(int(year_match["year"]), last)], stripped[year_match.end():]
    return [], text


def _inline_moment(kind: str, match: re.Match[str], year: int) -> DueMoment:
    found_year = int(match["year"]) if match.groupdict().get("year") else year
    if kind == "day":
        day = date(found_year, MONTHS[match["month"].lower()], int(match["day"]))
        if match["from"]:
            return DueMoment(day.replace(day=int(match["from"])), day, "day_range")
        return DueMoment(day, day, "day")
    if kind == "month":
        return month(found_year, MONTHS[match["month"].lower()])
    if kind == "half":
        which = (match["which"] or "").lower()
        return half_year(found_year, 2 if which in ("tweede", "2de") else 1)
    if kind == "season":
        return half_year(found_year, 1 if match["season"].lower() == "voorjaar" else 2)
    if kind == "end_of_year":
        return year_moment(found_year)
    if kind == "quarter":
        return quarter_range(found_year, int(match["q"]), int(match["q2"] or match["q"]))
    return year_moment(found_year, int(match["last"]) if match["last"] else None)


def _read_inline(text: str, year: int, plan_year: int, reading: DueReading,
                 marker: DueMoment | None = None) -> None:
    """Every inline form, earliest-listed form first; read spans are blanked out. After a
    marker ("2025: ... de conferentie in maart 2026") a moment past the marker's year names
    an event the result prepares: context, not another due."""
    remaining = text
    for kind, pattern in _INLINE:
        for match in list(pattern.finditer(remaining)):
            fragment = match.group(0)
            start, end = match.span()
            remaining = remaining[:start] + " " * (end - start) + remaining[end:]
            try:
                moment = _inline_moment(kind, match, year)
            except ValueError:  # "31 februari 2025": looks like a date, is none
                reading.not_understood.append(fragment)
                continue
            if moment.last.year < plan_year or (marker and moment.first.year > marker.last.year):
                reading.context.append(fragment)
            else:
                reading.understood.append((fragment, moment))
                reading.moments.append(moment)
    reading.not_understood.extend(m.group(0) for m in DATE_LOOKING.finditer(remaining))


def read_due(text: str, plan_year: int, heading: Sequence[DueMoment] = ()) -> DueReading:
    """Read one expected result. `heading` holds the moments of a period heading above it
    ("2025 Q1:", "2026", "2025_Q3&Q4:"); a result without its own moment inherits them."""
    year = heading[0].first.year if heading else plan_year
    reading = DueReading(kind="undated")
    moments, rest = read_marker(text, year)
    if moments:
        marker = text.strip()[: len(text.strip()) - len(rest)].strip()
        reading.understood.extend((marker, moment) for moment in moments)
        reading.moments.extend(moments)
    _read_inline(rest, moments[0].first.year if moments else year, plan_year, reading,
                 moments[-1] if moments else None)
    if not reading.moments and CONTINUOUS.search(text):
        reading.kind = "continuous"
        return reading
    if not reading.moments and heading:
        reading.moments.extend(heading)
    reading.kind = "dated" if reading.moments else "undated"
    return reading
