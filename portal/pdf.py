"""The one way the portal lets WeasyPrint load resources: ``data:`` URIs and files below one folder.

Certificates and the report summary both render HTML that contains names and figures typed by people. With
WeasyPrint's default fetcher, an ``<img src>`` or ``url()`` in that HTML would make the server fetch any URL
(intranet services, cloud metadata) or read any file it can (``file:///etc/...``) into the PDF.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

#: The bundled OFL fonts (see static/fonts/OFL.txt): the only files a PDF renderer may read.
FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


class LocalOnlyURLFetcher(URLFetcher):
    """URL fetcher that serves ``data:`` URIs and files below ``root`` (or ``more_roots``) – nothing else.

    Any other URL (http, https, file outside ``root`` ...) stops the rendering with
    :class:`FatalURLFetchingError`: a plain exception would be swallowed by WeasyPrint
    and only logged as a warning, producing a document with a missing resource.
    """

    def __init__(self, root: Path, *more_roots: Path) -> None:
        super().__init__(fail_on_errors=True, allowed_protocols=("file", "data"))
        self._roots = tuple(folder.resolve() for folder in (root, *more_roots))

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            # urllib's DataHandler decodes it in memory; no I/O involved.
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(folder) for folder in self._roots) and path.is_file():
                return URLFetcherResponse(
                    path.as_uri(),
                    body=_read_file(path),
                    headers={"Content-Type": mimetypes.guess_type(path.name)[0] or ""},
                )
        raise FatalURLFetchingError(f"Blocked resource fetch while rendering: {url!r}")


#: files kept in memory per process: the fonts, the programme's logo and each region's logo and signature
#: (16 regions in NRW) fit; at most about this many MB, as a region image has at most 1 MB (regions.images)
FILE_CACHE_SIZE = 40


def _read_file(path: Path) -> bytes:
    """The file's bytes, cached by path, modification time and size: a file changed in place is read anew,
    and the least recently used file goes when more than FILE_CACHE_SIZE were read (a process renders for
    weeks; replaced region images get new names and would otherwise pile up)."""
    stat = path.stat()
    return _read_file_version(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=FILE_CACHE_SIZE)
def _read_file_version(path: Path, mtime_ns: int, size: int) -> bytes:
    return path.read_bytes()


def cached_file_count() -> int:
    return _read_file_version.cache_info().currsize


@functools.cache
def local_only_fetcher() -> LocalOnlyURLFetcher:
    """The fetcher for every PDF the portal renders: data: URIs and the bundled fonts, nothing else."""
    return LocalOnlyURLFetcher(FONTS_DIR)
