"""A group's visitor list as a spreadsheet: the template to fill in, and reading it back.

Columns 姓名 / 证件类型 / 证件号码 (the English headings are accepted too). The document
type may be written as its Chinese or English name or its code, and an empty one means the
resident ID card. Excel turns a long number typed into a plain cell into a rounded
floating-point number, so the template formats the number column as text and a number
that arrives rounded is reported on its row rather than guessed.
"""

import csv
import io

from django.utils import translation
from django.utils.translation import gettext as _

from core.identity import DocumentType

from .groups import MAX_LIST_ROWS, ListRow

HEADINGS = [("姓名", "Name"), ("证件类型", "Document type"), ("证件号码", "Document number")]
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class SheetError(Exception):
    """The file cannot be read as a visitor list; the message says why."""


def _document_names() -> dict[str, str]:
    """Every way the template lets a document type be written, lower-cased, to its code."""
    names = {}
    for code, label in DocumentType.choices:
        names[code.lower()] = code
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[str(label).strip().lower()] = code
    # What people write for the ID card in practice.
    for alias in ("身份证", "居民身份证", "id card", "id"):
        names[alias] = DocumentType.ID_CARD
    return names


def template_xlsx() -> bytes:
    """The empty list, with headings in both languages and the number column as text."""
    # openpyxl is imported here, not at the top: a web worker seldom writes a sheet and
    # need not hold the library from its start.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "visitors"
    sheet.append([f"{zh} {en}" for zh, en in HEADINGS])
    for letter, width in zip("ABC", (16, 34, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in range(2, MAX_LIST_ROWS + 2):
        sheet.cell(row=row, column=3).number_format = "@"
    notes = workbook.create_sheet("说明 notes")
    notes.append(["证件类型 Document types"])
    for code, label in DocumentType.choices:
        with translation.override("zh-hans"):
            zh = str(label)
        with translation.override("en"):
            en = str(label)
        notes.append([zh, en, code])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def template_csv() -> bytes:
    """The empty list as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese)."""
    text = io.StringIO()
    csv.writer(text).writerow([f"{zh} {en}" for zh, en in HEADINGS])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def _cell_text(value) -> tuple[str, str | None]:
    """The cell as text, and a problem when a number lost digits in a spreadsheet."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), None
        return f"{value:.0f}", _(
            "The number was stored as a number and lost digits: format the column as text "
            "and type it again."
        )
    return str(value).strip(), None


def _is_heading(cells: list[str]) -> bool:
    first = (cells[0] if cells else "").replace(" ", "").lower()
    return first.startswith("姓名") or first.startswith("name")


def _rows(table) -> list[ListRow]:
    names = _document_names()
    rows: list[ListRow] = []
    for line, raw in enumerate(table, start=1):
        cells, cell_problems = [], []
        for value in list(raw)[:3]:
            text, problem = _cell_text(value)
            cells.append(text)
            if problem:
                cell_problems.append(problem)
        cells += [""] * (3 - len(cells))
        if not any(cells):
            continue
        if line == 1 and _is_heading(cells):
            continue
        if len(rows) >= MAX_LIST_ROWS:
            raise SheetError(
                _("The list has more than %(n)s rows; no group is that large.")
                % {"n": MAX_LIST_ROWS}
            )
        written = cells[1].strip().lower()
        document_type = DocumentType.ID_CARD if not written else names.get(written, cells[1])
        rows.append(ListRow(line, cells[0], document_type, cells[2], (cell_problems or [""])[0]))
    return rows


def read_visitor_sheet(upload) -> list[ListRow]:
    """The rows of an uploaded XLSX or CSV list, each with what went wrong reading it.

    ``SheetError`` when the file is not a list this can read.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise SheetError(_("The file is larger than 2 MB; a visitor list is much smaller."))
    name = (upload.name or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise SheetError(
                _("This file could not be read as an Excel workbook (.xlsx).")
            ) from None
        sheet = workbook.worksheets[0]
        return _rows(sheet.iter_rows(max_col=3, values_only=True))
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return _rows(csv.reader(io.StringIO(text)))
        raise SheetError(_("This CSV file's text could not be read; save it as UTF-8."))
    raise SheetError(_("Please upload the list as an Excel workbook (.xlsx) or a CSV file."))
