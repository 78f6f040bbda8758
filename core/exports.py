"""Spreadsheet cells that open as what they are: text as text, numbers as numbers.

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula, even in a CSV file, so a villager or a
supplier named ``=HYPERLINK(...)`` would become a live link in an official's roster.
Following OWASP's rule for CSV injection, such text is written with a single quote in
front of it; spreadsheets show the quote and run nothing. Numbers, dates and times are
left alone, so money and counts (negative ones too) stay numbers to add up.

Every CSV and XLSX export of the project writes its cells through ``safe_cell``:
``workforce/exports.py`` for its tables, and every admin listing and report, the apps'
and Wagtail's own (locked pages, site history …), through Wagtail's
``SpreadsheetExportMixin``, which ``make_wagtail_exports_safe`` (run by the ``core`` app
at start-up) routes through it.
"""

import datetime
from decimal import Decimal

# The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Values a spreadsheet stores as what they are; ``datetime`` is a ``date``, ``bool`` an ``int``.
PLAIN_VALUES = (int, float, Decimal, datetime.date, datetime.time, datetime.timedelta)


def safe_text(text: str) -> str:
    """``text`` with a single quote in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_cell(value):
    """A cell's value for CSV or XLSX: numbers, dates and empty cells as they are, all else as safe text.

    Anything else is rendered as text first (lazy translations, model instances, choices),
    so what reaches the file is either a plain value or text that cannot start a formula.
    """
    if value is None or isinstance(value, PLAIN_VALUES):
        return value
    return safe_text(str(value))


def safe_row(values) -> list:
    """``safe_cell`` of every value in a row."""
    return [safe_cell(value) for value in values]


def make_wagtail_exports_safe() -> None:
    """Route every cell and heading of Wagtail's CSV/XLSX exports through ``safe_cell``.

    Wagtail writes every export (a viewset's ``list_export``, a ``ReportView``, its own
    page reports) through ``SpreadsheetExportMixin``, which quotes nothing in CSV files.
    Changing the mixin itself, once, covers them all, a listing added later included;
    a base class per app would miss Wagtail's own reports. Wagtail's preparation runs
    first (time zones, lists joined, values made text); its XLSX writer then stores a
    string, never a formula.
    """
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "cells_made_safe", False):
        return
    preprocess_field_value = SpreadsheetExportMixin.preprocess_field_value
    get_heading = SpreadsheetExportMixin.get_heading

    def safe_preprocess_field_value(self, field, value, export_format):
        return safe_cell(preprocess_field_value(self, field, value, export_format))

    def safe_get_heading(self, queryset, field):
        return safe_cell(get_heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = safe_preprocess_field_value
    SpreadsheetExportMixin.get_heading = safe_get_heading
    SpreadsheetExportMixin.cells_made_safe = True
