"""Rendering of participation certificates ("Teilnahmebescheinigungen") as PDF/A.

Two entry points:

* :func:`render_certificate` – one WeasyPrint document per certificate. Simple; pays
  the fixed per-document cost (cascade setup, font subsetting/embedding, ICC profile,
  PDF assembly; ~13 ms here) for every certificate.
* :func:`render_certificates` – batch path: lays out a chunk of certificates as one
  WeasyPrint document (one page each) and cuts the resulting pydyf object graph into
  one self-contained PDF/A file per page (see :class:`_PageSplitter`).

Both paths share a process-wide FontConfiguration + @font-face stylesheet and fetch
nothing but the bundled fonts and data: URIs (:class:`LocalOnlyURLFetcher`).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pydyf
import segno
import weasyprint
from django.conf import settings
from django.template.loader import get_template
from weasyprint import CSS, HTML
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration

from certificates.content import CertificateData, Session
from portal.pdf import FONTS_DIR, LocalOnlyURLFetcher
from regions.images import IMAGE_FOLDER

# --- Locations -------------------------------------------------------------------------
#: The fonts are the bundled ones of portal.pdf (FONTS_DIR), the only files the renderer may read.
TEMPLATE_NAME = "certificates/certificate.html"
#: the programme's logo (and anything else every certificate prints): bundled, like the fonts
CERTIFICATE_IMAGES_DIR = Path(settings.BASE_DIR) / "static" / "img" / "certificate"
PROGRAMME_LOGO = CERTIFICATE_IMAGES_DIR / "programme-logo.svg"

#: the sentence after the holder's name, in the person's own form of address (Lotse.AddressForm); the
#: neutral form names the volunteer work without a gendered noun
ROLE_SENTENCES = {
    "lotsin": "als ehrenamtliche Arbeitsmarktlotsin im Rahmen des Programms „{programme}“",
    "lotse": "als ehrenamtlicher Arbeitsmarktlotse im Rahmen des Programms „{programme}“",
    "neutral": "im Rahmen des ehrenamtlichen Engagements im Programm „{programme}“",
}

#: PDF/A-2b: archival profile without the attachment rules of PDF/A-3 and without the
#: "every glyph must map to Unicode" rule of the -u level (WeasyPrint writes ToUnicode
#: maps anyway, so text extraction works).
PDF_VARIANT = "pdf/a-2b"
PDF_VERSION = "1.7"  # what WeasyPrint uses for PDF/A-2

#: Certificates laid out per WeasyPrint document in the batch path. The fixed cost
#: per document (~13 ms: stylesheet setup, font subsetting, ICC profile) is amortised
#: from ~10 certificates on; beyond ~50 the time per certificate rises again and every
#: split file carries a font subset covering the whole chunk (bigger files).
#: Measured for 500 certificates on one core (ms/certificate, mean KiB per file):
#: chunk 1: 46/20.7, 10: 33/23.3, 25: 32.5/24.2, 50: 33/24.6, 100: 35/24.8, 250: 36/24.8.
#: The split itself costs 1-2 ms per certificate.
DEFAULT_CHUNK_SIZE = 25

#: QR mask pattern. ``None`` lets segno evaluate all 8 masks and pick the best one
#: (the standard's recommendation, ~2.3 ms per code); any fixed mask also yields a
#: valid code that scanners read.
QR_MASK: int | None = None

# @font-face rules: the families referenced by the template's font-family stack.
# Noto Sans covers Latin (incl. Turkish ğ/ş/ı) and Cyrillic, Noto Naskh Arabic the
# Arabic script; Pango falls back per character along the font-family list.
_FONT_FACES: tuple[tuple[str, str, str], ...] = (
    ("Certificate Sans", "normal", "NotoSans-Regular.ttf"),
    ("Certificate Sans", "bold", "NotoSans-Bold.ttf"),
    ("Certificate Arabic", "normal", "NotoNaskhArabic-Regular.ttf"),
    ("Certificate Arabic", "bold", "NotoNaskhArabic-Bold.ttf"),
)


# --- Data ------------------------------------------------------------------------------
# The data classes live in certificates/content.py so that reading them does not import WeasyPrint.
__all__ = ["CertificateData", "Session", "render_certificate", "render_certificates"]


# --- Formatting helpers ----------------------------------------------------------------
def format_date(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def format_hours(value: Decimal) -> str:
    """German decimal comma, at least one and at most two decimals: 2,0 / 1,5 / 0,75."""
    quantized = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{quantized:.2f}"
    if text.endswith("0"):
        text = text[:-1]
    return text.replace(".", ",")


def text_direction(text: str) -> str:
    """Direction as HTML ``dir="auto"`` would resolve it (first strong character).

    WeasyPrint does not implement ``dir="auto"``, so we resolve it here.
    """
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi in ("R", "AL"):
            return "rtl"
        if bidi == "L":
            return "ltr"
    return "ltr"


def qr_data_uri(url: str) -> str:
    """QR code for ``url`` as a ``data:image/png`` URI, one pixel per module.

    A 1-bit PNG drawn with ``image-rendering: pixelated`` is as sharp as the SVG
    variant but is placed as a single image XObject: the inline SVG costs ~3.5 ms
    more per certificate (WeasyPrint parses and paints the path in Python).
    """
    qr = segno.make(url, error="m", mask=QR_MASK, micro=False)
    return qr.png_data_uri(border=0, scale=1)


# --- Template --------------------------------------------------------------------------
def _template() -> Any:
    # Django's loader caches compiled templates; autoescaping is on (names are user input).
    return get_template(TEMPLATE_NAME)


def issuer_line(coordinating_body: str, signatory_function: str) -> str:
    """The issuer under the signatory's function, unless the function names it already ("Leitung der
    Regionalagentur OWL" above "Regionalagentur OWL"): the certificate names its issuer once."""
    if coordinating_body.strip().casefold() in signatory_function.casefold():
        return ""
    return coordinating_body


