"""The copy of a Lotse's data as one ZIP: ``daten.json`` (machine-readable, Art. 20) and ``daten.html``
(readable, Art. 15), built in memory (one person's data is small)."""

from __future__ import annotations

import io
import json
import zipfile

from django.template.loader import render_to_string

from privacy.selectors import SECTIONS

JSON_NAME = "daten.json"
HTML_NAME = "daten.html"


def subject_data_zip(data: dict) -> bytes:
    buffer = io.BytesIO()
    profile = [(key, _display(value)) for key, value in data["profile"].items()]
    html = render_to_string(
        "privacy/subject_data.html",
        {"data": data, "profile": profile, "profile_title": SECTIONS["profile"], "sections": _sections(data)},
    )
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr(HTML_NAME, html)
    return buffer.getvalue()


def _display(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_display(item)}" for key, item in value.items()) or "–"
    return str(value)


def _sections(data: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """Each list section as (heading, column names, rows of display strings) for the HTML tables."""
    sections = []
    for name, heading in list(SECTIONS.items())[1:]:
        rows = data[name]
        columns = list(rows[0]) if rows else []
        sections.append((heading, columns, [[_display(row[c]) for c in columns] for row in rows]))
    return sections
