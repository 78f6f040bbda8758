"""Sign-in throttling: wrong passwords lock the account and the address for a cool-off."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.tickets.factories import PASSWORD, user_in_role
from tourism.security.logins import lockouts_current

LOGIN = "/admin/login/"
LOCKOUTS = "/admin/lockouts/"
ATTACKER = "203.0.113.66"


@pytest.fixture(autouse=True)
def throttle(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


@pytest.fixture
def editor(db):
    return user_in_role("Editors", username="editor")


def sign_in(client: Client, username: str, password: str, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int) -> list[int]:
    return [sign_in(client, username, "wrong-password").status_code for _ in range(times)]


def cool_off_passes():
    """Time travel: every failure happened a little over one cool-off ago."""
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )


def test_wrong_passwords_lock_the_account_and_say_how_long_to_wait(editor):
    client = Client(REMOTE_ADDR=ATTACKER)

    statuses = fail(client, "editor", 3)
    locked = sign_in(client, "editor", "wrong-password")

    assert statuses == [200, 200, 429]
    assert locked.status_code == 429
    assert 1 <= int(locked["Retry-After"]) <= 15 * 60
    # The sign-in page again, in Chinese first, naming the wait.
    text = locked.content.decode()
    assert 'action="/admin/login/"' in text
    assert "登录失败次数过多" in text
    assert "15 分钟" in text


def test_the_message_is_in_english_for_an_english_browser(editor):
    client = Client(REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE="en")
    fail(client, "editor", 3)

    locked = sign_in(client, "editor", "wrong-password")

    assert "Too many failed sign-ins" in locked.content.decode()
    assert "Try again in 15 minutes" in locked.content.decode()


def test_the_right_password_is_refused_while_locked(editor):
    client = Client(REMOTE_ADDR=ATTACKER)
    fail(client, "editor", 3)

    response = sign_in(client, "editor", PASSWORD)

    assert response.status_code == 429
    assert not signed_in(client)


def test_the_account_is_locked_from_every_address(editor):
    fail(Client(REMOTE_ADDR=ATTACKER), "editor", 3)

    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    response = sign_in(elsewhere, "editor", PASSWORD)

    assert response.status_code == 429
    assert not signed_in(elsewhere)


def test_the_address_is_locked_for_every_account(editor):
    client = Client(REMOTE_ADDR=ATTACKER)
    for name in ("alice", "bob", "carol"):
        sign_in(client, name, "guess")

    from_attacker = sign_in(client, "editor", PASSWORD)
    from_elsewhere = Client(REMOTE_ADDR="198.51.100.9")

    assert from_attacker.status_code == 429
    assert sign_in(from_elsewhere, "editor", PASSWORD).status_code == 302
    assert signed_in(from_elsewhere)


def test_a_forwarded_for_header_does_not_change_the_address_counted(editor):
    """The API's rule: REMOTE_ADDR only, whatever X-Forwarded-For a client writes."""
    client = Client(REMOTE_ADDR=ATTACKER)
    for n, name in enumerate(("alice", "bob", "carol")):
        sign_in(client, name, "guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() == 3
    assert sign_in(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_the_right_password_is_accepted_after_the_cool_off(editor):
    client = Client(REMOTE_ADDR=ATTACKER)
    fail(client, "editor", 3)
    assert sign_in(client, "editor", PASSWORD).status_code == 429

    cool_off_passes()
    response = sign_in(client, "editor", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_fewer_failures_than_the_limit_lock_nothing(editor):
    client = Client(REMOTE_ADDR=ATTACKER)

    assert fail(client, "editor", 2) == [200, 200]
    assert sign_in(client, "editor", PASSWORD).status_code == 302


# --- unlocking --------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@huagu.example", "x")


def test_a_superuser_sees_the_lockouts_and_unlocks_an_account(editor, superuser):
    fail(Client(REMOTE_ADDR=ATTACKER), "editor", 3)
    admin = Client()
    admin.force_login(superuser)

    listing = admin.get(LOCKOUTS)
    unlocked = admin.post(LOCKOUTS, {"kind": "username", "value": "editor"})

    assert listing.status_code == 200
    assert "editor" in listing.content.decode()
    assert ATTACKER in listing.content.decode()
    assert unlocked.status_code == 302
    assert not AccessAttempt.objects.filter(username="editor").exists()
    assert sign_in(Client(REMOTE_ADDR="198.51.100.9"), "editor", PASSWORD).status_code == 302
    assert lockouts_current() == []


def test_a_superuser_unlocks_an_address(editor, superuser):
    client = Client(REMOTE_ADDR=ATTACKER)
    for name in ("alice", "bob", "carol"):
        sign_in(client, name, "guess")
    admin = Client()
    admin.force_login(superuser)

    admin.post(LOCKOUTS, {"kind": "ip_address", "value": ATTACKER})

    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_the_lockouts_page_is_in_the_settings_menu_of_superusers_only(editor, superuser):
    admin = Client()
    admin.force_login(superuser)
    staff = Client()
    staff.force_login(editor)

    assert reverse("tourism_lockouts") in admin.get("/admin/").content.decode()
    assert reverse("tourism_lockouts") not in staff.get("/admin/").content.decode()


@pytest.mark.parametrize("role", ["Editors", "Farm managers", "Gate staff", "Officials"])
def test_staff_who_are_not_superusers_cannot_see_or_unlock(editor, role):
    fail(Client(REMOTE_ADDR=ATTACKER), "editor", 3)
    staff = Client()
    staff.force_login(user_in_role(role))

    assert staff.get(LOCKOUTS).status_code in (302, 403)
    assert staff.post(LOCKOUTS, {"kind": "username", "value": "editor"}).status_code in (302, 403)
    assert AccessAttempt.objects.filter(username="editor").exists()


def test_the_reset_command_unlocks_an_account(editor):
    fail(Client(REMOTE_ADDR=ATTACKER), "editor", 3)

    call_command("axes_reset_username", "editor")

    assert sign_in(Client(REMOTE_ADDR="198.51.100.9"), "editor", PASSWORD).status_code == 302


def test_an_ipv6_client_is_counted_by_its_64_bit_network_as_in_the_api(editor):
    for n, name in enumerate(("alice", "bob", "carol")):
        sign_in(Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1}"), name, "guess")

    same_network = Client(REMOTE_ADDR="2001:db8:1:2:ffff::9")
    other_network = Client(REMOTE_ADDR="2001:db8:1:3::1")

    assert sign_in(same_network, "editor", PASSWORD).status_code == 429
    assert sign_in(other_network, "editor", PASSWORD).status_code == 302
    assert lockouts_current()[0].value == "2001:db8:1:2::"
