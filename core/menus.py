"""Each role's admin menu holds what it works with.

Wagtail already leaves out what a user may not open. What is left that a role does not
use: listings a role may only read (Officials read the workforce through the report and
the roster, not through its thirteen listings) and the help menu, which is the page
editor's guide. The views still decide who may open them; this only tidies the menu.
"""

import copy
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.functional import lazy
from django.utils.translation import gettext
from wagtail.models import Page
from wagtail.utils.version import get_main_version

from .dashboard import user_edits_pages

HELP_MENU = "help"


def model_behind(url: str | None):
    """The model whose admin listing ``url`` opens, or ``None`` (a report, a form, a page)."""
    if not url or url.startswith(("#", "http:", "https:")):
        return None
    try:
        view = resolve(urlsplit(url).path).func
    except Resolver404:
        return None
    model = getattr(view, "view_initkwargs", {}).get("model")
    if model is None:
        model = getattr(getattr(view, "view_class", None), "model", None)
    # Pages are governed by page permissions on the tree, not by model permissions.
    if model is not None and issubclass(model, Page):
        return None
    return model


def only_reads(user, model) -> bool:
    """Whether ``user`` holds no permission to add, change or delete ``model``."""
    meta = model._meta
    return not any(
        user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}")
        for action in ("add", "change", "delete")
    )


def usable(user, url: str | None) -> bool:
    model = model_behind(url)
    return model is None or not only_reads(user, model)


class _UsableOnly:
    """A submenu's menu, less the listings ``user`` may only read."""

    def __init__(self, menu, user):
        self.menu, self.user = menu, user

    def menu_items_for_request(self, request):
        return [
            item
            for item in self.menu.menu_items_for_request(request)
            if usable(self.user, item.url)
        ]

    def render_component(self, request):
        return [item.render_component(request) for item in self.menu_items_for_request(request)]

    def __getattr__(self, name):
        return getattr(self.menu, name)


def menu_for_role(request, menu_items: list) -> None:
    """``construct_main_menu``: drop read-only listings and, for non-editors, the help menu."""
    user = request.user
    if user.is_superuser:
        return
    kept = []
    for item in menu_items:
        if item.name == HELP_MENU:
            if user_edits_pages(user):
                kept.append(item)
            continue
        if hasattr(item, "menu"):
            submenu = copy.copy(item)
            submenu.menu = _UsableOnly(item.menu, user)
            if submenu.menu.menu_items_for_request(request):
                kept.append(submenu)
            continue
        if usable(user, item.url):
            kept.append(item)
    menu_items[:] = kept


def _whats_new_label(version: str) -> str:
    return gettext("What's new in Wagtail %(version)s") % {"version": version}


def whats_new_in_readers_language(request, menu_items: list) -> None:
    """``construct_help_menu``: the "What's new" item reads in each reader's language.

    Wagtail fills in that label's version once, when the help menu is first built, so the
    language of the process's first admin request would stay for every later reader.
    """
    version = get_main_version(include_patch=False)
    for item in menu_items:
        if item.name == f"whats-new-in-wagtail-{version}":
            item.label = lazy(_whats_new_label, str)(version)
