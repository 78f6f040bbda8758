"""Tables to XLSX (one sheet each) or CSV (one section each), for the report, roster and pay sheet.

Every cell, heading and note goes through ``core.exports.safe_cell``: a name that looks
like a formula is written as text, and money and counts stay numbers.
"""

import csv
import io
from dataclasses import dataclass

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.exports import safe_cell, safe_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    title: str
    headings: list[str]
    rows: list[list]
    notes: list[str] | None = None


def _cell(value):
    return "" if value is None else safe_cell(value)


def xlsx_bytes(tables: list[Table]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, table in enumerate(tables, start=1):
        # Sheet titles: at most 31 characters, none of []:*?/\ .
        title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:28] or str(number)
        sheet = workbook.create_sheet(
            title if title not in workbook.sheetnames else f"{title[:25]} {number}"
        )
        sheet.append(safe_row(table.headings))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
        if table.notes:
            sheet.append([])
            for note in table.notes:
                sheet.append([safe_cell(note)])
                sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=False)
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column[: len(table.rows) + 1])
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(tables: list[Table]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([safe_cell(table.title)])
        writer.writerow(safe_row(table.headings))
        for row in table.rows:
            writer.writerow([_cell(v) for v in row])
        for note in table.notes or []:
            writer.writerow([safe_cell(note)])
    return buffer.getvalue()


def download(tables: list[Table], *, filename: str, format: str) -> HttpResponse:
    """An attachment of the tables as ``xlsx`` or ``csv`` (UTF-8 with BOM, so Excel reads Chinese)."""
    if format == "xlsx":
        response = HttpResponse(xlsx_bytes(tables), content_type=XLSX)
    else:
        response = HttpResponse("\ufeff" + csv_text(tables), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{format}"'
    return response