def role_sentence(address_form: str, programme_name: str) -> str:
    sentence = ROLE_SENTENCES.get(address_form, ROLE_SENTENCES["neutral"])
    return sentence.format(programme=programme_name)


def _certificate_context(data: CertificateData) -> dict[str, Any]:
    return {
        "programme_name": data.programme_name,
        "programme_logo_uri": PROGRAMME_LOGO.as_uri(),
        "region_logo_uri": data.region_logo_uri,
        "signature_uri": data.signature_uri,
        "role_sentence": role_sentence(data.address_form, data.programme_name),
        "funding_line": data.funding_line,
        "holder_name": data.holder_name,
        "holder_dir": text_direction(data.holder_name),
        "organisation": data.organisation,
        "organisation_dir": text_direction(data.organisation),
        "region": data.region,
        "sessions": [
            {"date": format_date(d), "topic": topic, "hours": format_hours(hours)}
            for d, topic, hours in data.sessions
        ],
        "total_hours": format_hours(data.total_hours),
        "place": data.place,
        "issued_on": format_date(data.issued_on),
        "coordinating_body": issuer_line(data.coordinating_body, data.signatory_function),
        "signatory_name": data.signatory_name,
        "signatory_function": data.signatory_function,
        "verification_code": data.verification_code,
        "verify_url": data.verify_url,
        "qr_data_uri": qr_data_uri(data.verify_url),
    }


def render_html(datas: Sequence[CertificateData], title: str) -> str:
    """HTML with one page per certificate (Django template, autoescaped)."""
    context = {"title": title, "certificates": [_certificate_context(d) for d in datas]}
    return _template().render(context)


# --- Resource loading ------------------------------------------------------------------
def _url_fetcher() -> LocalOnlyURLFetcher:
    """The bundled fonts and certificate images, and the regions' uploaded images below MEDIA_ROOT; nothing
    else (no network, no other file). Built per call: MEDIA_ROOT is a setting."""
    return LocalOnlyURLFetcher(FONTS_DIR, CERTIFICATE_IMAGES_DIR, Path(settings.MEDIA_ROOT) / IMAGE_FOLDER)


@dataclass
class _FontResources:
    font_config: FontConfiguration
    stylesheet: CSS


@functools.cache
def _font_resources() -> _FontResources:
    """Font configuration + @font-face stylesheet, built once per process.

    Creating the CSS object with ``font_config`` registers the faces with fontconfig;
    passing the same FontConfiguration to every render reuses them. Not thread-safe:
    one per process (gunicorn/celery workers are processes anyway).
    """
    font_config = FontConfiguration()
    rules = "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{(FONTS_DIR / filename).as_uri()}"); }}'
        for family, weight, filename in _FONT_FACES
    )
    stylesheet = CSS(string=rules, font_config=font_config, url_fetcher=_url_fetcher())
    return _FontResources(font_config, stylesheet)


