"""Wires the box office into the Wagtail admin: the takings report, its menu item, the gate panel."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .box_office_views import TakingsReportView, can_see_takings
from .gate_panel import GatePanel


class TakingsMenuItem(MenuItem):
    """Shown to the box office's sellers and to staff who read orders (the view checks again)."""

    def is_shown(self, request):
        return can_see_takings(request.user)


@hooks.register("register_admin_urls")
def register_box_office_urls():
    return [
        path("box-office/takings/", TakingsReportView.as_view(), name="box_office_takings"),
        path(
            "box-office/takings/results/",
            TakingsReportView.as_view(results_only=True),
            name="box_office_takings_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_takings_menu_item():
    return TakingsMenuItem(
        _("Box office takings"),
        reverse("box_office_takings"),
        name="box-office-takings",
        icon_name="doc-full",
        order=720,
    )


@hooks.register("construct_homepage_panels")
def add_gate_panel(request, panels):
    if GatePanel.is_shown_to(request.user):
        # First on the screen: the gate's day, and one tap to the scanner.
        panels.insert(0, GatePanel(request.user))
