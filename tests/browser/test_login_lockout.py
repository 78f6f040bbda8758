"""In Chromium, wrong passwords lock a staff account until the cool-off ends or an admin unlocks it."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client

from tests.tickets.factories import PASSWORD, user_in_role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOCKED_ZH = "登录失败次数过多"


@pytest.fixture(autouse=True)
def throttle(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.login-form button[type=submit]")
    page.wait_for_load_state()


def messages(page) -> str:
    return page.inner_text(".messages")


def test_wrong_passwords_lock_the_account_until_the_cool_off_ends(browser, live_server, csp_watch):
    user_in_role("Editors", username="editor")
    context = csp_watch.watch(browser.new_context(locale="zh-CN"))
    page = context.new_page()

    for _ in range(2):
        sign_in(page, live_server.url, "editor", "wrong-password")
        assert LOCKED_ZH not in messages(page)
    sign_in(page, live_server.url, "editor", "wrong-password")
    assert LOCKED_ZH in messages(page)
    assert "15 分钟" in messages(page)

    # The right password is refused while the account is locked.
    sign_in(page, live_server.url, "editor", PASSWORD)
    assert LOCKED_ZH in messages(page)
    assert page.url.endswith("/admin/login/")

    # A quarter of an hour later (the failures moved back in time), it is accepted.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    sign_in(page, live_server.url, "editor", PASSWORD)
    assert page.url.endswith("/admin/")
    context.close()


def test_an_admin_unlocks_a_locked_account(browser, live_server, csp_watch):
    user_in_role("Farm managers", username="manager")
    superuser = get_user_model().objects.create_superuser("root", "root@huagu.example", "x")
    phone = csp_watch.watch(browser.new_context(locale="en-GB"))
    page = phone.new_page()
    for _ in range(3):
        sign_in(page, live_server.url, "manager", "wrong-password")
    sign_in(page, live_server.url, "manager", PASSWORD)
    assert "Too many failed sign-ins" in messages(page)
    assert page.url.endswith("/admin/login/")

    # The superuser, already signed in elsewhere, unlocks the account.
    client = Client()
    client.force_login(superuser)
    desk = csp_watch.watch(browser.new_context(locale="en-GB"))
    desk.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    admin = desk.new_page()
    admin.goto(f"{live_server.url}/admin/lockouts/")
    assert admin.locator("td form button", has_text="127.0.0.1").count() == 1
    admin.locator("td form button", has_text="manager").click()
    admin.wait_for_load_state()
    # The address was locked by this account's failures alone: they are forgotten with it.
    assert admin.locator("td form button").count() == 0
    desk.close()

    sign_in(page, live_server.url, "manager", PASSWORD)
    assert page.url.endswith("/admin/")
    phone.close()
