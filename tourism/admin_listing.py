"""A listing queryset for the apps' model viewsets, shared by their wagtail_hooks."""


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
