"""Tables to XLSX (one sheet each) or CSV (one section each), for the report, roster and pay sheet.

The same ``Spreadsheet`` is downloaded at once or, when larger than a screen, written by
the task queue (``core/export_jobs.py``).

Every cell, heading and note goes through ``core.exports.safe_cell``: a name that looks
like a formula is written as text, and money and counts stay numbers. Each XLSX sheet
opens with the title lines (what the report is, its period and village), then the
table, its totals row and notes, laid out by ``core.sheets.write_table`` (number
formats, column widths that fit Chinese headings).
"""

import csv
import io
from dataclasses import dataclass

from core.export_jobs import Spreadsheet
from core.exports import safe_cell, safe_row
from core.sheets import Percent, write_table


@dataclass
class Table:
    title: str
    headings: list[str]
    rows: list[list]
    notes: list[str] | None = None
    # Per column: "money", "count", "decimal", "percent" or None (by the value's type).
    kinds: list[str | None] | None = None
    totals: list | None = None


def _cell(value):
    if isinstance(value, Percent):
        value = value.value
    return "" if value is None else safe_cell(value)


def xlsx_bytes(tables: list[Table], *, title_lines: list[str] = ()) -> bytes:
    """One sheet per table, each headed by ``title_lines`` and the table's own title."""
    # Imported here, as in core/sheets.py: a web worker need not hold openpyxl from its start.
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, table in enumerate(tables, start=1):
        # Sheet titles: at most 31 characters, none of []:*?/\ .
        title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:28] or str(number)
        sheet = workbook.create_sheet(
            title if title not in workbook.sheetnames else f"{title[:25]} {number}"
        )
        lines = list(title_lines)
        if not lines:
            lines = [table.title]
        elif lines[0] != table.title:  # a sheet whose table is the whole document says so once
            lines[0] = f"{lines[0]} · {table.title}"
        write_table(
            sheet,
            title_lines=lines,
            headings=table.headings,
            rows=table.rows,
            kinds=table.kinds,
            totals=table.totals,
            notes=["", *table.notes] if table.notes else (),
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(tables: list[Table], *, title_lines: list[str] = ()) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in title_lines:
        writer.writerow([safe_cell(line)])
    if title_lines:
        writer.writerow([])
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([safe_cell(table.title)])
        writer.writerow(safe_row(table.headings))
        for row in table.rows + ([table.totals] if table.totals else []):
            writer.writerow([_cell(v) for v in row])
        for note in table.notes or []:
            writer.writerow([safe_cell(note)])
    return buffer.getvalue()


def file_bytes(tables: list[Table], *, format: str, title_lines: list[str] = ()) -> bytes:
    """The tables as an ``xlsx`` or ``csv`` file (UTF-8 with BOM, so Excel reads Chinese).

    ``title_lines`` (the report's name, then its period and village) head every sheet.
    """
    title_lines = [str(line) for line in title_lines]
    if format == "xlsx":
        return xlsx_bytes(tables, title_lines=title_lines)
    return ("\ufeff" + csv_text(tables, title_lines=title_lines)).encode("utf-8")


def spreadsheet(
    tables: list[Table], *, filename: str, title: str, title_lines: list[str] = ()
) -> Spreadsheet:
    """The tables as an export, downloaded at once or built by the task queue when large."""
    return Spreadsheet(
        filename=filename,
        title=str(title),
        rows=sum(len(table.rows) for table in tables),
        write=lambda format: file_bytes(tables, format=format, title_lines=title_lines),
    )
