"""Server-side SVG charts, inlined in the page: no JavaScript, no external assets.

Each chart is an ``<svg role="img" aria-labelledby="…">`` with a title and a short description; the numbers
themselves are in the accessible data table the template puts beside the chart (consultation counts are the
perturbed numbers of ``reports.privacy``, as everywhere).
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_COLOUR = "#00566e"
MUTED = "#5c6b73"
#: characters of a bar label that fit left of the bars (font-size 12)
LABEL_CHARS = 44


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
    """Vertical bars, one per label (months)."""
    height, left, bottom, top = 260, 56, 40, 16
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
                '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
                left,
                WIDTH - 8,
                round(y, 1),
                round(y, 1),
                left - 6,
                round(y + 4, 1),
                MUTED,
                _label(round(value)),
            )
        )
    every = max(1, round(len(labels) / 12))
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
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                    round(x + bar_w / 2, 1),
                    height - bottom + 16,
                    MUTED,
                    label,
                )
            )
    return _svg(chart_id, title, description, height, mark_safe("".join(parts)))  # noqa: S308 (escaped above)


def bar_chart(*, chart_id: str, title: str, description: str, labels: list[str], values: list) -> SafeString:
    """Horizontal bars, one per label (topics), with the value at the end of each bar."""
    row_h, left, top = 26, 300, 8
    height = top * 2 + row_h * len(labels)
    plot_w = WIDTH - left - 70
    maximum = _nice_max(max((_number(v) for v in values), default=0))
    rows = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row_h
        bar_w = plot_w * _number(value) / maximum
        rows.append(
            (
                left - 8,
                y + 17,
                _fit(str(label)),
                left,
                y + 5,
                round(bar_w, 1),
                BAR_COLOUR,
                round(left + bar_w + 6, 1),
                y + 17,
                _label(value),
            )
        )
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="16" fill="{}"/>'
        '<text x="{}" y="{}" font-size="12">{}</text>',
        rows,
    )
    return _svg(chart_id, title, description, height, body)


def _fit(label: str, limit: int = LABEL_CHARS) -> str:
    """Shorten a row label that would run off the left edge (the full text is in the table beside it)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _svg(chart_id: str, title: str, description: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" '
        'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=WIDTH,
        h=height,
        title=title,
        desc=description,
        body=body,
    )
