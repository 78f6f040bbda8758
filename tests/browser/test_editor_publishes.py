"""In Chromium on a phone, in Chinese: an editor edits an attraction and publishes it, and a
visitor sees the change at once (the page cache is renewed on publish)."""

import pytest

from tests.tickets.factories import PASSWORD, user_in_role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 740}
NEW_TITLE = "玫瑰园（初夏花期）"


def test_an_editor_publishes_an_attraction_and_a_visitor_sees_it(
    browser, live_server, site_tree, serve_media, csp_watch
):
    attraction = site_tree.zh.attraction
    user_in_role("Editors", username="editor")
    public_url = live_server.url + attraction.url

    # A visitor reads the page first, so its parts are in the page cache.
    visitor = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    visitor.route("**/media/**", serve_media)
    reader = visitor.new_page()
    reader.goto(public_url)
    assert reader.inner_text("h1") == "玫瑰园"

    staff = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    staff.route("**/media/**", serve_media)
    page = staff.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    # The editor's home screen: pages waiting and the bloom check, in Chinese.
    assert "等待审批的页面" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(f"{live_server.url}/admin/pages/{attraction.pk}/edit/")
    page.fill("#id_title", NEW_TITLE)
    # On a phone the footer shows "save draft"; publishing is one tap further, in its menu.
    page.click("footer .w-dropdown__toggle")
    publish = page.locator("button[name=action-publish]")
    assert publish.is_visible()
    assert page.locator("button[name=action-submit]").count() == 0
    publish.click()
    page.wait_for_selector(".messages")
    assert NEW_TITLE in page.inner_text(".messages")
    assert "发布" in page.inner_text(".messages")
    # Nothing on the phone's edit screen is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    staff.close()

    reader.reload()
    assert reader.inner_text("h1") == NEW_TITLE
    # A visitor who has never been here sees it too.
    newcomer = csp_watch.watch(browser.new_context(viewport=PHONE, locale="zh-CN"))
    newcomer.route("**/media/**", serve_media)
    fresh = newcomer.new_page()
    fresh.goto(public_url)
    assert fresh.inner_text("h1") == NEW_TITLE
    visitor.close()
    newcomer.close()
