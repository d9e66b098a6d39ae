"""Parse the text export of a published ondernemingsplan (PDF -> text) into a plan tree.

Pure: text in, `ParsedPlan` out (or `PlanParseError` with line numbers). No I/O, no database.
One module per concern: `lines` (line classification), `tree` (policy fields > SDs > ODs >
initiatives), `results` (description and expected results of an initiative), `due_moments`
(the dates the results print), `lookback` (TERUGBLIK), `audits` (audit recommendations),
`indicators` (PRESTATIE-INDICATOREN). This module only puts them together.
"""

from planning.plan_import.audits import parse_audit_recommendations
from planning.plan_import.indicators import parse_indicator_section
from planning.plan_import.lines import END_OF_TREE
from planning.plan_import.lines import PLAN_HEADING
from planning.plan_import.lines import ParseIssue
from planning.plan_import.lines import PlanParseError
from planning.plan_import.lookback import parse_review
from planning.plan_import.parsed import ParsedPlan
from planning.plan_import.tree import parse_tree

__all__ = ["ParseIssue", "ParsedPlan", "PlanParseError", "parse_plan"]


def _lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    errors = [ParseIssue(number, "binary or undecodable content")
              for number, line in enumerate(lines, 1) if "\x00" in line or "\ufffd" in line]
    if errors:
        raise PlanParseError(errors[:20])
    return lines


def parse_plan(text: str) -> ParsedPlan:
    """Parse a whole plan; raises `PlanParseError` when the structure is not a plan."""
    lines = _lines(text)
    errors: list[ParseIssue] = []
    warnings: list[ParseIssue] = []
    start = next((i for i, line in enumerate(lines) if PLAN_HEADING.match(line)), None)
    if start is None:
        raise PlanParseError([ParseIssue(1, "no heading 'ONDERNEMINGSPLAN <year>' found")])
    year = int(PLAN_HEADING.match(lines[start]).group(1))  # type: ignore[union-attr]
    end = next((i for i in range(start + 1, len(lines)) if END_OF_TREE.match(lines[i])),
               len(lines))

    policy_fields = parse_tree(lines, start + 1, end, errors, warnings, year)
    if not policy_fields and not errors:
        errors.append(ParseIssue(start + 1, "no policy field heading (e.g. '1. BUITENLANDS "
                                            "BELEID')"))
    if errors:
        raise PlanParseError(errors)
    review = parse_review(lines, warnings)
    audits = parse_audit_recommendations(lines, warnings)
    indicators = parse_indicator_section(
        lines, {pf.number: pf.title for pf in policy_fields}, warnings)
    return ParsedPlan(year=year, title=f"Ondernemingsplan {year}", policy_fields=policy_fields,
                      review=review, audit_recommendations=audits, warnings=warnings,
                      indicators=indicators)
