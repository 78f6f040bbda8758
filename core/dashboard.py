"""The admin's home screen per role: a base for the apps' dashboard panels, and the rule
that keeps Wagtail's page panels for those who edit pages.

Each app puts its panels in its own ``dashboard.py`` and adds them through the
``construct_homepage_panels`` hook; a panel names the permission of the role it serves
(superusers hold every permission, so they see every panel).
"""

from wagtail.admin.ui.components import Component
from wagtail.admin.views.home import (
    LockedPagesPanel,
    RecentEditsPanel,
    UserObjectsInWorkflowModerationPanel,
    WorkflowObjectsToModeratePanel,
)
from wagtail.models import Page
from wagtail.permissions import policy_registry

# Wagtail's own home panels, all about pages: of no use to a role that edits none.
PAGE_PANELS = (
    LockedPagesPanel,
    RecentEditsPanel,
    UserObjectsInWorkflowModerationPanel,
    WorkflowObjectsToModeratePanel,
)


def user_edits_pages(user) -> bool:
    """Whether ``user`` may add, change or publish any page."""
    policy = policy_registry.get_by_type(Page)
    return policy.user_has_any_permission(user, {"add", "change", "publish"})


class DashboardPanel(Component):
    """A panel of the admin's home screen, shown to users who hold ``permission``.

    Subclasses set ``name``, ``template_name``, ``order`` and ``permission``, and add their
    figures in ``get_panel_context(request)``.
    """

    permission: str = ""

    class Media:
        css = {"all": ["css/dashboard.css"]}

    def __init__(self, request):
        self.request = request

    @classmethod
    def is_shown_to(cls, user) -> bool:
        return bool(cls.permission) and user.has_perm(cls.permission)

    def get_panel_context(self, request) -> dict:
        return {}

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context.update(self.get_panel_context(self.request))
        context["request"] = self.request
        return context


def add_panels(request, panels: list, *panel_classes) -> None:
    """Append each of ``panel_classes`` that ``request.user`` may see to ``panels``."""
    for panel_class in panel_classes:
        if panel_class.is_shown_to(request.user):
            panels.append(panel_class(request))


def keep_page_panels_for_page_editors(request, panels: list) -> None:
    """Remove Wagtail's page panels for users who edit no page (managers, officials, gate)."""
    if not user_edits_pages(request.user):
        panels[:] = [panel for panel in panels if not isinstance(panel, PAGE_PANELS)]