def _html(html: str) -> HTML:
    return HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=_url_fetcher())


# --- Naive path ------------------------------------------------------------------------
def render_certificate(data: CertificateData) -> bytes:
    """One certificate, one WeasyPrint document."""
    fonts = _font_resources()
    return _html(render_html([data], data.title)).write_pdf(
        stylesheets=[fonts.stylesheet],
        font_config=fonts.font_config,
        pdf_variant=PDF_VARIANT,
    )


# --- Batch path ------------------------------------------------------------------------
def render_certificates(
    datas: Sequence[CertificateData], chunk_size: int = DEFAULT_CHUNK_SIZE
) -> list[bytes]:
    """Render many certificates; returns one standalone PDF/A file per certificate.

    Each chunk is laid out as a single WeasyPrint document (one page per certificate),
    so the per-document costs – stylesheet cascade setup, font subsetting and
    embedding, ICC output intent – are paid once per chunk instead of once per
    certificate. The finished pydyf object graph is then cut into one PDF per page by
    :class:`_PageSplitter`; shared objects (fonts, ICC profile) are serialised and
    compressed only once per chunk.
    """
    results: list[bytes] = []
    for start in range(0, len(datas), chunk_size):
        results.extend(_render_chunk(datas[start : start + chunk_size]))
    return results


class _SplitDone(Exception):
    """Raised by the finisher to skip writing the (unused) combined chunk PDF."""

    def __init__(self, files: list[bytes]) -> None:
        super().__init__()
        self.files = files


def _render_chunk(chunk: Sequence[CertificateData]) -> list[bytes]:
    if not chunk:
        return []
    fonts = _font_resources()
    document = _html(render_html(chunk, "Teilnahmebescheinigungen")).render(
        stylesheets=[fonts.stylesheet],
        font_config=fonts.font_config,
        pdf_variant=PDF_VARIANT,
    )
    if len(document.pages) != len(chunk):
        # A certificate overflowing onto a second page would shift every following
        # certificate: refuse rather than hand out mismatched files.
        raise RuntimeError(
            f"expected {len(chunk)} pages, got {len(document.pages)}: a certificate does not fit on one page"
        )

    def finisher(document: Any, pdf: pydyf.PDF) -> None:
        raise _SplitDone(_PageSplitter(pdf, document.metadata).split([d.title for d in chunk]))

    try:
        # The finisher is the public hook that sees the pydyf object graph after
        # WeasyPrint (incl. the PDF/A variant step) has built it but before writing.
        document.write_pdf(finisher=finisher, pdf_variant=PDF_VARIANT)
    except _SplitDone as done:
        return done.files
    raise AssertionError("finisher was not called")  # pragma: no cover


_REFERENCE = re.compile(rb"(?<![\d.])(\d+) 0 R")
_NAME = re.compile(rb"/([^\s/\[\]()<>{}%]+)")
_STREAM_SEPARATOR = b"\nstream\n"


@dataclass
class _Serialized:
    """One indirect object, serialised once.

    ``parts`` alternates literal bytes and referenced object numbers so that the
    object can be re-emitted with renumbered references without re-parsing;
    ``body`` holds the (already compressed) stream data for stream objects.
    """

    parts: list[bytes | int]
    body: bytes | None

    @classmethod
    def from_bytes(cls, header: bytes, body: bytes | None = None) -> _Serialized:
        parts: list[bytes | int] = []
        position = 0
        for match in _REFERENCE.finditer(header):
            parts.append(header[position : match.start()])
            parts.append(int(match[1]))
            position = match.end()
        parts.append(header[position:])
        return cls(parts, body)

    @property
    def references(self) -> Iterable[int]:
        return (part for part in self.parts if isinstance(part, int))


