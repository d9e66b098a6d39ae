"""Flemish municipalities valid from 2025 (NIS codes), shipped as package data.

Codes of municipalities merged on 1 January 2025 are still accepted and mapped to the new
municipality, because reports and applications about older events use the old codes.
"""

import json
from functools import lru_cache
from importlib import resources

from disaster_fund.errors import Errors


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    raw = json.loads(resources.files("disaster_fund").joinpath("data/municipalities.json")
                     .read_text(encoding="utf-8"))
    by_code = {item["nis"]: item for item in raw["municipalities"]}
    return by_code, dict(raw["merged_into"])


def canonical_nis(code: str) -> str | None:
    """The current NIS code for `code` (itself, or the municipality it merged into)."""
    by_code, merged_into = _data()
    if code in by_code:
        return code
    return merged_into.get(code)


def municipality_name(code: str) -> str | None:
    item = _data()[0].get(code)
    return item["name"] if item else None


def canonical_list(codes: list[str], field: str = "municipalities") -> list[str]:
    """Map every code to its current code (deduplicated, order kept); 422 on unknown codes."""
    result: list[str] = []
    unknown: list[str] = []
    for code in codes:
        current = canonical_nis(code)
        if current is None:
            unknown.append(code)
        elif current not in result:
            result.append(current)
    if unknown:
        raise Errors.UNKNOWN_MUNICIPALITY(f"not a Flemish municipality NIS code: {', '.join(unknown)}",
            errors=[{"loc": ["body", field], "msg": f"unknown NIS code {c}", "type": "value_error"}
                    for c in unknown],
        )
    return result


def canonical_one(code: str, field: str = "municipality_nis") -> str:
    return canonical_list([code], field)[0]
