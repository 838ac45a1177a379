"""Server-side SVG charts, inlined in the page: no JavaScript, no external assets.

Each chart is an ``<svg role="img" aria-labelledby="…">`` with a title and a short description; the numbers
themselves are in the accessible data table the template puts beside the chart (consultation counts are the
perturbed numbers of ``reports.privacy``, as everywhere).

Readable text: a chart is drawn ``WIDTH`` user units wide and shown at most that many pixels wide (``width``
in px, CSS ``max-width: 100%``), so a text of ``FONT_SIZE`` units is never larger than that on a desktop
and, on a 375 px phone (about 340 px for the chart), still at least 12 px.
"""

from __future__ import annotations

import math

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 400
FONT_SIZE = 15
#: the narrowest width a chart is shown at (a 375 px phone less the page's and the box's padding)
NARROWEST = 340
BAR_COLOUR = "#00566e"
MUTED = "#4a5560"
#: characters of a bar label that fit above its bar (font size 15, 400 units wide)
LABEL_CHARS = 44
#: roughly the width of one character (digits, "/") in units of the font size
CHAR_WIDTH = 0.6


def _number(value) -> float:
    return 0.0 if value is None else float(value)


def _label(value) -> str:
    return number_format(value, force_grouping=True)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


def column_chart(
    *, chart_id: str, title: str, description: str, labels: list[str], values: list
) -> SafeString:
    """Vertical bars, one per label (months); as many month labels on the axis as fit without overlapping."""
    height, left, bottom, top = 240, 48, 30, 12
    plot_w, plot_h = WIDTH - left - 8, height - bottom - top
    maximum = _nice_max(max((_number(v) for v in values), default=0))
    slot = plot_w / max(len(values), 1)
    bar_w = max(slot * 0.7, 2)
    parts = []
    for step in range(5):  # grid lines and axis labels
        value = maximum * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d5dde1"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="{}" fill="{}">{}</text>',
                left,
                WIDTH - 8,
                round(y, 1),
                round(y, 1),
                left - 6,
                round(y + 5, 1),
                FONT_SIZE,
                MUTED,
                _label(round(value)),
            )
        )
    widest = max((len(str(label)) for label in labels), default=1) * FONT_SIZE * CHAR_WIDTH + 6
    every = max(1, math.ceil(widest / slot))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + index * slot + (slot - bar_w) / 2
        bar_h = plot_h * _number(value) / maximum
        y = top + plot_h - bar_h
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                round(x, 1),
                round(y, 1),
                round(bar_w, 1),
                round(bar_h, 1),
                BAR_COLOUR,
                label,
                _label(value),
            )
        )
        if index % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}</text>',
                    round(x + bar_w / 2, 1),
                    height - bottom + 20,
                    FONT_SIZE,
                    MUTED,
                    label,
                )
            )
    return _svg(chart_id, title, description, height, mark_safe("".join(parts)))  # noqa: S308 (escaped above)


def bar_chart(*, chart_id: str, title: str, description: str, labels: list[str], values: list) -> SafeString:
    """Horizontal bars, one per label (topics): the label above its bar, the value at the bar's end."""
    row_h, top = 44, 4
    height = top * 2 + row_h * len(labels)
    plot_w = WIDTH - 70
    maximum = _nice_max(max((_number(v) for v in values), default=0))
    rows = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row_h
        bar_w = plot_w * _number(value) / maximum
        rows.append(
            (
                y + 15,
                FONT_SIZE,
                _fit(str(label)),
                y + 21,
                round(bar_w, 1),
                BAR_COLOUR,
                round(bar_w + 6, 1),
                y + 35,
                FONT_SIZE,
                _label(value),
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" font-size="{}">{}</text>'
        '<rect x="0" y="{}" width="{}" height="18" fill="{}"/>'
        '<text x="{}" y="{}" font-size="{}">{}</text>',
        rows,
    )
    return _svg(chart_id, title, description, height, body)


def _fit(label: str, limit: int = LABEL_CHARS) -> str:
    """Shorten a label that would run off the chart (the full text is in the table beside it)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _svg(chart_id: str, title: str, description: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=WIDTH,
        h=height,
        title=title,
        desc=description,
        body=body,
    )
