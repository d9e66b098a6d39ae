"""Audit recommendations printed in the plan ("- A02 <title>: <status> – voorziene streefdatum
31/12/2025"), grouped under "Aanbevelingen <auditing body>" headings."""

import re

from planning.plan_import.lines import ParseIssue
from planning.plan_import.lines import is_blank
from planning.plan_import.lines import join_lines
from planning.plan_import.parsed import ParsedAuditRecommendation

AUDIT_ITEM = re.compile(
    r"^-\s*(A\d+)\s+(.+?):\s*(.+?)\s*[–-]\s*voorziene streefdatum\s+(\d{1,2})/(\d{1,2})/(\d{4})",
    re.IGNORECASE,
)
AUDIT_HEADING = re.compile(r"Aanbevelingen\s+(Audit Vlaanderen|.+)$")
AUDIT_START = re.compile(r"^\s*-\s*A\d+\s")
ITEM_START = re.compile(r"^\s*[-•]")


def parse_audit_recommendations(lines: list[str], warnings: list[ParseIssue]
                                ) -> list[ParsedAuditRecommendation]:
    found: list[ParsedAuditRecommendation] = []
    body = "Audit Vlaanderen"
    i = 0
    while i < len(lines):
        heading = AUDIT_HEADING.search(lines[i].strip())
        if heading and lines[i].strip().startswith(("•", "Aanbevelingen")):
            body = heading.group(1).strip()
        if not AUDIT_START.match(lines[i]):
            i += 1
            continue
        start = i
        parts = [lines[i]]
        i += 1
        while i < len(lines) and not is_blank(lines[i]) and not ITEM_START.match(lines[i]):
            parts.append(lines[i])
            i += 1
        recommendation = _recommendation(join_lines(parts), body, start + 1, warnings)
        if recommendation is not None:
            found.append(recommendation)
    return found


def _recommendation(text: str, body: str, line: int, warnings: list[ParseIssue]
                    ) -> ParsedAuditRecommendation | None:
    match = AUDIT_ITEM.match(text)
    if match is None:
        warnings.append(ParseIssue(line, f"audit recommendation not understood: {text[:80]!r}"))
        return None
    day, month, year = int(match.group(4)), int(match.group(5)), int(match.group(6))
    return ParsedAuditRecommendation(
        code=match.group(1), title=match.group(2).strip(), auditing_body=body,
        target_date=f"{year:04d}-{month:02d}-{day:02d}", status_text=match.group(3).strip(),
        line=line)
