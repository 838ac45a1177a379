"""What every CSV download shares: the file German Excel opens as it is, and numbers and dates it reads.

``;`` as delimiter, CRLF line ends, UTF-8 with a BOM (without it Excel reads ğ, ş and Cyrillic as mojibake),
decimal comma and no thousands separator, dates as DD.MM.YYYY.
"""

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal


def de_decimal(value, places: int) -> str:
    """``1234.5`` → ``1234,50`` (places=2); empty for None."""
    return "" if value is None else f"{Decimal(value):.{places}f}".replace(".", ",")


def de_date(value: datetime.date | None) -> str:
    return "" if value is None else f"{value:%d.%m.%Y}"


def de_month(value: datetime.date | None) -> str:
    """A claim's month as the bookkeeping writes it: ``06/2026`` (never the first day, 01.06.2026)."""
    return "" if value is None else f"{value:%m/%Y}"


def excel_csv(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def spreadsheet_text(value: str) -> str:
    """Keep typed text such as a name '=HYPERLINK(...)' text: spreadsheets would run it as a formula.
    For cells a person typed (names); numbers and our own labels need no guard."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
