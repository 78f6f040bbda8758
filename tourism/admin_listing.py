"""Bases for the apps' admin listings and reports, shared by their wagtail_hooks.

Every viewset and report with a CSV/XLSX export is built on one of the ``SafeExport…``
classes here, so its cells go through ``core.exports.safe_cell`` (text that looks like a
formula is written as text). ``tests/test_exports_safe.py`` downloads every export the
admin offers and fails on one that is not.
"""

from wagtail.admin.views import generic
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from core.exports import SafeSpreadsheetExportMixin


class SafeExportIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    """A model viewset's listing whose exports write safe cells."""


class SafeExportSnippetIndexView(SafeSpreadsheetExportMixin, snippet_views.IndexView):
    """A snippet viewset's listing whose exports write safe cells."""


class SafeExportReportView(SafeSpreadsheetExportMixin, ReportView):
    """A report whose CSV/XLSX export writes safe cells."""


class SafeExportModelViewSet(ModelViewSet):
    """A ``ModelViewSet`` whose ``list_export`` downloads write safe cells."""

    index_view_class = SafeExportIndexView


class SafeExportSnippetViewSet(SnippetViewSet):
    """A ``SnippetViewSet`` whose ``list_export`` downloads write safe cells."""

    index_view_class = SafeExportSnippetIndexView


class ListingQuerysetMixin:
    """A ``ModelViewSet`` whose listing and its exports read ``listing_queryset()``.

    ``ModelViewSet`` takes no per-viewset queryset (``SnippetViewSet`` has
    ``get_queryset``); without one, each row's related objects cost a query.
    """

    def listing_queryset(self):
        """The rows with the joins their columns need; ``None`` for the model's default."""
        return None

    def get_index_view_kwargs(self, **kwargs):
        queryset = self.listing_queryset()
        if queryset is not None:
            kwargs.setdefault("queryset", queryset)
        return super().get_index_view_kwargs(**kwargs)
