"""Who publishes pages: editors directly by default; with ``HUAGU_MODERATION`` on, through
the "Moderators approval" workflow.

A small park has one or two editors, so the Editors group holds the publish permission on
the page tree (``tourism/migrations/0008_editors_publish_and_moderators.py``) and the
workflow's "submit for moderation" step is left out of their menu. A park that wants a
second pair of eyes sets ``HUAGU_MODERATION=True``: the Editors group's publish permission
is then set aside wherever Wagtail checks it (the page policy below serves every check),
editors submit their changes to the workflow, and a member of Moderators approves and
publishes them. Nothing in the database changes when the setting is switched.
"""

from django.conf import settings
from wagtail.permission_policies.pages import PagePermissionPolicy

from core.roles import EDITORS

MODERATORS = "Moderators"
MODERATION_WORKFLOW = "Moderators approval"


def moderation_enabled() -> bool:
    return bool(getattr(settings, "HUAGU_MODERATION", False))


class ModeratedPagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page permissions, less the Editors group's ``publish`` under moderation."""

    def get_all_permissions_for_user(self, user):
        permissions = super().get_all_permissions_for_user(user)
        if moderation_enabled():
            permissions = permissions.exclude(
                group__name=EDITORS, permission__codename="publish_page"
            )
        return permissions


def leave_out_submit_when_publishing_directly(menu_items, request, context) -> None:
    """Without moderation, whoever may publish a page is not offered the workflow's submit."""
    tester = context.get("user_page_permissions_tester")
    if moderation_enabled() or tester is None or not tester.can_publish():
        return
    menu_items[:] = [item for item in menu_items if item.name != "action-submit"]
