"""Charts drawn on the server as SVG: no script, no library, readable without
JavaScript; each mark carries a <title> and the page repeats the numbers in a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 220, 44


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # what the mark's <title> says
    kind: str = "valid"  # valid | revoked | expired (how it is drawn)


def _scale(values: Sequence[float], low: float, high: float) -> list[float]:
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    return [low + (v - lo) / span * (high - low) for v in values]


def line_chart(
    points: Sequence[Point],
    *,
    title: str,
    y_label: str,
    x_first: str,
    x_last: str,
    y_low: str,
    y_high: str,
) -> Markup:
    """Points joined where they count (valid), revoked ones crossed, expired hollow."""
    if not points:
        return Markup("")
    xs = _scale([p.x for p in points], PAD * 1.5, WIDTH - PAD)
    if len({p.x for p in points}) == 1:  # all on one date: side by side, in order
        xs = (
            _scale(list(range(len(points))), PAD * 1.5, WIDTH - PAD)
            if len(points) > 1
            else [WIDTH / 2]
        )
    ys = _scale([p.y for p in points], HEIGHT - PAD - 14, PAD / 2 + 14)
    if len({p.y for p in points}) == 1:
        ys = [HEIGHT / 2] * len(points)
    valid = [(x, y) for x, y, p in zip(xs, ys, points, strict=True) if p.kind == "valid"]
    parts = [_frame(title, y_label, x_first, x_last, y_low, y_high)]
    if len(valid) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in valid)
        parts.append(f'<polyline class="line" points="{path}" fill="none"/>')
    for x, y, p in zip(xs, ys, points, strict=True):
        tip = f"<title>{escape(p.label)}</title>"
        if p.kind == "revoked":
            d = (
                f"M{x - 5:.1f},{y - 5:.1f}L{x + 5:.1f},{y + 5:.1f}"
                f"M{x - 5:.1f},{y + 5:.1f}L{x + 5:.1f},{y - 5:.1f}"
            )
            parts.append(f'<path class="mark revoked" d="{d}">{tip}</path>')
        else:
            parts.append(
                f'<circle class="mark {p.kind}" cx="{x:.1f}" cy="{y:.1f}" r="5">{tip}</circle>'
            )
    return _svg(title, parts)


def bar_chart(
    points: Sequence[Point], *, title: str, y_label: str, x_first: str, x_last: str, y_high: str
) -> Markup:
    """One bar per point, from zero."""
    if not points:
        return Markup("")
    top = max(p.y for p in points) or 1.0
    step = (WIDTH - PAD * 1.5) / len(points)
    width = max(2.0, step * 0.7)
    parts = [_frame(title, y_label, x_first, x_last, "0", y_high)]
    for i, p in enumerate(points):
        h = p.y / top * (HEIGHT - PAD * 1.5)
        x = PAD + i * step + (step - width) / 2
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{width:.1f}" '
            f'height="{h:.1f}"><title>{escape(p.label)}</title></rect>'
        )
    return _svg(title, parts)


def _frame(title: str, y_label: str, x_first: str, x_last: str, y_low: str, y_high: str) -> str:
    base, right = HEIGHT - PAD, WIDTH - PAD / 2
    return (
        f'<line class="axis" x1="{PAD}" y1="{PAD / 2}" x2="{PAD}" y2="{base}"/>'
        f'<line class="axis" x1="{PAD}" y1="{base}" x2="{right}" y2="{base}"/>'
        f'<text x="{PAD}" y="{HEIGHT - PAD / 2 + 4}" class="tick">{escape(x_first)}</text>'
        f'<text x="{right}" y="{HEIGHT - PAD / 2 + 4}" class="tick end">{escape(x_last)}</text>'
        f'<text x="{PAD + 6}" y="{base - 6}" class="tick">{escape(y_low)}</text>'
        f'<text x="{PAD + 6}" y="{PAD / 2 + 4}" class="tick">{escape(y_high)}</text>'
        f'<text x="4" y="{PAD / 2 + 4}" class="tick">{escape(y_label)}</text>'
    )


def _svg(title: str, parts: list[str]) -> Markup:
    # Every text in `parts` went through escape(); the rest are numbers and fixed names.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )
