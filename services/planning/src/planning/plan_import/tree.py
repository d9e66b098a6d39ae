"""The plan tree: policy fields > SDs > ODs > initiatives, from the lines of the plan body.

Every initiative is a table that starts with the label "Algemene Informatie" followed by
"Omschrijving" (sometimes on the same line as the description). That pair is the anchor of an
initiative; a repeated "Algemene Informatie" / "Beoogde resultaten" without it is the table
header repeated after a page break and is dropped. The initiative title is the block of lines
right above its anchor (page numbers and blank lines in between are skipped). Capital titles
wrap over several lines and are joined; a line starting with a space is the first line on a new
page and therefore starts a heading (this is how an OD heading directly followed by a title
without a blank line is split). Sub-headings such as "PROJECTEN" / "PROCESSEN" are not
initiatives: they set the kind of the initiatives below them in the same OD.
"""

from dataclasses import dataclass
from dataclasses import field

from planning.plan_import.lines import OPERATIONAL_GOAL
from planning.plan_import.lines import POLICY_FIELD
from planning.plan_import.lines import STRATEGIC_GOAL
from planning.plan_import.lines import ParseIssue
from planning.plan_import.lines import is_blank
from planning.plan_import.lines import is_capitals
from planning.plan_import.lines import is_goal_heading
from planning.plan_import.lines import is_page_number
from planning.plan_import.lines import join_lines
from planning.plan_import.lines import normalise_code
from planning.plan_import.parsed import ParsedOperationalGoal
from planning.plan_import.parsed import ParsedPolicyField
from planning.plan_import.parsed import ParsedStrategicGoal
from planning.plan_import.results import build_initiative

SUB_HEADINGS = {"PROJECTEN": "project", "PROCESSEN": "process"}


def initiative_anchors(lines: list[str], start: int, end: int) -> list[int]:
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


def title_range(lines: list[str], anchor: int, floor: int) -> tuple[int, int] | None:
    """The lines [first, last] of the title above an anchor, or None when there is none."""
    i = anchor - 1
    while i >= floor and (is_blank(lines[i]) or is_page_number(lines[i])):
        i -= 1
    if i < floor or is_goal_heading(lines[i]):
        return None
    last = first = i
    capitals = is_capitals(lines[last])
    while not lines[first].startswith(" "):  # a new page starts a heading
        previous = first - 1
        if (previous < floor or is_blank(lines[previous]) or is_page_number(lines[previous])
                or is_goal_heading(lines[previous])
                or (capitals and not is_capitals(lines[previous]))
                # a goal heading's wrapped continuation is never part of the title
                or _belongs_to_goal_heading(lines, previous, floor)):
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


def heading_end(lines: list[str], first: int, end: int, claimed: set[int]) -> int:
    """Index after the last line of a goal heading starting at `first` (wrapped capitals)."""
    i = first + 1
    while (i < end and not is_blank(lines[i]) and i not in claimed
           and not lines[i].startswith(" ") and is_capitals(lines[i])
           and not is_goal_heading(lines[i])):
        i += 1
    return i


