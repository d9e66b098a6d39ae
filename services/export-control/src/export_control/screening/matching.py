"""Fuzzy name matching for screening (rapidfuzz), pure.

Names are compared case- and accent-insensitively, with punctuation and common legal forms
(JSC, LLC, FZE, GmbH ...) removed, using the token-sort ratio (word order does not matter;
a partial overlap such as "Star" vs "Northern Star Trading" does not score high).
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

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