class _PageSplitter:
    """Cuts a multi-page pydyf PDF (as built by WeasyPrint) into one PDF per page.

    For every page a new file is assembled from: a fresh catalog (Lang, XMP metadata
    with the file's own title, the chunk's PDF/A OutputIntent), a one-page page tree,
    the page's content stream, and a resources dictionary pruned to the fonts,
    images and graphic states this page actually names. Everything reachable from
    there (font programs, ICC profile, image XObjects) is copied by reference walk and
    renumbered densely, so no other certificate's objects (e.g. QR images) leak in.
    """

    def __init__(self, pdf: pydyf.PDF, metadata: DocumentMetadata) -> None:
        self._pdf = pdf
        self._metadata = metadata
        self._cache: dict[int, _Serialized] = {}
        catalog = pdf.catalog
        self._output_intents = catalog.get("OutputIntents")
        self._lang = metadata.lang
        self._resources_number = self._number(pdf.objects[self._first_page_number()]["Resources"])
        resources = pdf.objects[self._resources_number]
        self._fonts_number = self._number(resources["Font"]) if "Font" in resources else None
        self._version, self._conformance = _pdfa_part(PDF_VARIANT)

    # -- helpers --
    @staticmethod
    def _number(reference: bytes | str) -> int:
        return int(reference.split()[0])

    def _first_page_number(self) -> int:
        return int(self._pdf.pages["Kids"][0])

    def _serialized(self, number: int) -> _Serialized:
        """Serialise an original object once per chunk (compressing streams once)."""
        cached = self._cache.get(number)
        if cached is None:
            data = self._pdf.objects[number].data
            if isinstance(self._pdf.objects[number], pydyf.Stream):
                header, _, rest = data.partition(_STREAM_SEPARATOR)
                body = rest.removesuffix(b"\nendstream")
                cached = _Serialized.from_bytes(header, body)
            else:
                cached = _Serialized.from_bytes(data)
            self._cache[number] = cached
        return cached

    @staticmethod
    def _used_names(stream: pydyf.Stream) -> set[bytes]:
        """Resource names a content stream may use (over-approximation is harmless).

        Reads the still uncompressed operator list WeasyPrint built (``stream.stream``),
        so no decompression or content-stream parsing is needed.
        """
        content = b"\n".join(
            item
            if isinstance(item, bytes)
            else item.data
            if isinstance(item, pydyf.Object)
            else str(item).encode("latin-1", "replace")
            for item in stream.stream
        )
        return set(_NAME.findall(content))

    def _page_resource_names(self, content: pydyf.Stream) -> set[bytes]:
        # Form XObjects (groups, SVG) have their own content referring to the same
        # font dictionary, so their names count too.
        names = self._used_names(content)
        xobjects = self._pdf.objects[self._resources_number].get("XObject", {})
        pending = [key for key in xobjects if key.encode() in names]
        seen: set[str] = set()
        while pending:
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            x_object = self._pdf.objects[self._number(xobjects[key])]
            if x_object.extra.get("Subtype") == "/Form":
                inner = self._used_names(x_object)
                names |= inner
                pending.extend(k for k in xobjects if k.encode() in inner)
        return names

    # -- per page --
    def split(self, titles: Sequence[str]) -> list[bytes]:
        kids = self._pdf.pages["Kids"][::3]
        if len(kids) != len(titles):
            raise ValueError(f"{len(kids)} pages but {len(titles)} titles")
        return [self._page_file(int(number), title) for number, title in zip(kids, titles, strict=True)]

    def _page_file(self, page_number: int, title: str) -> bytes:
        objects = self._pdf.objects
        # Synthetic objects get numbers beyond the original range; the reference walk
        # below renumbers everything densely anyway.
        synthetic: dict[int, _Serialized] = {}
        next_number = len(objects)

        def allocate() -> int:
            nonlocal next_number
            next_number += 1
            return next_number - 1

        def add(header: bytes, body: bytes | None = None, number: int | None = None) -> int:
            number = allocate() if number is None else number
            synthetic[number] = _Serialized.from_bytes(header, body)
            return number

        def ref(number: int) -> bytes:
            return f"{number} 0 R".encode()

        page = objects[page_number]
        content = objects[self._number(page["Contents"])]
        names = self._page_resource_names(content)

        # Resources pruned to what this page names.
        shared = objects[self._resources_number]
        resources = pydyf.Dictionary(shared)
        redirect: dict[int, int] = {}
        if self._fonts_number is not None:
            fonts = objects[self._fonts_number]
            page_fonts = pydyf.Dictionary(
                {key: value for key, value in fonts.items() if key.encode() in names}
            )
            fonts_number = add(page_fonts.data)
            resources["Font"] = ref(fonts_number)
            redirect[self._fonts_number] = fonts_number
        for category in ("XObject", "ExtGState", "Pattern", "Shading"):
            if category in shared:
                resources[category] = pydyf.Dictionary(
                    {k: v for k, v in shared[category].items() if k.encode() in names}
                )
        resources_number = add(resources.data)
        redirect[self._resources_number] = resources_number

        # Page tree with this single page.
        pages_number = allocate()
        page_copy = pydyf.Dictionary(page)
        page_copy["Parent"] = ref(pages_number)
        page_copy["Resources"] = ref(resources_number)
        page_copy_number = add(page_copy.data)
        add(
            pydyf.Dictionary(
                {
                    "Type": "/Pages",
                    "Kids": pydyf.Array([ref(page_copy_number)]),
                    "Count": 1,
                }
            ).data,
            number=pages_number,
        )

        # Metadata: same XMP as WeasyPrint's PDF/A step, with this file's title.
        metadata = copy.copy(self._metadata)
        metadata.title = title
        xmp = b"\n".join(
            (
                b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>',
                b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
                + metadata.generate_rdf_metadata("a", self._version, self._conformance),
                *metadata.xmp_metadata,
                b'</x:xmpmeta>\n<?xpacket end="r"?>',
            )
        )
        metadata_number = add(
            pydyf.Dictionary({"Type": "/Metadata", "Subtype": "/XML", "Length": len(xmp)}).data,
            xmp,
        )

        catalog = pydyf.Dictionary(
            {
                "Type": "/Catalog",
                "Pages": ref(pages_number),
                "Metadata": ref(metadata_number),
            }
        )
        if self._output_intents is not None:
            catalog["OutputIntents"] = self._output_intents
        if self._lang:
            catalog["Lang"] = pydyf.String(self._lang)
        catalog_number = add(catalog.data)

        info = pydyf.Dictionary(
            {
                "Producer": pydyf.String(f"WeasyPrint {weasyprint.__version__}"),
                "Title": pydyf.String(title),
            }
        )
        info_number = add(info.data)

        # Walk references from the roots and renumber densely (1..n).
        order: list[int] = []
        new_numbers: dict[int, int] = {}

        def resolve(number: int) -> _Serialized:
            return synthetic[number] if number in synthetic else self._serialized(number)

        pending = [catalog_number, info_number]
        while pending:
            number = pending.pop(0)
            number = redirect.get(number, number)
            if number in new_numbers:
                continue
            new_numbers[number] = len(order) + 1
            order.append(number)
            pending.extend(resolve(number).references)

        return _write_pdf(
            [resolve(number) for number in order],
            lambda old: new_numbers[redirect.get(old, old)],
            root=new_numbers[catalog_number],
            info=new_numbers[info_number],
            version=PDF_VERSION,
        )