@dataclass
class TreeBuilder:
    """Walks the plan body once; each method handles one kind of line."""

    lines: list[str]
    start: int
    end: int
    plan_year: int
    errors: list[ParseIssue]
    warnings: list[ParseIssue]
    policy_fields: list[ParsedPolicyField] = field(default_factory=list)
    titles: dict[int, tuple[int, int]] = field(default_factory=dict)  # first -> (last, anchor)
    claimed: set[int] = field(default_factory=set)
    sd: ParsedStrategicGoal | None = None
    od: ParsedOperationalGoal | None = None
    od_kind: str | None = None
    od_text: list[str] = field(default_factory=list)
    initiative: tuple[str, int] | None = None  # (title, line)
    body: list[tuple[int, str]] = field(default_factory=list)
    seen_codes: dict[str, int] = field(default_factory=dict)

    def build(self) -> list[ParsedPolicyField]:
        self._find_titles()
        i = self.start
        while i < self.end:
            i = self._step(i)
        self._finish_od()
        for pf in self.policy_fields:
            if not pf.strategic_goals:
                self.warnings.append(ParseIssue(pf.line, f"policy field {pf.number} has no "
                                                         "strategic goal"))
        return self.policy_fields

    def _find_titles(self) -> None:
        for anchor in initiative_anchors(self.lines, self.start, self.end):
            span = title_range(self.lines, anchor, self.start)
            if span is None:
                self.errors.append(ParseIssue(anchor + 1, "initiative table without a title "
                                                          "above it"))
                continue
            self.titles[span[0]] = (span[1], anchor)
            self.claimed.update(range(span[0], span[1] + 1))

    def _step(self, i: int) -> int:
        """Handle the line at `i`; the index of the next line to look at."""
        line = self.lines[i]
        if i in self.titles:
            return self._start_initiative(i)
        if POLICY_FIELD.match(line) and is_capitals(line) and i not in self.claimed:
            self._policy_field(i)
            return i + 1
        if (STRATEGIC_GOAL.match(line) or OPERATIONAL_GOAL.match(line)) and i not in self.claimed:
            return self._goal(i)
        if self.od is not None and line.strip() in SUB_HEADINGS:
            self.od_kind = SUB_HEADINGS[line.strip()]
        elif self.initiative is not None:
            self.body.append((i + 1, line))
        elif self.od is not None and not is_page_number(line):
            self.od_text.append(line)
        return i + 1

    def _start_initiative(self, i: int) -> int:
        self._finish_initiative()
        last, anchor = self.titles[i]
        if self.od is None:
            self.errors.append(ParseIssue(i + 1, "initiative outside any operational goal"))
        self.initiative = (join_lines(self.lines[i:last + 1]), i + 1)
        self.body = []
        return anchor + 1

    def _finish_initiative(self) -> None:
        if self.initiative is not None and self.od is not None:
            title, line = self.initiative
            self.od.initiatives.append(build_initiative(
                title, line, self.body, self.od_kind, self.od, self.warnings, self.plan_year))
        self.initiative, self.body = None, []

    def _finish_od(self) -> None:
        self._finish_initiative()
        if self.od is not None:
            self.od.description = join_lines(self.od_text)
        self.od_text = []

    def _check_unique(self, code: str, line: int) -> None:
        if code in self.seen_codes:
            self.errors.append(ParseIssue(line, f"{code} appears twice (first at line "
                                                f"{self.seen_codes[code]})"))
        self.seen_codes[code] = line

    def _policy_field(self, i: int) -> None:
        self._finish_od()
        self.sd, self.od = None, None
        match = POLICY_FIELD.match(self.lines[i])
        assert match is not None
        number = int(match.group(1))
        if self.policy_fields and number != self.policy_fields[-1].number + 1:
            self.errors.append(ParseIssue(i + 1, f"policy field {number} follows "
                                                 f"{self.policy_fields[-1].number}"))
        self.policy_fields.append(ParsedPolicyField(number, " ".join(match.group(2).split()),
                                                    i + 1))

    def _goal(self, i: int) -> int:
        self._finish_od()
        stop = heading_end(self.lines, i, self.end, self.claimed)
        sd = STRATEGIC_GOAL.match(self.lines[i])
        match = sd or OPERATIONAL_GOAL.match(self.lines[i])
        assert match is not None
        title = join_lines([match.group(2), *self.lines[i + 1:stop]])
        if sd:
            self._strategic_goal(match.group(1), title, i + 1)
        else:
            self._operational_goal(match.group(1), title, i + 1)
        return stop

    def _strategic_goal(self, number: str, title: str, line: int) -> None:
        code = normalise_code("SD", number)
        self._check_unique(code, line)
        self.od = None
        self.sd = ParsedStrategicGoal(code, title, line)
        if not self.policy_fields:
            self.errors.append(ParseIssue(line, f"{code} outside any policy field"))
            return
        if number.split(".")[0] != str(self.policy_fields[-1].number):
            self.errors.append(ParseIssue(line, f"{code} under policy field "
                                                f"{self.policy_fields[-1].number}"))
        self.policy_fields[-1].strategic_goals.append(self.sd)

    def _operational_goal(self, number: str, title: str, line: int) -> None:
        code = normalise_code("OD", number)
        self._check_unique(code, line)
        self.od = ParsedOperationalGoal(code, title, line)
        self.od_kind = None
        if self.sd is None:
            self.errors.append(ParseIssue(line, f"{code} outside any strategic goal"))
            return
        if number.rsplit(".", 1)[0] != self.sd.code.removeprefix("SD "):
            self.errors.append(ParseIssue(line, f"{code} under {self.sd.code}"))
        self.sd.operational_goals.append(self.od)


def parse_tree(lines: list[str], start: int, end: int, errors: list[ParseIssue],
               warnings: list[ParseIssue], plan_year: int) -> list[ParsedPolicyField]:
    return TreeBuilder(lines, start, end, plan_year, errors, warnings).build()
