"""CSV and XLSX files of the report's tables: German headers, German number and date formats.

CSV: ``;`` as delimiter, UTF-8 with BOM (Excel opens it correctly), decimal comma, no thousands separator.
XLSX: real numeric cells with number formats, months as real dates. Consultation counts are the perturbed
numbers of the screen (``reports.privacy``); the XLSX "Hinweise" sheet explains the method.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.exports import de_decimal, excel_csv
from reports.privacy import NOTES
from reports.selectors import Column, Report, Table

XLSX_FORMATS = {
    "count": "#,##0",
    "int": "#,##0",
    "hours": "#,##0.0",
    "money": '#,##0.00 "€"',
    "percent": '0.0 "%"',
}
CSV_DECIMALS = {"hours": 1, "money": 2, "percent": 1}


def _csv_value(value, column: Column) -> str:
    if value is None:
        return ""
    places = CSV_DECIMALS.get(column.kind)
    if places is None:
        return str(int(value))
    return de_decimal(value, places)


def table_csv(report: Report, table: Table) -> bytes:
    return excel_csv(
        [table.row_header, *(column.label for column in table.columns)],
        (
            [
                f"{row.date:%m.%Y}" if row.date else row.label,
                *(_csv_value(v, c) for v, c in zip(row.values, table.columns, strict=True)),
            ]
            for row in table.all_rows
        ),
    )


def table_xlsx(report: Report, table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    sheet.append([table.row_header, *(column.label for column in table.columns)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.all_rows:
        values = []
        for value, column in zip(row.values, table.columns, strict=True):
            if value is None:
                values.append(None)
            elif column.kind in {"count", "int"}:
                values.append(int(value))
            else:
                values.append(float(value))
        sheet.append([row.date or row.label, *values])
        current = sheet.max_row
        if row.date:
            sheet.cell(current, 1).number_format = "MM.YYYY"
        for index, column in enumerate(table.columns, start=2):
            sheet.cell(current, index).number_format = XLSX_FORMATS[column.kind]
        if row is table.totals:
            for cell in sheet[current]:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 32
    for index in range(2, len(table.columns) + 2):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    info = workbook.create_sheet(_("Notes"))
    info.append([_("Period"), report.period.label])
    info.append([_("Regions"), ", ".join(region.name for region in report.regions)])
    info.append([_("Created at"), timezone.localtime(report.generated_at).replace(tzinfo=None)])
    info.cell(3, 2).number_format = "DD.MM.YYYY HH:MM"
    for heading, note in NOTES:
        info.append([str(heading), str(note)])
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
