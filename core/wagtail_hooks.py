"""Wires the shared parts into the admin: the role menus, the home screen's page panels,
the history's log actions, the list of bulk writes and the user's exports."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import history
from .admin import PermissionMenuItem
from .dashboard import keep_page_panels_for_page_editors
from .export_jobs_admin import ExportJobsView, ExportsMenuItem, export_job_download
from .history_admin import HistoryViewSetMixin
from .menus import menu_for_role, whats_new_in_readers_language
from .models import BulkWrite
from .park_map import Facility

hooks.register("construct_main_menu", menu_for_role)
hooks.register("construct_help_menu", whats_new_in_readers_language)
hooks.register("construct_homepage_panels", keep_page_panels_for_page_editors)


@hooks.register("register_log_actions")
def register_history_log_actions(actions):
    history.register_log_actions(actions)


class BulkWriteViewSet(HistoryViewSetMixin, ModelViewSet):
    """The bulk writes (imports), newest first; each one's history says who made it and what it created."""

    name = "core_bulkwrite"
    url_prefix = "bulk-writes"
    model = BulkWrite
    icon = "upload"
    menu_label = _("Bulk writes")
    add_to_admin_menu = False
    list_display = ["what", "created_at"]
    search_fields = ["what"]
    ordering = ["-created_at", "-pk"]
    form_fields = ["what"]


@hooks.register("register_admin_viewset")
def register_bulk_writes():
    return BulkWriteViewSet()


class FacilityViewSet(ModelViewSet):
    """Toilets, parking, food, first aid and accessible paths, each placed on the park map."""

    name = "core_facility"
    url_prefix = "facilities"
    model = Facility
    icon = "site"
    menu_label = _("Facilities")
    add_to_settings_menu = True
    list_display = ["name", "name_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en"]
    ordering = ["kind", "name"]


@hooks.register("register_admin_viewset")
def register_facilities():
    return FacilityViewSet()


class BulkWritePermissionPolicy(ModelPermissionPolicy):
    """Bulk writes are made by the imports, never added, edited or deleted by hand."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)


register_permission_policy(BulkWrite, BulkWritePermissionPolicy(BulkWrite))


@hooks.register("register_reports_menu_item")
def register_bulk_writes_menu_item():
    return PermissionMenuItem(
        _("Bulk writes"),
        reverse("core_bulkwrite:index"),
        icon_name="upload",
        order=800,
        permission="core.view_bulkwrite",
    )


@hooks.register("register_admin_urls")
def register_export_job_urls():
    return [
        path("exports/", ExportJobsView.as_view(), name="core_export_jobs"),
        path("exports/<int:pk>/download/", export_job_download, name="core_export_job_download"),
    ]


@hooks.register("register_reports_menu_item")
def register_export_jobs_menu_item():
    return ExportsMenuItem(
        _("My exports"), reverse("core_export_jobs"), icon_name="download", order=900
    )
