"""Charts as inline SVG, drawn on the server (pure functions, no JavaScript).

Each chart is an `<svg role="img">` with a `<title>`; the page puts the same numbers in a
table next to it, so the chart is never the only way to read a figure. Dutch number format.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 170
CHART_WIDTH = 520
LINE_HEIGHT = 140
# Colours with at least 3:1 contrast against white (WCAG 1.4.11, non-text contrast).
BAR_COLOUR = "#1d5a8e"
LINE_COLOUR = "#1d5a8e"
TARGET_COLOUR = "#a3262d"


def format_number(value: float | int | None, decimals: int = 1) -> str:
    """`1234.5` -> `1.234,5`; integers without decimals; None -> `—` (no figure)."""
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        text = f"{int(round(float(value))):,}"
    else:
        text = f"{float(value):,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_money(value: str | float | None) -> str:
    """Amounts (the APIs send decimals as strings) as `€ 1.234,56`."""
    if value is None:
        return "—"
    amount = float(value)
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"€ {text}"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None


def bar_chart(title: str, points: Sequence[Point], unit: str = "") -> Markup:
    """Horizontal bars, one per point, scaled to the largest value."""
    largest = max((p.value for p in points if p.value is not None), default=0) or 1
    height = len(points) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    span = CHART_WIDTH - LABEL_WIDTH - 70
    rows = []
    for index, point in enumerate(points):
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        width = 0 if point.value is None else max(1.0, span * point.value / largest)
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(point.label)}'
            f'</text><rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}">'
            f'{escape(format_number(point.value))}{escape(unit)}</text>')
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">'
        f'<title>{escape(title)}</title>{"".join(rows)}</svg>')


def line_chart(title: str, points: Sequence[Point], target: float | None = None) -> Markup:
    """A trend line over the points (left to right in their order), with the target as a
    dashed line; points without a value leave a gap."""
    values = [p.value for p in points if p.value is not None]
    if target is not None:
        values.append(target)
    if not values:
        return Markup("")
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    left, right, top, bottom = 50, CHART_WIDTH - 10, 10, LINE_HEIGHT - 25
    step = (right - left) / max(1, len(points) - 1)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    segments, current = [], []
    for index, point in enumerate(points):
        if point.value is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append(f"{left + index * step:.1f},{y_of(point.value):.1f}")
    if current:
        segments.append(current)
    lines = "".join(f'<polyline fill="none" stroke="{LINE_COLOUR}" stroke-width="2" '
                    f'points="{" ".join(seg)}"></polyline>' for seg in segments)
    dots = "".join(f'<circle cx="{seg.split(",")[0]}" cy="{seg.split(",")[1]}" r="3" '
                   f'fill="{LINE_COLOUR}"></circle>' for part in segments for seg in part)
    goal = ""
    if target is not None:
        goal = (f'<line x1="{left}" x2="{right}" y1="{y_of(target):.1f}" y2="{y_of(target):.1f}"'
                f' stroke="{TARGET_COLOUR}" stroke-dasharray="6 4"></line>')
    axis = (f'<text x="{left - 6}" y="{top + 8}" text-anchor="end">{escape(format_number(high))}'
            f'</text><text x="{left - 6}" y="{bottom}" text-anchor="end">'
            f'{escape(format_number(low))}</text>'
            f'<text x="{left}" y="{LINE_HEIGHT - 6}">{escape(points[0].label)}</text>'
            f'<text x="{right}" y="{LINE_HEIGHT - 6}" text-anchor="end">'
            f'{escape(points[-1].label)}</text>')
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {LINE_HEIGHT}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">'
        f'<title>{escape(title)}</title>{goal}{lines}{dots}{axis}</svg>')
