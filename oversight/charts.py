"""Charts drawn on the server as inline SVG: no script and nothing from another site, so they
render under a strict Content-Security-Policy (presentation attributes only, no style) and
print as they show. Every chart is drawn from the same rows as the table beside it."""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

_WIDTH = 640
_PLOT_HEIGHT = 200
LEFT, RIGHT, TOP = 64, 12, 12
_AXIS = 28  # below the plot: the category labels
_LEGEND_ROW = 18
_COLORS = [
    "#198754",
    "#0d6efd",
    "#fd7e14",
    "#6f42c1",
    "#20c997",
    "#dc3545",
    "#6c757d",
    "#ffc107",
    "#0dcaf0",
    "#d63384",
]
_GRID = "#dee2e6"
_INK = "#212529"
_MUTED = "#6c757d"


@dataclass(frozen=True)
class Series:
    name: str
    values: list
    color: str = ""


def number(value):
    """Thousands separated by dots, as Indonesian writes them."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", "x").replace(".", ",").replace("x", ".")
    return f"{int(value):,}".replace(",", ".")


def _nice_ceiling(value):
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _colored(series):
    return [
        Series(s.name, s.values, s.color or _COLORS[i % len(_COLORS)]) for i, s in enumerate(series)
    ]


def _text(x, y, content, anchor="middle", size=11, fill=_INK):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" font-family="sans-serif">{escape(content)}</text>'
    )


def _frame(body, title, series, height):
    legend = []
    if len(series) > 1:
        x, y = LEFT, TOP + _PLOT_HEIGHT + _AXIS + 12
        for s in series:
            width = 18 + 6.2 * len(s.name)
            if x + width > _WIDTH:
                x, y = LEFT, y + _LEGEND_ROW
            legend.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{s.color}"/>')
            legend.append(_text(x + 14, y, s.name, anchor="start", size=10))
            x += width
        height = y + 8
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{''.join(body)}{''.join(legend)}</svg>"
    )


def _axis_bounds(low, high, steps=4):
    """Round bounds and a step of 1, 2 or 5 × 10^k (at least 1: counts are whole) that hold
    [low, high], zero included, in about `steps` steps."""
    low, high = min(low, 0), max(high, 0)
    step = 1
    while step * steps < high - low:
        step = _next_step(step)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    return low, high if high > low else step, step


def _next_step(step):
    """1, 2, 5, 10, 20, 50, …"""
    power = 10 ** math.floor(math.log10(step))
    leading = round(step / power)
    return {1: 2, 2: 5, 5: 10}[leading] * power


def _scale(low, high):
    """Maps a value in [low, high] to a y coordinate of the plot."""

    def y(value):
        return TOP + _PLOT_HEIGHT * (high - value) / ((high - low) or 1)

    return y


def _y_axis(low, high, step, y):
    parts = []
    for i in range(round((high - low) / step) + 1):
        value = low + step * i
        parts.append(
            f'<line x1="{LEFT}" x2="{_WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{_GRID}" stroke-width="1"/>'
        )
        parts.append(_text(LEFT - 6, y(value) + 4, number(value), anchor="end", size=10))
    return parts


def _x_labels(labels, centre):
    step = max(1, math.ceil(len(labels) / 12))
    return [
        _text(centre(i), TOP + _PLOT_HEIGHT + 16, label, size=10, fill=_MUTED)
        for i, label in enumerate(labels)
        if i % step == 0
    ]


def line_chart(labels, series, title):
    series = _colored(series)
    values = [v for s in series for v in s.values if v is not None]
    low, high, step = _axis_bounds(0, max(values, default=0))
    y = _scale(low, high)
    inner = _WIDTH - LEFT - RIGHT
    gap = inner / max(len(labels) - 1, 1)

    def centre(i):
        return LEFT + i * gap if len(labels) > 1 else LEFT + inner / 2

    body = _y_axis(low, high, step, y) + _x_labels(labels, centre)
    for s in series:
        points = " ".join(
            f"{centre(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values) if v is not None
        )
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{s.color}" stroke-width="2"/>'
        )
        for i, v in enumerate(s.values):
            if v is not None:
                body.append(
                    f'<circle cx="{centre(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{s.color}">'
                    f"<title>{escape(labels[i])}: {number(v)}</title></circle>"
                )
    return _frame(body, title, series, TOP + _PLOT_HEIGHT + _AXIS)


def bar_chart(labels, series, title, marker=None, marker_label=""):
    """Stacked bars, one per label; negative values stack below zero (removals under
    additions). `marker` draws a dashed line before the bar of that index (a threshold)."""
    series = _colored(series)
    ups = [sum(max(s.values[i] or 0, 0) for s in series) for i in range(len(labels))]
    downs = [sum(min(s.values[i] or 0, 0) for s in series) for i in range(len(labels))]
    low, high, step = _axis_bounds(min(downs, default=0), max(ups, default=0))
    y = _scale(low, high)
    inner = _WIDTH - LEFT - RIGHT
    slot = inner / max(len(labels), 1)

    def centre(i):
        return LEFT + slot * (i + 0.5)

    body = _y_axis(low, high, step, y) + _x_labels(labels, centre)
    width = slot * 0.7
    for i, label in enumerate(labels):
        up = down = 0
        for s in series:
            value = s.values[i] or 0
            if not value:
                continue
            start = up if value > 0 else down
            end = start + value
            if value > 0:
                up = end
            else:
                down = end
            top, bottom = y(max(start, end)), y(min(start, end))
            body.append(
                f'<rect x="{centre(i) - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
                f'height="{max(bottom - top, 0.5):.1f}" fill="{s.color}">'
                f"<title>{escape(label)}, {escape(s.name)}: {number(abs(value))}</title></rect>"
            )
    if low < 0:
        body.append(
            f'<line x1="{LEFT}" x2="{_WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
            f'stroke="{_INK}" stroke-width="1"/>'
        )
    if marker is not None:
        x = LEFT + slot * marker
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + _PLOT_HEIGHT}" '
            f'stroke="{_INK}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        body.append(_text(x + 4, TOP + 10, marker_label, anchor="start", size=10))
    return _frame(body, title, series, TOP + _PLOT_HEIGHT + _AXIS)


def hbar_chart(labels, values, title, unit="", high=None, color=_COLORS[0]):
    """Horizontal bars, one row per label, in the order given (a ranking)."""
    row = 20
    label_width = 150
    inner = _WIDTH - label_width - RIGHT - 48
    high = high or _nice_ceiling(max(values, default=0))
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + i * row
        length = inner * (value or 0) / high
        body.append(_text(label_width - 6, y + 13, label, anchor="end", size=10))
        shown = number(value or 0) + unit
        body.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{max(length, 0.5):.1f}" '
            f'height="{row - 6}" fill="{color}"><title>{escape(label)}: {shown}</title></rect>'
        )
        body.append(_text(label_width + length + 4, y + 13, shown, anchor="start", size=10))
    return _frame(body, title, [], TOP + row * len(labels) + 8)
