"""Screening matching rules (pure): fuzzy party names and, for denial notices, the goods.

Names are compared case- and accent-insensitively, with punctuation and common legal forms
(JSC, LLC, FZE, GmbH ...) removed, using the token-sort ratio (word order does not matter;
a partial overlap such as "Star" vs "Northern Star Trading" does not score high).

Goods of a denial notice ("an essentially identical transaction"): a notice applies to an
application only when its control-list entry falls in the same category as at least one of
the application's goods lines, compared on the normalised EU form:
- military goods: the Common Military List category, `ML<n>` (`ML8.a.1` matches `ML8` and
  `ML8.b`; it does not match `ML5.a`);
- dual-use items: the five-character Annex I entry, category digit + product group + item
  number (`5A002.a.1` matches `5A002` and `5A002.b`; it does not match `5A003`, nor the
  software entry `5D002`, nor another entry of category 5);
- a military entry never matches a dual-use entry.
A notice that names no control-list entry (or one that cannot be parsed) cannot be told
apart on the goods, so it is kept on the party match alone: screening fails closed.
"""

import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz import process

from export_control.controllist import MILITARY
from export_control.controllist import parse_control_entry

LEGAL_FORMS = frozenset({
    "ag", "ao", "bv", "bvba", "co", "company", "corp", "corporation", "fze", "fzco", "gmbh",
    "inc", "jsc", "llc", "ltd", "limited", "nv", "oao", "ojsc", "ooo", "pjsc", "plc", "sa",
    "sarl", "spa", "srl", "zao",
})


def normalise_name(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_name.casefold()).split()
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


@dataclass(frozen=True)
class NameMatch:
    candidate_index: int
    matched_name: str
    score: float


def best_match(name: str, candidates: Sequence[str], threshold: float) -> NameMatch | None:
    """The best-scoring candidate at or above `threshold` (0-100), or None."""
    if not candidates:
        return None
    found = process.extractOne(normalise_name(name), [normalise_name(c) for c in candidates],
                               scorer=fuzz.token_sort_ratio, score_cutoff=threshold)
    if found is None:
        return None
    _, score, index = found
    return NameMatch(index, candidates[index], round(float(score), 2))


def goods_category_key(control_entry: str) -> str | None:
    """The category-level key of a control-list entry (`ML8`, `5A002`), or None if the entry
    is not a control-list entry."""
    entry = parse_control_entry(control_entry)
    if entry is None:
        return None
    if entry.regime == MILITARY:
        return entry.category
    return entry.code.split(".", 1)[0]


def notice_covers_goods(notice_entry: str | None, line_entries: Iterable[str]) -> bool:
    """Whether a denial notice's control-list entry concerns one of the goods lines."""
    notice_key = goods_category_key(notice_entry) if notice_entry else None
    if notice_key is None:
        return True  # nothing to compare the goods on: keep the notice (fails closed)
    return any(goods_category_key(entry) == notice_key for entry in line_entries)
