"""What the admin's reports share: figures in columns that read as numbers, and a totals row.

``FigureColumn`` shows a value as money (``¥3,184,053.20``), a count (``12,480``) or a
percentage (``87.5%``), aligned right. ``TotalsReportMixin`` gives a Wagtail
``ReportView`` a totals row at the foot of its table (``totals(rows)``), the same row at
the foot of its XLSX export, number formats for its export columns (``export_kinds``,
from its figure columns) and title lines for the export (``export_title_lines``:
its title and what it covers, from ``report_scope``).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.ui.tables import Column, Table

from . import numbers

SHOW = numbers.BY_KIND


class FigureColumn(Column):
    """A column of figures of one ``kind``: money, amount (money without ¥), count or percent."""

    cell_template_name = "core/figure_cell.html"

    def __init__(self, name, *, kind="count", **kwargs):
        kwargs.setdefault("classname", "figure")
        super().__init__(name, **kwargs)
        self.kind = kind

    def get_value(self, instance):
        value = super().get_value(instance)
        return "" if value is None or value == "" else SHOW[self.kind](value)


class TotalsTable(Table):
    """A listing table with a totals row in its ``<tfoot>``."""

    template_name = "core/totals_table.html"

    def __init__(self, *args, totals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.totals = totals

    @property
    def total_cells(self) -> list[str]:
        """The totals row, one text per column: the first says "Total", figures as shown."""
        if not self.totals:
            return []
        cells = []
        for index, column in enumerate(self.columns.values()):
            value = self.totals.get(column.name)
            if index == 0 and value is None:
                cells.append(_("Total"))
            elif value is None:
                cells.append("")
            elif isinstance(column, FigureColumn):
                cells.append(SHOW[column.kind](value))
            else:
                cells.append(str(value))
        return cells


class DecoratedRowsMixin:
    """A ``ReportView`` whose page of rows is decorated once, before its table is drawn.

    Wagtail's ``ReportView`` draws the page's table in ``get_context_data`` and decorates
    the rows only afterwards (for the export), so figures filled in by
    ``decorate_paginated_queryset`` would be blank on the page. Here the table is drawn
    from the decorated rows, and the export gets the same rows.
    """

    def get_table(self, object_list):
        self.decorated_rows = self.decorate_paginated_queryset(object_list)
        return super().get_table(self.decorated_rows)

    def get(self, request, *args, **kwargs):
        self.object_list = self.get_filtered_queryset()
        context = self.get_context_data()
        context["object_list"] = self.decorated_rows
        return self.render_to_response(context)


class ColumnsExportMixin:
    """A ``ReportView`` whose spreadsheet export holds the page's columns, headed as on the page."""

    @property
    def list_export(self):
        return [column.name for column in self.columns]

    @property
    def export_headings(self):
        return {column.name: column.label for column in self.columns}


class TotalsReportMixin:
    """A ``ReportView`` whose figures add up: a totals row on the page and in the XLSX.

    Subclasses define ``totals(rows)`` (a dict by column name, over all rows, not just
    the page) and may define ``report_scope()``, the line under the title of the export
    that says what the figures cover.
    """

    table_class = TotalsTable

    def totals(self, rows) -> dict | None:
        return None

    def report_scope(self) -> str:
        return ""

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        rows = self.get_filtered_queryset()
        kwargs["totals"] = self.totals(rows) if rows else None
        return kwargs

    @property
    def export_kinds(self) -> dict:
        return {
            column.name: "money" if column.kind in ("money", "amount") else column.kind
            for column in self.columns
            if isinstance(column, FigureColumn)
        }

    def export_totals(self, rows):
        rows = self.get_filtered_queryset()
        return self.totals(rows) if rows else None

    def export_title_lines(self) -> list[str]:
        scope = self.report_scope()
        return [
            str(self.page_title),
            *([scope] if scope else []),
            _("Exported on %(day)s") % {"day": timezone.localdate().isoformat()},
        ]
