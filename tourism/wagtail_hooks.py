"""Wires the tourism admin: ticket types, slots, orders, the visitors report."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core.admin import (
    LocalizedPermissionMenuItem,
    NumberColumnsViewSetMixin,
    PermissionMenuItem,
    YesNoColumn,
)
from core.dashboard import add_panels
from core.export_listings import BackgroundExportViewSetMixin
from core.history_admin import HistoryViewSetMixin

from .dashboard import EditorPanel
from .models import ClosedDay, Order, SeasonPrice, Slot, TicketType
from .publishing import leave_out_submit_when_publishing_directly
from .security.admin_views import LockoutsView
from .tickets import box_office_hooks  # noqa: F401  (the box office's report, menu item and panel)
from .tickets.admin_views import (
    ClosedDayCreateView,
    ClosedDayEditView,
    ClosedDayForm,
    OpenCapacityView,
    SlotEditView,
    SlotForm,
    VisitorsReportView,
)
from .tickets.desk import OrderViewSet
from .tickets.partners_admin import ApiKeyViewSet, PartnerViewSet
from .tickets.reconcile_views import ReconciliationReportView


class TicketTypeViewSet(
    NumberColumnsViewSetMixin, BackgroundExportViewSetMixin, HistoryViewSetMixin, ModelViewSet
):
    name = "tourism_tickettype"
    url_prefix = "tickets/types"
    model = TicketType
    icon = "tag"
    menu_label = _("Ticket types")
    list_display = ["name", "name_en", "audience", "price", YesNoColumn(TicketType, "active")]
    list_filter = ["audience", "active"]
    search_fields = ["name", "name_en"]
    list_export = ["name", "name_en", "audience", "price", "active"]
    form_fields = [
        "name",
        "name_en",
        "audience",
        "description",
        "description_en",
        "price",
        "active",
        "sort_order",
        "min_age",
        "max_age",
    ]


class SlotViewSet(
    NumberColumnsViewSetMixin, BackgroundExportViewSetMixin, HistoryViewSetMixin, ModelViewSet
):
    name = "tourism_slot"
    url_prefix = "tickets/slots"
    model = Slot
    icon = "time"
    menu_label = _("Entry slots")
    list_display = ["date", "time_label", "capacity", "taken", "places_left"]
    list_filter = ["date"]
    list_export = ["date", "starts_at", "ends_at", "capacity", "taken"]
    edit_view_class = SlotEditView
    # Changing a booked slot's date or time, or its capacity below what is taken, goes
    # through the closures service: refused with the orders named, or they are cancelled.
    edit_handler = ObjectList(
        [
            FieldPanel("date"),
            FieldPanel("starts_at"),
            FieldPanel("ends_at"),
            FieldPanel("capacity"),
            FieldPanel("cancel_orders"),
            FieldPanel("confirmed_orders"),
        ],
        base_form_class=SlotForm,
    )
    ordering = ["date", "starts_at"]
    list_per_page = 100


class ClosedDayViewSet(HistoryViewSetMixin, ModelViewSet):
    name = "tourism_closedday"
    url_prefix = "tickets/closed-days"
    model = ClosedDay
    icon = "cross"
    menu_label = _("Closed days")
    list_display = ["date", "reason", "reason_en"]
    add_view_class = ClosedDayCreateView
    edit_view_class = ClosedDayEditView
    edit_handler = ObjectList(
        [
            FieldPanel("date"),
            FieldPanel("reason"),
            FieldPanel("reason_en"),
            FieldPanel("cancel_orders"),
            FieldPanel("confirmed_orders"),
        ],
        base_form_class=ClosedDayForm,
    )


class SeasonPriceViewSet(NumberColumnsViewSetMixin, HistoryViewSetMixin, ModelViewSet):
    name = "tourism_seasonprice"
    url_prefix = "tickets/season-prices"
    model = SeasonPrice
    icon = "calendar-alt"
    menu_label = _("Season prices")
    list_display = ["ticket_type", "name", "starts_on", "ends_on", "price"]
    list_filter = ["ticket_type"]
    form_fields = ["ticket_type", "name", "starts_on", "ends_on", "price"]


class OrderPermissionPolicy(ModelPermissionPolicy):
    """Orders come from tourists and partners; staff read them and may not add or delete them here."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)


register_permission_policy(Order, OrderPermissionPolicy(Order))


class TicketsGroup(ViewSetGroup):
    menu_label = _("Tickets")
    menu_icon = "tag"
    menu_order = 250
    items = (
        OrderViewSet,
        SlotViewSet,
        ClosedDayViewSet,
        TicketTypeViewSet,
        SeasonPriceViewSet,
        PartnerViewSet,
        ApiKeyViewSet,
    )


@hooks.register("register_admin_viewset")
def register_tickets_viewsets():
    return TicketsGroup()


@hooks.register("register_admin_urls")
def register_tickets_admin_urls():
    return [
        path("tickets/open-capacity/", OpenCapacityView.as_view(), name="tickets_open_capacity"),
        path("reports/visitors/", VisitorsReportView.as_view(), name="tickets_visitors_report"),
        path(
            "reports/visitors/results/",
            VisitorsReportView.as_view(results_only=True),
            name="tickets_visitors_report_results",
        ),
        path(
            "reports/payment-reconciliation/",
            ReconciliationReportView.as_view(),
            name="tickets_reconciliation_report",
        ),
        path(
            "reports/payment-reconciliation/results/",
            ReconciliationReportView.as_view(results_only=True),
            name="tickets_reconciliation_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_visitors_report_menu_item():
    return PermissionMenuItem(
        _("Visitors per day"),
        reverse("tickets_visitors_report"),
        icon_name="group",
        order=700,
        permission="tourism.view_order",
    )


@hooks.register("register_reports_menu_item")
def register_reconciliation_report_menu_item():
    return PermissionMenuItem(
        _("Payment reconciliation"),
        reverse("tickets_reconciliation_report"),
        icon_name="clipboard-list",
        order=710,
        permission="tourism.view_order",
    )


@hooks.register("register_admin_menu_item")
def register_open_capacity_menu_item():
    return PermissionMenuItem(
        _("Open capacity"),
        reverse("tickets_open_capacity"),
        icon_name="date",
        order=260,
        permission="tourism.add_slot",
    )


class SuperuserMenuItem(MenuItem):
    """A menu item shown to superusers only (the view refuses everyone else too)."""

    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_admin_urls")
def register_lockouts_admin_urls():
    return [path("lockouts/", LockoutsView.as_view(), name="tourism_lockouts")]


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return SuperuserMenuItem(
        _("Sign-in lockouts"), reverse("tourism_lockouts"), icon_name="lock", order=900
    )


@hooks.register("construct_homepage_panels")
def add_editor_panel(request, panels):
    add_panels(request, panels, EditorPanel)


hooks.register("construct_page_action_menu", leave_out_submit_when_publishing_directly)


@hooks.register("register_admin_menu_item")
def register_gate_menu_item():
    return LocalizedPermissionMenuItem(
        _("Gate: scan tickets"),
        "gate",
        icon_name="success",
        order=50,
        permission="tourism.check_in_ticket",
    )
