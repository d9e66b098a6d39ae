"""How a look-back's counts compare with what its document prints (pure)."""

from typing import Any


def review_summary(printed_total: int | None, printed_counts: dict[str, int],
                   counts: dict[str, int]) -> dict[str, Any]:
    """Counts as printed and as listed. `counts_match` only when the titles found per status
    equal the printed counts AND the printed total equals the number of titles listed (the
    2025 document prints a total of 206 but lists 205 titles: no match). None when nothing
    is printed (a look-back produced from the reports)."""
    listed_total = sum(counts.values())
    if printed_total is None and not printed_counts:  # produced: nothing printed to compare
        return {"printed_total": None, "printed_counts": {}, "counts": counts,
                "listed_total": listed_total, "counts_match": None}
    per_status = all(counts.get(status, 0) == printed for status, printed in printed_counts.items())
    return {"printed_total": printed_total, "printed_counts": printed_counts, "counts": counts,
            "listed_total": listed_total,
            "counts_match": per_status and (printed_total is None or printed_total == listed_total)}
