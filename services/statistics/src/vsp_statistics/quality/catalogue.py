"""The Code of Practice reference data and the validation of an indicator catalogue (pure).

The 16 principles of the European Statistics Code of Practice (2017 edition, including 1bis)
ship with the service (`data/code-of-practice-2017.json`, principles only). The 84 indicators
and their official texts are NOT shipped and never invented: VSA staff import them as a
catalogue (JSON or CSV with the columns `code,principle,text`), validated here; every import
is a new catalogue version.
"""

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

INDICATOR_CODE = re.compile(r"^(?P<principle>1bis|[1-9]|1[0-5])\.(?P<number>[1-9][0-9]?)$")
CSV_COLUMNS = ("code", "principle", "text")
MAX_INDICATORS = 500


@dataclass(frozen=True)
class Principle:
    code: str
    title: str
    area: str


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    principle: str
    text: str


@lru_cache(maxsize=1)
def principles() -> tuple[Principle, ...]:
    raw = json.loads(resources.files("vsp_statistics").joinpath(
        "data/code-of-practice-2017.json").read_text(encoding="utf-8"))
    return tuple(Principle(code=item["principle"], title=item["principle_title"],
                           area=item["area"]) for item in raw["items"])


def principle_codes() -> set[str]:
    return {p.code for p in principles()}


class CatalogueInvalid(ValueError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} error(s) in the catalogue")
        self.errors = errors


def parse_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or tuple(f.strip() for f in reader.fieldnames) != CSV_COLUMNS:
        raise CatalogueInvalid([{"row": 0, "msg": f"the header must be {','.join(CSV_COLUMNS)}"}])
    return [{key.strip(): value for key, value in row.items()} for row in reader]


def validate(rows: list[dict[str, Any]]) -> list[IndicatorRow]:
    """Indicator rows checked one by one; every problem is reported, none is fixed silently."""
    errors: list[dict[str, Any]] = []
    known = principle_codes()
    seen: set[str] = set()
    result: list[IndicatorRow] = []
    if not rows:
        errors.append({"row": 0, "msg": "the catalogue has no indicators"})
    if len(rows) > MAX_INDICATORS:
        errors.append({"row": 0, "msg": f"at most {MAX_INDICATORS} indicators"})
    for number, row in enumerate(rows[:MAX_INDICATORS], start=1):
        code = str(row.get("code") or "").strip()
        principle = str(row.get("principle") or "").strip()
        text = str(row.get("text") or "").strip()
        match = INDICATOR_CODE.match(code)
        if not match:
            errors.append({"row": number, "code": code, "msg": "code must look like 13.1"})
        elif match["principle"] != principle:
            errors.append({"row": number, "code": code,
                           "msg": f"code {code} does not belong to principle {principle!r}"})
        if principle not in known:
            errors.append({"row": number, "code": code, "msg": f"unknown principle {principle!r}"})
        if not text:
            errors.append({"row": number, "code": code, "msg": "text is required"})
        if code in seen:
            errors.append({"row": number, "code": code, "msg": "duplicate code"})
        seen.add(code)
        result.append(IndicatorRow(code=code, principle=principle, text=text))
    if errors:
        raise CatalogueInvalid(errors)
    return result
