"""Wagtail listings whose exports of more than a screen's rows are built by the task queue.

A viewset's ``list_export`` offers its listing as CSV and XLSX. A listing of a few
hundred rows downloads at once; a larger one becomes an ``ExportJob``, as a report's
does (``core/export_jobs.py``): the worker runs the listing's own index view again at
its address, as its owner, with the filters and the search the owner chose.

A viewset takes this by ``BackgroundExportViewSetMixin``. The mixin puts
``ListingExportMixin`` in front of whatever index view the viewset uses (Wagtail's, a
snippet's, the history listing's, the order desk's own), so a viewset's own index view
needs no copy of it.
"""

import functools

from wagtail.admin.views.generic.models import IndexView

from .export_jobs import BackgroundExportMixin


class ListingExportMixin(BackgroundExportMixin):
    """``BackgroundExportMixin`` for an index view: it counts the rows the listing shows.

    A listing's rows are filtered and searched (``?q=``) by ``get_queryset``; a report's
    are its ``get_filtered_queryset``, which an index view does not have.
    """

    def get_export_rows(self):
        return self.get_queryset()


@functools.cache
def background_export_index_view(view_class: type[IndexView]) -> type[IndexView]:
    """``view_class`` with ``ListingExportMixin`` in front; one class for each index view."""
    if issubclass(view_class, BackgroundExportMixin):
        return view_class
    return type(
        f"BackgroundExport{view_class.__name__}",
        (ListingExportMixin, view_class),
        {"__module__": __name__, "__doc__": view_class.__doc__},
    )


class BackgroundExportViewSetMixin:
    """A ``ModelViewSet`` or ``SnippetViewSet`` whose listing's large exports are jobs.

    Listed before ``ModelViewSet`` or ``SnippetViewSet`` among the bases: their
    ``__init__`` does not pass on to the bases after them. The index view is wrapped once
    the viewset is made, whichever was chosen: on the class, by a base such as
    ``HistoryViewSetMixin``, or as an argument. A listing without ``list_export`` offers
    no download, and its view is left as it is.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.list_export:
            self.index_view_class = background_export_index_view(self.index_view_class)
