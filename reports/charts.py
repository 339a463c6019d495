"""Server-rendered SVG charts: readable without JavaScript, named for screen readers.

Each chart is an <svg role="img"> labelled by its own <title> and <desc>; the desc says
every value in words, and the page puts a table of the same figures beside it.

A value is a number, or words standing for a number that is hidden (an export's
"fewer than 5"): a hidden value draws no bar, only its words, so a chart in an export
never shows a count the export's tables hide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.conf import BY_SUBTRACTION

# GOV.UK Design System colours, dark enough for text and bars on white.
BLUE = "#1d70b8"
ORANGE = "#f47738"
DARK = "#0b0c0c"
GREY = "#b1b4b6"
FONT = 'font-family="Arial, sans-serif"'
HIDDEN_MARK = "<5"  # in a bar or grid cell too small for the words
WITHHELD_MARK = "*"  # a count withheld so that a count under 5 cannot be worked out


def _mark(value: str) -> str:
    """The short mark of a hidden value: under 5, or withheld by subtraction."""
    return WITHHELD_MARK if value == BY_SUBTRACTION else HIDDEN_MARK


Value: TypeAlias = float | str  # a number, or words for a hidden number


def _size(value: Value) -> float:
    """How big to draw a value: a hidden one is drawn as nothing."""
    return 0.0 if isinstance(value, str) else float(value)


def _nice_max(value: float) -> float:
    """A round number at or above value for the top of an axis."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _said(value: Value, unit: str = "") -> str:
    """A value in words: a number with its unit, or a hidden value's words."""
    return value if isinstance(value, str) else f"{_number(value)}{unit}"


def _open(key: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="resolve-chart" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{key}-title">{escape(title)}</title>',
        f'<desc id="{key}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(
    *,
    key: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value], str]],
    unit: str = "",
    top: float | None = None,
) -> SafeString:
    """Vertical bars, grouped by category: series is (name, values, colour)."""
    words = "; ".join(
        f"{name}: "
        + ", ".join(f"{c} {_said(v, unit)}" for c, v in zip(categories, values, strict=True))
        for name, values, _colour in series
    )
    desc = f"Bar chart. {words or 'No data.'}"
    width, height = 640, 320
    left, right, top_margin, bottom = 56, 16, 36, 86
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    highest = max((_size(v) for _n, values, _c in series for v in values), default=0)
    axis_top = top if top is not None else _nice_max(highest)
    parts = _open(key, title, desc, width, height)
    # Legend, then axis with 4 gridlines.
    x = left
    for name, _values, colour in series:
        parts.append(f'<rect x="{x}" y="8" width="14" height="14" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 20}" y="20" font-size="13" {FONT} fill="{DARK}">{escape(name)}</text>'
        )
        x += 28 + 8 * len(name)
    for i in range(5):
        tick = axis_top * i / 4
        y = top_margin + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GREY}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" {FONT} '
            f'fill="{DARK}">{_number(tick)}{escape(unit)}</text>'
        )
    count = max(len(categories), 1)
    group_w = plot_w / count
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    slant = count > 8
    for index, category in enumerate(categories):
        gx = left + group_w * index + group_w * 0.1
        for s_index, (_name, values, colour) in enumerate(series):
            value = values[index]
            h = plot_h * (_size(value) / axis_top) if axis_top else 0
            y = top_margin + plot_h - h
            bx = gx + bar_w * s_index
            parts.append(
                f'<rect x="{bx:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{colour}"/>'
            )
            if isinstance(value, str):  # hidden: its mark where the bar would stand
                parts.append(
                    f'<text x="{bx + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="10" '
                    f'text-anchor="middle" {FONT} fill="{DARK}">{escape(_mark(str(value)))}</text>'
                )
        lx = left + group_w * (index + 0.5)
        ly = top_margin + plot_h + 16
        rotate = f' transform="rotate(-45 {lx:.1f} {ly})"' if slant else ""
        anchor = "end" if slant else "middle"
        parts.append(
            f'<text x="{lx:.1f}" y="{ly}" font-size="12" text-anchor="{anchor}" {FONT} '
            f'fill="{DARK}"{rotate}>{escape(category)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def hbar_chart(
    *,
    key: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[Value],
    unit: str = "",
    top: float | None = None,
    colour: str = BLUE,
) -> SafeString:
    """Horizontal bars, one per label, for long labels (themes, agency pairs)."""
    pairs = ", ".join(f"{lab} {_said(v, unit)}" for lab, v in zip(labels, values, strict=True))
    desc = f"Bar chart. {pairs or 'No data.'}"
    label_w, right, bar_h, gap = 250, 70, 22, 10
    width = 640
    height = max(len(labels), 1) * (bar_h + gap) + 20
    plot_w = width - label_w - right
    axis_top = top if top is not None else _nice_max(max(map(_size, values), default=0))
    parts = _open(key, title, desc, width, height)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 10 + index * (bar_h + gap)
        w = plot_w * (_size(value) / axis_top) if axis_top else 0
        short = label if len(label) <= 38 else label[:36] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" font-size="13" text-anchor="end" {FONT} '
            f'fill="{DARK}">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="13" {FONT} '
            f'fill="{DARK}">{escape(_said(value, unit))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def grid_chart(
    *,
    key: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Value]],
) -> SafeString:
    """A grid of counts (rows by columns), darker where the count is higher."""
    words = "; ".join(
        f"{row}: " + ", ".join(f"{c} {_said(v)}" for c, v in zip(columns, vals, strict=True))
        for row, vals in zip(rows, values, strict=True)
    )
    desc = f"Grid of counts. {words or 'No data.'}"
    label_w, cell_w, cell_h, head = 300, 64, 28, 30
    width = label_w + cell_w * max(len(columns), 1) + 10
    height = head + cell_h * max(len(rows), 1) + 10
    highest = max((_size(v) for vals in values for v in vals), default=0) or 1
    parts = _open(key, title, desc, width, height)
    for c_index, column in enumerate(columns):
        x = label_w + cell_w * c_index + cell_w / 2
        parts.append(
            f'<text x="{x:.1f}" y="20" font-size="13" text-anchor="middle" {FONT} '
            f'fill="{DARK}">{escape(column)}</text>'
        )
    for r_index, (row, vals) in enumerate(zip(rows, values, strict=True)):
        y = head + r_index * cell_h
        short = row if len(row) <= 44 else row[:42] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" font-size="12" text-anchor="end" {FONT} '
            f'fill="{DARK}">{escape(short)}</text>'
        )
        for c_index, value in enumerate(vals):
            x = label_w + cell_w * c_index
            shade = 0.1 + 0.9 * _size(value) / highest if _size(value) else 0
            ink = "#ffffff" if shade > 0.5 else DARK
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{ORANGE}" fill-opacity="{shade:.2f}" stroke="{GREY}"/>'
            )
            parts.append(
                f'<text x="{x + cell_w / 2 - 1:.1f}" y="{y + 19}" font-size="13" '
                f'text-anchor="middle" {FONT} fill="{ink}">'
                f"{escape(_mark(value) if isinstance(value, str) else str(value))}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
