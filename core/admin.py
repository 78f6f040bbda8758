"""Admin parts the apps' wagtail_hooks share: a permission-aware menu item and listings
with their own queryset."""

from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users who hold ``permission`` (the view checks it again)."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


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
