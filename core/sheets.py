"""Spreadsheets that read as reports: a title row, number formats, columns wide enough.

Every XLSX the project writes goes through here: ``workforce/exports.py`` for the job
report, roster and pay sheet, and every Wagtail export (a listing's ``list_export``, a
``ReportView``) through ``make_wagtail_xlsx_readable``, which the ``core`` app runs at
start-up. What a sheet gets:

- a title row (bold) and a line saying what the figures cover (the period, the village,
  the filters), above the column headings, on every sheet;
- money as ``#,##0.00``, whole numbers as ``#,##0``, percentages as ``0.0%``, so the
  figures stay numbers to add up and read with thousands separators;
- column widths measured the way a spreadsheet draws text: a Chinese character is about
  two Latin ones wide.

Cells still go through ``core.exports.safe_cell``: text cannot start a formula.
"""

import datetime
import unicodedata
from decimal import Decimal

from .exports import safe_cell

MONEY = "#,##0.00"
INTEGER = "#,##0"
DECIMAL = "#,##0.00"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
# A whole number that is not a quantity (a year): no thousands separator.
PLAIN = "0"
FORMATS = {
    "money": MONEY,
    "count": INTEGER,
    "decimal": DECIMAL,
    "percent": PERCENT,
    "plain": PLAIN,
}

MIN_WIDTH = 6
MAX_WIDTH = 60


class Percent:
    """A percentage as the project computes it (``62.5`` for 62.5 %), written as ``0.625`` in ``0.0%``."""

    def __init__(self, value):
        self.value = value

    def __str__(self):
        return "" if self.value is None else str(self.value)

    def fraction(self):
        return None if self.value is None else Decimal(str(self.value)) / 100


def text_width(text) -> int:
    """How many Latin characters wide ``text`` is drawn: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def number_format(value, kind: str | None = None) -> str | None:
    """The format of a cell: ``kind`` (money, count, decimal, percent) when given, else by its type.

    Whole numbers read as counts; decimals as money, the project's only unscaled decimals
    in reports besides a few ratios that read well to two places too.
    """
    if kind in FORMATS:
        return FORMATS[kind]
    if isinstance(value, Percent):
        return PERCENT
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, (Decimal, float)):
        return MONEY
    if isinstance(value, datetime.datetime):
        return "yyyy-mm-dd hh:mm"
    if isinstance(value, datetime.date):
        return DATE
    return None


def cell_value(value):
    """What a cell stores: a percentage as its fraction, numbers and dates as they are, text made safe."""
    if isinstance(value, Percent):
        return value.fraction()
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return safe_cell(value)


def shown_width(value, fmt: str | None) -> int:
    """How wide a value is drawn in its format (``1234567.5`` in ``#,##0.00`` is ``1,234,567.50``)."""
    if value is None:
        return 0
    if fmt in (MONEY, DECIMAL) and isinstance(value, (int, float, Decimal)):
        return len(f"{value:,.2f}")
    if fmt == INTEGER and isinstance(value, (int, float, Decimal)):
        return len(f"{value:,.0f}")
    if fmt == PERCENT:
        return 7
    if fmt == DATE:
        return 10
    return text_width(value)


def write_table(sheet, *, title_lines, headings, rows, kinds=None, totals=None, notes=()):
    """Write a report table onto an empty ``sheet``: title lines, headings, rows, totals, notes.

    ``kinds`` gives a column's kind (``money``, ``count``, ``decimal``, ``percent``, ``plain``
    for a whole number that is not a quantity, such as a year, or None for "by the value's
    type"); a ``Percent`` value is a percentage whatever its column.
    Column widths fit the headings and the figures as shown (not the title lines, which
    may run across the columns).
    """
    from openpyxl.styles import Font

    kinds = list(kinds or [])
    bold = Font(bold=True)
    for number, line in enumerate(title_lines):
        sheet.append([safe_cell(str(line))])
        sheet.cell(row=sheet.max_row, column=1).font = Font(
            bold=True, size=13 if not number else 11
        )
    if title_lines:
        sheet.append([])
    sheet.append([safe_cell(str(h)) for h in headings])
    heading_row = sheet.max_row
    for cell in sheet[heading_row]:
        cell.font = bold
    widths = [text_width(h) for h in headings]
    body = list(rows) + ([totals] if totals else [])
    for index, row in enumerate(body):
        sheet.append([cell_value(v) for v in row])
        row_number = sheet.max_row
        for column, value in enumerate(row, start=1):
            kind = kinds[column - 1] if column - 1 < len(kinds) else None
            fmt = number_format(value, kind)
            cell = sheet.cell(row=row_number, column=column)
            if fmt and cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = fmt
            if totals and index == len(body) - 1:
                cell.font = bold
            if column - 1 < len(widths):
                widths[column - 1] = max(widths[column - 1], shown_width(cell.value, fmt))
            else:
                widths.append(shown_width(cell.value, fmt))
    # A coordinate, not a cell: a cell would add an empty row under an empty table.
    sheet.freeze_panes = f"A{heading_row + 1}"
    for note in notes:
        sheet.append([safe_cell(str(note))])
    fit_columns(sheet, widths)


def fit_columns(sheet, widths) -> None:
    from openpyxl.utils import get_column_letter

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )


