"""Control-list entries normalised to the EU form.

Military goods: EU Common Military List `ML1` .. `ML22`, sub-items alternating a letter and a
number (`ML8.a.1`). Dual-use items: Annex I to Regulation (EU) 2021/821, category digit,
product group A-E, three-digit item, then sub-items (`5A002.a.1`, `1C350`). Applicants type
`ml1a` or `5a002a1`; the dotted form is what is stored, compared and reported.
Category labels come from the reference data copied into `data/`; whether an entry exists on
the list itself (ML22.z, 9E999 do not) is checked against `data/control-list-entries.json`.
"""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from export_control.errors import Errors

MILITARY = "military"
DUAL_USE = "dual_use"

_MILITARY = re.compile(r"^ML(?P<number>\d{1,2})(?P<rest>[a-z0-9]*)$")
_DUAL_USE = re.compile(r"^(?P<category>\d)(?P<group>[A-E])(?P<item>\d{3})(?P<rest>[a-z0-9]*)$")
# Sub-items alternate: one letter, then a number, then one letter ...
_SUB_ITEMS = re.compile(r"^(?:[a-z](?:\d{1,2}(?:[a-z](?:\d{1,2})?)?)?)?$")
_SEPARATORS = re.compile(r"[\s.\-_/]+")


@dataclass(frozen=True)
class ControlEntry:
    code: str  # the normalised EU form, e.g. "ML8.a.1" or "5A002.a.1"
    regime: str  # "military" or "dual_use"
    category: str  # "ML8" or "5"
    category_label: str


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    files = resources.files("export_control").joinpath("data")
    military = json.loads(files.joinpath("eu-common-military-list.json").read_text())
    dual_use = json.loads(files.joinpath("dual-use-annex-i-structure.json").read_text())
    labels = {item["code"]: item["title"] for item in military["items"]}
    labels.update({c["category"]: c["title"] for c in dual_use["items"]["categories"]})
    return labels


def _sub_items(rest: str) -> list[str] | None:
    if not _SUB_ITEMS.match(rest):
        return None
    return re.findall(r"[a-z]|\d+", rest)


def parse_control_entry(raw: str) -> ControlEntry | None:
    """The normalised entry, or None when `raw` is not a control-list entry."""
    if not isinstance(raw, str):
        return None
    text = re.sub(r"^(ml)[\s.\-_/]+", r"\1", raw.strip(), flags=re.IGNORECASE)
    if len(text) > 30:
        return None
    # The first segment holds the category number ("ML1.1" is not "ML11"); the rest is joined.
    first, *others = _SEPARATORS.split(text)
    if others and first[-1:].isdigit() and others[0][:1].isdigit():
        return _numbered_entry(first, others)
    compact = first + "".join(others)
    head = compact[:2].upper()
    if head == "ML":
        match = _MILITARY.match("ML" + compact[2:].lower())
        if not match or not 1 <= int(match["number"]) <= 22 or match["number"].startswith("0"):
            return None
        subs = _sub_items(match["rest"])
        if subs is None:
            return None
        category = f"ML{int(match['number'])}"
        return ControlEntry(".".join([category, *subs]), MILITARY, category, _labels()[category])
    upper_prefix = compact[:5].upper() + compact[5:].lower()
    match = _DUAL_USE.match(upper_prefix)
    if not match:
        return None
    subs = _sub_items(match["rest"])
    if subs is None:
        return None
    base = f"{match['category']}{match['group']}{match['item']}"
    return ControlEntry(".".join([base, *subs]), DUAL_USE, match["category"],
                        _labels()[match["category"]])


def _numbered_entry(first: str, others: list[str]) -> ControlEntry | None:
    """An Annex I item whose first level is numbered: `1C350.1` (Thiodiglycol), `1C350.43`."""
    match = _DUAL_USE.match(first.upper())
    if not match or match["rest"] or len(others) != 1 or not others[0].isdigit():
        return None
    base = f"{match['category']}{match['group']}{match['item']}"
    highest = _entries()["numbered_sub_items"].get(base)
    if highest is None or not 1 <= int(others[0]) <= highest or others[0].startswith("0"):
        return None
    return ControlEntry(f"{base}.{int(others[0])}", DUAL_USE, match["category"],
                        _labels()[match["category"]])


@lru_cache(maxsize=1)
def _entries() -> dict:
    files = resources.files("export_control").joinpath("data")
    return json.loads(files.joinpath("control-list-entries.json").read_text())


def _in_ranges(number: str, ranges: list[str]) -> bool:
    for spec in ranges:
        low, _, high = spec.partition("-")
        if int(low) <= int(number) <= int(high or low):
            return True
    return False


def on_the_lists(entry: ControlEntry) -> bool:
    """The entry exists on the list itself (versioned data), not only in the right format."""
    data = _entries()
    subs = entry.code.split(".")[1:]
    if entry.regime == MILITARY:
        last = data["military_sub_items"][entry.category]
        return not subs or (last is not None and subs[0] <= last)
    base = entry.code.split(".")[0]
    if not _in_ranges(base[2:5], data["dual_use_items"].get(base[:2], [])):
        return False
    numbered = base in data["numbered_sub_items"]
    return not subs or subs[0].isdigit() == numbered


def normalise_control_entry(raw: str) -> ControlEntry:
    """Like `parse_control_entry`, but unknown formats are a 422 problem."""
    entry = parse_control_entry(raw)
    if entry is None or not on_the_lists(entry):
        raise Errors.INVALID_CONTROL_LIST_ENTRY(
            f"{raw!r} is not an entry of the EU Common Military List (ML1-ML22) or of Annex I "
            "to Regulation (EU) 2021/821", control_list_version=_entries()["version"])
    return entry
