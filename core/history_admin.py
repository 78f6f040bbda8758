"""The history of an object in the admin, open to every role that can see the object."""

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import IndexView


class ReadableHistoryView(HistoryView):
    """Wagtail's history view, for those who may only view the object too (officials, logs).

    Wagtail opens it to those who may add, change or delete; who reads the object
    reads what happened to it. The Edit button shows only to those who may edit.
    """

    any_permission_required = ["add", "change", "delete", "view"]

    @cached_property
    def header_buttons(self):
        if not self.user_has_permission("change"):
            return []
        return super().header_buttons


class HistoryIndexView(IndexView):
    """A listing whose rows offer their history beside edit and delete."""

    history_url_name = None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.history_url_name:
            buttons.append(
                MenuItem(
                    _("History"),
                    url=reverse(self.history_url_name, args=(quote(instance.pk),)),
                    icon_name="history",
                    priority=40,
                )
            )
        return buttons


class HistoryViewSetMixin:
    """A ``ModelViewSet`` whose objects' history is readable by their readers and linked from the list."""

    history_view_class = ReadableHistoryView
    index_view_class = HistoryIndexView

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            history_url_name=self.get_url_name("history"), **kwargs
        )
