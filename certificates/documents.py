"""Other one-page PDF/A documents rendered the way certificates are (billing's statements).

The same fonts (bundled Noto, set up once per process), the same restrictive URL fetcher (data: URIs and
the fonts, nothing else) and the same batch path: a chunk laid out as one WeasyPrint document and cut into
one file per page. The template gets ``title`` and ``documents`` (one page each, ``break-after: page``)
and uses the font families of certificates/rendering.py ("Certificate Sans", "Certificate Arabic").
The certificate itself is untouched by this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pydyf
from django.template.loader import get_template

from certificates.rendering import (
    DEFAULT_CHUNK_SIZE,
    PDF_VARIANT,
    _font_resources,
    _html,
    _PageSplitter,
    _SplitDone,
    qr_data_uri,
    text_direction,
)

__all__ = ["qr_data_uri", "render_pages", "text_direction"]


def render_pages(
    template_name: str,
    documents: Sequence[dict[str, Any]],
    titles: Sequence[str],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> list[bytes]:
    """One standalone PDF/A file per document (each must fit on one page, else RuntimeError)."""
    if len(documents) != len(titles):
        raise ValueError("one title per document")
    files: list[bytes] = []
    for start in range(0, len(documents), chunk_size):
        files.extend(
            _render_chunk(
                template_name, documents[start : start + chunk_size], titles[start : start + chunk_size]
            )
        )
    return files


def _render_chunk(template_name: str, chunk: Sequence[dict], titles: Sequence[str]) -> list[bytes]:
    if not chunk:
        return []
    fonts = _font_resources()
    html = get_template(template_name).render({"title": titles[0], "documents": chunk})
    document = _html(html).render(
        stylesheets=[fonts.stylesheet], font_config=fonts.font_config, pdf_variant=PDF_VARIANT
    )
    if len(document.pages) != len(chunk):
        raise RuntimeError(f"expected {len(chunk)} pages, got {len(document.pages)}: a document overflows")

    def finisher(document: Any, pdf: pydyf.PDF) -> None:
        raise _SplitDone(_PageSplitter(pdf, document.metadata).split(list(titles)))

    try:
        document.write_pdf(finisher=finisher, pdf_variant=PDF_VARIANT)
    except _SplitDone as done:
        return done.files
    raise AssertionError("finisher was not called")  # pragma: no cover
