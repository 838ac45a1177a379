"""A ZIP archive built while it is sent: downloads of many stored PDFs (certificates, year-end statements).

The files are read in chunks and handed to the response as they are written, so a batch of 500 PDFs is never
held in memory. PDFs are compressed already, so entries are stored, not deflated.
"""

import zipfile
from collections.abc import Iterable, Iterator

from django.core.files import File

CHUNK = 64 * 1024


class _WriteOnlyStream:
    """A write-only file for zipfile that hands the written bytes on to the streaming response."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def zip_stream(entries: Iterable[tuple[str, File]]) -> Iterator[bytes]:
    """Yield a ZIP archive of (name in the archive, stored file) pairs, chunk by chunk."""
    stream = _WriteOnlyStream()
    with zipfile.ZipFile(stream, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for name, file in entries:
            with file.open("rb") as source, archive.open(zipfile.ZipInfo(name), mode="w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield stream.take()
    yield stream.take()
