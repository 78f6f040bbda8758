"""In Chromium, every public page, the API's docs and the admin's screens run under their policy.

The public site's policy is strict (scripts and styles from our own files or with the
request's nonce); the admin has its own. Any violation the browser reports fails the test.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Page, Site

from nursery.models import SpecimenTree
from tests.browser.test_mobile_layout import public_paths

pytestmark = [
    pytest.mark.browser,
    pytest.mark.demo,
    # Transactional, so the live server's thread sees the demo; serialized rollback restores
    # what the migrations made for any test after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def signed_in_context(browser, base_url: str, user, csp_watch):
    client = Client()
    client.force_login(user)
    context = csp_watch.watch(browser.new_context(viewport={"width": 1280, "height": 900}))
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    return context


def visit(page, base_url: str, path: str) -> None:
    response = page.goto(base_url + path, wait_until="networkidle")
    expected = 404 if "no-such-page" in path else 200
    assert response is not None and response.status == expected, f"{path}: {response.status}"


def test_public_pages_and_the_api_docs_run_under_the_strict_policy(
    browser, live_server, load_demo_command, serve_media, csp_watch
):
    load_demo_command(verbosity=0)
    tree = SpecimenTree.objects.filter(public=True).first()
    paths = [
        *public_paths(),
        "/tickets/",
        "/en/trees/",
        # The printable label's styles are inline, with the request's nonce.
        f"/trees/{tree.tag}/label/",
        "/api/v1/docs",
    ]
    context = csp_watch.watch(browser.new_context(viewport={"width": 375, "height": 812}))
    context.route("**/media/**", serve_media)
    page = context.new_page()

    for path in paths:
        visit(page, live_server.url, path)
    # Swagger UI drew the API from its schema.
    page.goto(live_server.url + "/api/v1/docs", wait_until="networkidle")
    page.wait_for_selector(".opblock")
    context.close()


def test_an_editor_browses_the_public_site_with_the_user_bar(
    browser, live_server, load_demo_command, serve_media, csp_watch
):
    load_demo_command(verbosity=0)
    editor = get_user_model().objects.get(username="editor")
    context = signed_in_context(browser, live_server.url, editor, csp_watch)
    context.route("**/media/**", serve_media)
    page = context.new_page()

    for path in public_paths()[:4]:
        visit(page, live_server.url, path)
        page.wait_for_selector("wagtail-userbar", state="attached")
        page.click("wagtail-userbar >> [data-wagtail-userbar-trigger]")
    context.close()


def test_admin_screens_run_under_the_admin_policy(
    browser, live_server, load_demo_command, serve_media, csp_watch
):
    load_demo_command(verbosity=0)
    admin = get_user_model().objects.filter(is_superuser=True).first()
    home = Site.objects.get(is_default_site=True).root_page
    attraction = Page.objects.live().filter(depth__gt=home.depth + 1).first()
    context = signed_in_context(browser, live_server.url, admin, csp_watch)
    context.route("**/media/**", serve_media)
    page = context.new_page()

    for path in [
        "/admin/",
        f"/admin/pages/{home.pk}/",
        f"/admin/pages/{attraction.pk}/edit/",
        "/admin/images/",
        "/admin/images/multiple/add/",
        "/admin/reports/visitors/",
        "/admin/reports/nursery-stock/",
        "/admin/nursery/lots/",
        "/admin/nursery/purchase/",
        "/admin/workforce/report/",
        "/admin/workforce/roster/",
        "/admin/lockouts/",
        "/admin/tickets/orders/",
        "/admin/tickets/open-capacity/",
    ]:
        visit(page, live_server.url, path)
    context.close()