# Wagtail's exports -----------------------------------------------------------------------


def export_title_lines(view) -> list[str]:
    """The title rows of a Wagtail export: the view's own (``export_title_lines``) or its page title.

    A report says what its figures cover (as of, period, grouping) by defining
    ``export_title_lines()``; any other listing is titled with its name and the day it
    was exported.
    """
    from django.utils import timezone
    from django.utils.translation import gettext as _

    own = getattr(view, "export_title_lines", None)
    if callable(own):
        return [str(line) for line in own()]
    title = getattr(view, "page_title", "") or getattr(view, "get_page_title", lambda: "")()
    return [
        str(title or view.get_filename()),
        _("Exported on %(day)s") % {"day": timezone.localdate().isoformat()},
    ]


def write_wagtail_xlsx(view, queryset, output) -> None:
    """``SpreadsheetExportMixin.write_xlsx``, with a title row, number formats and fitted widths.

    A view may define ``export_kinds`` (``{field: kind}``) and ``export_totals(rows)``
    (a row dict of totals, written last, in bold).
    """
    from django.utils.translation import gettext as _
    from openpyxl import Workbook

    workbook = Workbook(iso_dates=True)
    sheet = workbook.active
    title = "".join(ch for ch in str(view.get_filename()) if ch not in "[]:*?/\\")[:31]
    sheet.title = title or "Sheet1"
    fields = list(view.list_export)
    kinds = getattr(view, "export_kinds", {}) or {}
    rows, raw_rows = [], []
    for item in queryset:
        row_dict = view.to_row_dict(item)
        raw_rows.append(row_dict)
        rows.append(
            [_xlsx_value(view, field, row_dict[field], kinds.get(field)) for field in fields]
        )
    totals = None
    export_totals = getattr(view, "export_totals", None)
    if callable(export_totals):
        total_dict = export_totals(raw_rows)
        if total_dict:
            totals = [
                _xlsx_value(view, field, total_dict.get(field), kinds.get(field))
                for field in fields
            ]
            if totals and totals[0] is None:
                totals[0] = _("Total")
    write_table(
        sheet,
        title_lines=export_title_lines(view),
        headings=[view.get_heading(queryset, field) for field in fields],
        rows=rows,
        kinds=[kinds.get(field) for field in fields],
        totals=totals,
    )
    workbook.save(output)


def _xlsx_value(view, field, value, kind):
    if value is None:
        return None
    if kind == "percent" and isinstance(value, (int, float, Decimal)):
        return Percent(value)
    if isinstance(value, (int, float, Decimal, datetime.date)) and not isinstance(value, bool):
        return value
    return view.preprocess_field_value(field, value, view.FORMAT_XLSX)


def make_wagtail_xlsx_readable() -> None:
    """Route every Wagtail XLSX export through ``write_wagtail_xlsx`` (once, at start-up)."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "xlsx_made_readable", False):
        return

    def write_xlsx(self, queryset, output):
        write_wagtail_xlsx(self, queryset, output)

    SpreadsheetExportMixin.write_xlsx = write_xlsx
    SpreadsheetExportMixin.xlsx_made_readable = True
