"""Admin parts the apps' wagtail_hooks share: a permission-aware menu item, listings
with their own queryset and with figures grouped by thousands, and field values shown in
the reader's language."""

import functools
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.urls import reverse
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.fields import register_display_class
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import IndexView

from . import numbers


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users who hold ``permission`` (the view checks it again)."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class LocalizedPermissionMenuItem(PermissionMenuItem):
    """A permission menu item leading to a page of the public site's URL scheme (``/gate/``,
    ``/en/gate/``): the address is reversed when the menu is drawn, in the reader's language,
    not once in whatever language was active when the menu was first built."""

    def __init__(self, label, url_name: str, **kwargs):
        super().__init__(label, "", **kwargs)
        self.url_name = url_name

    def is_active(self, request):
        return request.path.startswith(reverse(self.url_name))

    def render_component(self, request):
        component = super().render_component(request)
        component.url = reverse(self.url_name)
        return component


class AdminPageMixin(WagtailAdminTemplateMixin):
    """A page of the project's own in the admin (a form, a list): its header names it.

    Wagtail's header shows a view's breadcrumbs in place of its title; with only "Home"
    among them, the page would be headed "Home".
    """

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


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


class FieldValueDisplay(Component):
    """A model field's value on an inspect page, in the reader's language.

    The admin's inspect view prints a value as Python writes it, so an empty value read
    "None" and a yes/no value "True"; this shows "—" and 是/否, and dates and numbers
    localised.
    """

    def __init__(self, value):
        self.value = value

    def render_html(self, parent_context=None):
        value = self.value
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        return conditional_escape(localize(template_localtime(value)))


def register_field_displays() -> None:
    register_display_class(models.Field, display_class=FieldValueDisplay)
    # Relations are looked up by the model they point to; this covers every one of them.
    register_display_class(models.ForeignKey, display_class=FieldValueDisplay)


class YesNoColumn(Column):
    """A yes/no field in a listing, in words: the admin would print "True" and "False"."""

    def __init__(self, model, name: str, **kwargs):
        field = model._meta.get_field(name)
        kwargs.setdefault("label", capfirst(field.verbose_name))
        kwargs.setdefault("sort_key", name)
        super().__init__(name, **kwargs)

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return "—"
        return gettext("Yes") if value else gettext("No")


# Whole numbers that are not quantities: years, numbers of groups, months. "1,965" would
# misread, and these never reach ten thousand.
_UNGROUPED_FIELDS = (models.SmallIntegerField, models.PositiveSmallIntegerField)


class NumberColumn(Column):
    """A listing's number grouped by thousands as the reports write them (``11,069.60``,
    ``20,000``); a value that is not a number (a label, a choice) as it is."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            return value
        return numbers.grouped(value)


def _groups_digits(model, name: str) -> bool:
    """Whether ``model``'s listed ``name`` (a field or a property) shows a grouped number."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return True  # a property: grouped if what it returns is a number
    if field.choices or isinstance(field, _UNGROUPED_FIELDS):
        return False
    return isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField))


class GroupedCountPaginator(WagtailPaginator):
    """Wagtail's paginator, with the count under a listing grouped: "48,450 务工记录", not
    "48450 务工记录"."""

    @cached_property
    def items_count_label(self):
        if self.count == 1:
            return super().items_count_label
        return f"{numbers.count(self.count)} {self.verbose_name_plural}"


class NumberColumnsMixin:
    """An index view whose ``list_display`` numbers show as ``NumberColumn``: Wagtail would
    print ``3224417.70`` and ``20000``, without the grouping every figure elsewhere has; and
    whose count under the listing is grouped too. Exports are untouched: they write the
    values themselves."""

    paginator_class = GroupedCountPaginator

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        grouped = LOOKUP_SEP not in field_name and _groups_digits(self.model, field_name)
        if column_class is Column and grouped:
            column_class = NumberColumn
        return super()._get_custom_column(field_name, column_class, **kwargs)


@functools.cache
def number_columns_index_view(view_class: type[IndexView]) -> type[IndexView]:
    """``view_class`` with ``NumberColumnsMixin`` in front; one class for each index view."""
    if issubclass(view_class, NumberColumnsMixin):
        return view_class
    return type(
        f"NumberColumns{view_class.__name__}",
        (NumberColumnsMixin, view_class),
        {"__module__": __name__, "__doc__": view_class.__doc__},
    )


class NumberColumnsViewSetMixin:
    """A ``ModelViewSet`` or ``SnippetViewSet`` whose listing groups its numbers.

    Listed before ``ModelViewSet`` or ``SnippetViewSet`` among the bases, as
    ``BackgroundExportViewSetMixin`` is; the index view is wrapped whichever was chosen.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.index_view_class = number_columns_index_view(self.index_view_class)
