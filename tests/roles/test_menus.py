"""Each role's admin menu holds what it works with, and what it may not open is still refused."""

import json
import re

import pytest

from tests.tickets.factories import UserFactory, user_in_role

pytestmark = pytest.mark.django_db


def menu_urls(client, user) -> set[str]:
    """Every address in the sidebar's main menu (submenus included), as the admin renders it."""
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S).group(1)
    urls = set()

    def walk(items):
        for item in items:
            args = item["_args"]
            urls.add(args[0].get("url") or f"#{args[0]['name']}")
            if item["_type"].endswith("SubMenuItem"):
                walk(args[1])

    for module in json.loads(props)["modules"]:
        if module["_type"].endswith("MainMenuModule"):
            walk(module["_args"][0])
    return urls


def refused(client, user, url: str) -> bool:
    """The server turns ``user`` away from ``url``: 403, or a redirect elsewhere."""
    client.force_login(user)
    response = client.get(url)
    if response.status_code == 403:
        return True
    return response.status_code == 302 and not response["Location"].startswith(url)


def test_officials_menu_holds_the_reports_and_the_roster_only(client):
    official = user_in_role("Officials")
    assert menu_urls(client, official) == {
        "#reports",
        "/admin/workforce/report/",
        "/admin/workforce/roster/",
    }
    for url in (
        "/admin/pages/",
        "/admin/images/",
        "/admin/tickets/orders/",
        "/admin/reports/visitors/",
        "/admin/nursery/lots/",
        "/admin/workforce/crew-day/",
    ):
        assert refused(client, official, url), url
    # The read-only listings left out of the menu stay readable: the menu is tidier, the
    # role's rights are unchanged.
    client.force_login(official)
    assert client.get("/admin/workforce/villagers/").status_code == 200


def test_managers_menu_holds_the_nursery_and_the_workforce(client):
    manager = user_in_role("Farm managers")
    urls = menu_urls(client, manager)
    for url in (
        "/admin/nursery/lots/",
        "/admin/nursery/survival-checks/",
        "/admin/nursery/purchase/",
        "/admin/workforce/villagers/",
        "/admin/workforce/crew-day/",
        "/admin/workforce/report/",
    ):
        assert url in urls, url
    for url in ("/admin/pages/", "/admin/images/", "/admin/documents/", "#help"):
        assert url not in urls, url
    assert not any(url.startswith("/admin/tickets/") for url in urls)
    for url in ("/admin/tickets/orders/", "/admin/reports/visitors/", "/admin/users/"):
        assert refused(client, manager, url), url


def test_editors_menu_holds_pages_images_documents_and_ticket_sales(client):
    editor = user_in_role("Editors")
    urls = menu_urls(client, editor)
    for url in (
        "/admin/pages/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/tickets/orders/",
        "/admin/tickets/types/",
        "/admin/settings/tourism/sitesettings/",
        "#help",
    ):
        assert url in urls, url
    assert not any(url.startswith(("/admin/nursery/", "/admin/workforce/")) for url in urls)
    for url in ("/admin/nursery/lots/", "/admin/workforce/report/", "/admin/workforce/villagers/"):
        assert refused(client, editor, url), url


def test_gate_staffs_menu_leads_to_the_gate(client):
    gate = user_in_role("Gate staff")
    urls = menu_urls(client, gate)
    assert "/gate/" in urls
    assert not any(
        url.startswith(("/admin/pages/", "/admin/images/", "/admin/nursery/", "/admin/workforce/"))
        for url in urls
    )
    assert "#help" not in urls
    for url in ("/admin/pages/", "/admin/nursery/lots/", "/admin/workforce/report/"):
        assert refused(client, gate, url), url


def test_superusers_menu_keeps_everything(client):
    urls = menu_urls(client, UserFactory(is_superuser=True))
    for url in ("/admin/pages/", "/admin/nursery/lots/", "/admin/workforce/villagers/", "#help"):
        assert url in urls, url


def test_the_help_menus_whats_new_item_reads_in_each_readers_language(client):
    """Wagtail builds the help menu once; its "What's new" label must still follow the reader."""
    from wagtail.users.models import UserProfile

    english, chinese = UserFactory(is_superuser=True), UserFactory(is_superuser=True)
    for user, language in [(english, "en"), (chinese, "zh-hans")]:
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
    # Whichever language builds the menu first, the other reader gets their own.
    for user, label in [
        (english, "What's new in Wagtail"),
        (chinese, "的新功能"),
        (english, "What's new in Wagtail"),
    ]:
        client.force_login(user)
        html = client.get("/admin/").content.decode()
        props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S).group(1)
        assert label in json.dumps(json.loads(props), ensure_ascii=False)