def _pdfa_part(variant: str) -> tuple[int, str]:
    """``"pdf/a-2b"`` -> ``(2, "B")``."""
    part = variant.rsplit("-", 1)[1]
    return int(part[:-1]), part[-1].upper()


def _write_pdf(
    objects: Sequence[_Serialized],
    renumber: Callable[[int], int],
    root: int,
    info: int,
    version: str,
) -> bytes:
    """Write a classic (uncompressed xref table) PDF of densely numbered objects."""
    out = bytearray(f"%PDF-{version}\n".encode())
    # Binary comment: marks the file as binary (required by PDF/A).
    out += b"%\xf0\x9f\x96\xa4\n"
    offsets: list[int] = []
    digest = hashlib.md5(usedforsecurity=False)
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        header = b"".join(
            part if isinstance(part, bytes) else b"%d 0 R" % renumber(part) for part in obj.parts
        )
        out += b"%d 0 obj\n" % number
        out += header
        digest.update(header)
        if obj.body is not None:
            out += _STREAM_SEPARATOR
            out += obj.body
            out += b"\nendstream"
            digest.update(obj.body)
        out += b"\nendobj\n"
    xref_position = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    file_id = digest.hexdigest().encode()
    out += b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        info,
        file_id,
        file_id,
        xref_position,
    )
    return bytes(out)
