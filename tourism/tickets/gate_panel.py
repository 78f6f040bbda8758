"""The gate role's panel on the admin home screen: today's figures and one tap to scan or sell."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from .box_office import SELL_PERMISSION, gate_today
from .gate import PERMISSION as CHECK_IN_PERMISSION


class GatePanel(Component):
    """Today's expected visitors, those arrived, walk-ins sold at the box office; scan and sell links.

    Shown to staff who admit visitors (the Gate staff role); the sell link only to those
    who may also sell.
    """

    name = "gate_today"
    order = 10
    template_name = "tourism/tickets/admin/gate_panel.html"

    class Media:
        css = {"all": ["css/gate_panel.css"]}

    def __init__(self, user):
        self.user = user

    @staticmethod
    def is_shown_to(user) -> bool:
        return user.has_perm(CHECK_IN_PERMISSION)

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["figures"] = gate_today()
        context["scan_url"] = reverse("gate")
        context["sell_url"] = reverse("box_office") if self.user.has_perm(SELL_PERMISSION) else ""
        context["takings_url"] = (
            reverse("box_office_takings") if self.user.has_perm(SELL_PERMISSION) else ""
        )
        return context
