"""Line-level helpers for the plan text export: classification, joining, the shared issue type.

Page numbers are lines holding only a number of 1-3 digits; 4-digit years ("2025") are kept
because they head groups of expected results. Headings are in capitals and wrap.
"""

import re
from dataclasses import dataclass


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


PLAN_HEADING = re.compile(r"^\s*ONDERNEMINGSPLAN\s+(\d{4})\s*$")
POLICY_FIELD = re.compile(r"^\s*([1-9])\.\s+([A-ZÀ-Ý][A-ZÀ-Ý \-]+?)\s*$")
STRATEGIC_GOAL = re.compile(r"^\s*SD\s*(\d+(?:\.\d+)?)\.?\s+(\S.*?)\s*$")
OPERATIONAL_GOAL = re.compile(r"^\s*OD\s*(\d+(?:\.\d+){1,2})\.?\s+(\S.*?)\s*$")
PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
END_OF_TREE = re.compile(
    r"^\s*(PRESTATIE-INDICATOREN|PERSONEELSPLAN|HORIZONTALE STRATEGISCHE DOELSTELLINGEN|"
    r"TERUGBLIK ONDERNEMINGSPLAN \d{4}|LIJST MET AFKORTINGEN)\s*$"
)
FUNCTION_WORDS = {
    "de", "het", "een", "van", "voor", "en", "uit", "met", "op", "tot", "in", "te", "aan",
    "bij", "naar", "over", "door", "om", "of", "als", "die", "dat", "zijn", "ook",
}


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
