"""The gate check-in page: who may use it, and what it answers for each kind of ticket."""

import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import html5lib
import pytest
import segno
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from PIL import Image

from tests.tickets.factories import (
    PASSWORD,
    TicketTypeFactory,
    UserFactory,
    order_for,
    user_in_role,
    whole_day_slot,
)
from tourism.tickets import services
from tourism.tickets.models import Order, Payment, Ticket
from tourism.tickets.signing import ticket_payload

GATE = "/gate/"
# Answers are read in English, so that the assertions hold whatever the Chinese catalog says.
CHECK_IN = "/en/gate/check-in/"


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def fares(db):
    return SimpleNamespace(
        adult=TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00")),
        child=TicketTypeFactory(name="儿童票", name_en="Child", price=Decimal("30.00")),
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def today_slot(db, today):
    return whole_day_slot(today)


@pytest.fixture
def gatekeeper(db):
    return user_in_role("Gate staff", username="gatekeeper")


@pytest.fixture
def gate_client(gatekeeper):
    client = Client()
    client.force_login(gatekeeper)
    return client


def scan(client: Client, payload: str, **extra):
    """What gate.js does with a code the camera read."""
    return client.post(
        CHECK_IN, data=json.dumps({"payload": payload}), content_type="application/json", **extra
    )


def scan_ticket(client: Client, ticket: Ticket):
    response = scan(client, ticket_payload(ticket.code))
    assert response.status_code == 200, response.content
    return response.json()


def counts_on_page(html: str) -> tuple[int, int]:
    expected = re.search(r"data-gate-expected>(\d+)<", html)
    arrived = re.search(r"data-gate-arrived>(\d+)<", html)
    return int(expected.group(1)), int(arrived.group(1))


# --- who may use the gate ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/gate/", "/en/gate/"])
def test_anonymous_visitor_is_sent_to_the_admin_sign_in(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


@pytest.mark.parametrize("role", ["Officials", "Farm managers", "Editors"])
def test_staff_without_the_gate_permission_are_refused(db, role, fares, today_slot):
    ticket = order_for(today_slot, {fares.adult: 1}).tickets.get()
    client = Client()
    client.force_login(user_in_role(role))

    page = client.get(GATE)
    typed = client.post(GATE, {"code": ticket.code})
    scanned = scan(client, ticket_payload(ticket.code))

    assert page.status_code == 403
    assert typed.status_code == 403
    assert scanned.status_code == 403
    assert scanned.json()["result"] == "error"
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_anonymous_scan_is_refused_with_a_message(client, db, fares, today_slot):
    ticket = order_for(today_slot, {fares.adult: 1}).tickets.get()

    response = scan(client, ticket_payload(ticket.code))

    assert response.status_code == 403
    assert response.json()["message"]
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_gate_staff_see_the_check_in_page(gate_client):
    response = gate_client.get("/en/gate/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Gate check-in</h1>" in html
    assert 'name="code"' in html and 'name="csrfmiddlewaretoken"' in html
    assert 'aria-live="assertive"' in html
    assert "js/gate.js" in html and "vendor/jsqr/jsQR.js" in html
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-cache" in response["Cache-Control"]


def test_scanner_posts_to_the_check_in_of_the_page_language(gate_client):
    chinese = gate_client.get("/gate/").content.decode()
    english = gate_client.get("/en/gate/").content.decode()

    assert 'data-check-in-url="/gate/check-in/"' in chinese
    assert 'data-check-in-url="/en/gate/check-in/"' in english


def test_gate_page_is_well_formed_html(gate_client):
    response = gate_client.get(GATE)

    parser = html5lib.HTMLParser(strict=True)
    parser.parse(response.content)  # raises on any parse error


def test_superuser_may_use_the_gate(db):
    client = Client()
    client.force_login(
        get_user_model().objects.create_superuser("root", "root@huagu.example", "pw")
    )

    assert client.get(GATE).status_code == 200


def test_gate_staff_role_holds_the_check_in_permission(gatekeeper):
    assert gatekeeper.has_perm("tourism.check_in_ticket")
    assert not UserFactory().has_perm("tourism.check_in_ticket")


# --- what a scan answers ---------------------------------------------------------------


def test_valid_ticket_is_admitted_and_records_who_and_when(
    gate_client, gatekeeper, fares, today_slot
):
    order = order_for(today_slot, {fares.adult: 1, fares.child: 1})
    ticket = order.tickets.first()
    before = timezone.now()

    answer = scan_ticket(gate_client, ticket)

    assert answer["result"] == "valid"
    assert answer["label"] == "Valid: admit"
    assert answer["ticket"]["code"] == ticket.code
    assert answer["ticket"]["order"] == order.reference
    ticket.refresh_from_db()
    assert ticket.checked_in_by == gatekeeper
    assert before <= ticket.checked_in_at <= timezone.now()
    assert order.log.filter(action="checked_in", user=gatekeeper).exists()


def test_second_scan_says_already_used_naming_when_and_by_whom(gate_client, fares, today_slot):
    ticket = order_for(today_slot, {fares.adult: 1}).tickets.get()
    scan_ticket(gate_client, ticket)
    ticket.refresh_from_db()
    first_admitted_at = ticket.checked_in_at

    answer = scan_ticket(gate_client, ticket)

    assert answer["result"] == "used"
    when = timezone.localtime(first_admitted_at).strftime("%H:%M:%S")
    assert when in answer["message"]
    assert "gatekeeper" in answer["message"]
    assert answer["ticket"]["checked_in_by"] == "gatekeeper"
    ticket.refresh_from_db()
    assert ticket.checked_in_at == first_admitted_at


def test_ticket_for_another_day_is_not_for_today(gate_client, fares, today):
    tomorrow = today + datetime.timedelta(days=1)
    yesterday = today - datetime.timedelta(days=1)
    later = order_for(whole_day_slot(tomorrow), {fares.adult: 1}).tickets.get()
    # Booked yesterday for yesterday, as the service saw it then.
    earlier = order_for(
        whole_day_slot(yesterday),
        {fares.adult: 1},
        now=timezone.now() - datetime.timedelta(days=1),
    ).tickets.get()

    for ticket, date in [(later, tomorrow), (earlier, yesterday)]:
        answer = scan_ticket(gate_client, ticket)
        assert answer["result"] == "wrong_date"
        assert date_format(date, "DATE_FORMAT") in answer["message"]
        ticket.refresh_from_db()
        assert ticket.checked_in_at is None

    # In Chinese the day reads as every other date at the gate does.
    with translation.override("zh-hans"):
        refused = services.ticket_check_in(payload=ticket_payload(later.code), user=None)
    assert f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日" in refused.message


def test_payload_with_a_wrong_signature_is_forged(gate_client, fares, today_slot):
    ticket = order_for(today_slot, {fares.adult: 1}).tickets.get()
    genuine = ticket_payload(ticket.code)
    forged = genuine[:-1] + ("B" if genuine.endswith("A") else "A")

    answer = scan(gate_client, forged).json()

    assert answer["result"] == "forged"
    assert answer["ticket"] is None
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


@pytest.mark.parametrize(
    "payload",
    [
        "ZZZZZZZZZZ",  # looks like a code, but no ticket has it
        "HG1.ZZZZZZZZZZ.ABCDEFGHIJKLMNOP",  # the ticket format, for no ticket
        "https://weixin.qq.com/r/some-other-qr-code",  # someone else's QR code
        "\x00\x01 binary junk \ud7ff",
    ],
)
def test_unknown_code_is_forged_or_unknown(gate_client, db, payload):
    response = scan(gate_client, payload)

    assert response.status_code == 200
    assert response.json()["result"] == "forged"


def test_gate_answers_in_the_language_of_its_page(gate_client, db):
    english = scan(gate_client, "ZZZZZZZZZZ").json()
    chinese = gate_client.post(
        "/gate/check-in/", data={"payload": "ZZZZZZZZZZ"}, content_type="application/json"
    ).json()

    assert english["label"] == "Forged or unknown"
    assert chinese["result"] == "forged"
    assert chinese["label"] != english["label"]
    assert chinese["message"] != english["message"]


def test_ticket_of_a_cancelled_order_is_not_valid(gate_client, gatekeeper, fares, today_slot):
    order = order_for(today_slot, {fares.adult: 1})
    services.order_cancel(order=order, user=gatekeeper)
    ticket = order.tickets.get()

    answer = scan_ticket(gate_client, ticket)

    assert answer["result"] == "not_valid"
    assert "Cancelled" in answer["message"]
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_pay_at_gate_order_is_paid_at_its_first_check_in(
    gate_client, gatekeeper, fares, today_slot
):
    order = order_for(today_slot, {fares.adult: 2, fares.child: 1})
    assert order.status == Order.Status.RESERVED
    first, second, _third = order.tickets.all()

    answer = scan_ticket(gate_client, first)

    assert answer["result"] == "valid"
    assert answer["collect"] == "150.00"
    assert answer["collect_text"] == "Collect ¥150.00"
    assert "¥150.00" in answer["message"]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    payment = order.payments.get()
    assert (payment.provider, payment.amount, payment.status, payment.taken_by) == (
        "gate",
        Decimal("150.00"),
        Payment.Status.SUCCEEDED,
        gatekeeper,
    )

    # The rest of the party is admitted without collecting again.
    answer = scan_ticket(gate_client, second)
    assert answer["result"] == "valid"
    assert answer["collect"] is None
    assert order.payments.count() == 1


# --- the page without JavaScript, and the counts ----------------------------------------


def test_typed_code_works_without_javascript(gatekeeper, gate_client, fares, today_slot):
    order = order_for(today_slot, {fares.adult: 1})
    ticket = order.tickets.get()

    # Typed by hand from the ticket, in lower case.
    response = gate_client.post("/en/gate/", {"code": ticket.code.lower()})

    assert response.status_code == 200
    html = response.content.decode()
    assert "gate-result--valid" in html
    assert "Valid: admit" in html
    assert "Collect ¥60.00" in html
    assert order.reference in html
    ticket.refresh_from_db()
    assert ticket.checked_in_by == gatekeeper

    again = gate_client.post("/en/gate/", {"code": ticket.code}).content.decode()
    assert "gate-result--used" in again and "Already used" in again


def test_typed_empty_code_asks_again_and_changes_nothing(gate_client, fares, today_slot):
    response = gate_client.post(GATE, {"code": "   "})

    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()


def test_page_and_scans_show_todays_expected_and_arrived(gate_client, gatekeeper, fares, today):
    slot = whole_day_slot(today)
    party = order_for(slot, {fares.adult: 2, fares.child: 1})
    order_for(slot, {fares.adult: 1})
    services.order_cancel(order=order_for(slot, {fares.adult: 2}), user=gatekeeper)
    order_for(whole_day_slot(today + datetime.timedelta(days=1)), {fares.adult: 4})

    assert counts_on_page(gate_client.get(GATE).content.decode()) == (4, 0)

    answer = scan_ticket(gate_client, party.tickets.first())
    assert (answer["expected"], answer["arrived"]) == (4, 1)
    answer = scan_ticket(gate_client, party.tickets.first())  # used: no second arrival
    assert (answer["expected"], answer["arrived"]) == (4, 1)
    assert counts_on_page(gate_client.get(GATE).content.decode()) == (4, 1)


# --- the JSON endpoint -----------------------------------------------------------------


def test_scan_needs_the_csrf_token_from_the_page(gatekeeper, fares, today_slot):
    ticket = order_for(today_slot, {fares.adult: 1}).tickets.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(gatekeeper)

    assert scan(client, ticket_payload(ticket.code)).status_code == 403

    page = client.get(GATE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = scan(client, ticket_payload(ticket.code), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["result"] == "valid"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{", "application/json"),
        ("[]", "application/json"),
        ('{"payload": 5}', "application/json"),
        ('{"payload": "   "}', "application/json"),
        ("[" * 50_000 + "]" * 50_000, "application/json"),
        ("", "application/x-www-form-urlencoded"),
    ],
)
def test_scan_without_a_code_is_a_400(gate_client, body, content_type):
    response = gate_client.post(CHECK_IN, data=body, content_type=content_type)

    assert response.status_code == 400
    assert response.json()["result"] == "error"


def test_scan_endpoint_accepts_only_post(gate_client):
    assert gate_client.get(CHECK_IN).status_code == 405


# --- in a phone's browser --------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


def camera_feed(path: Path, payload: str, *, width=640, height=480, frames=20) -> Path:
    """A Y4M video of a ticket's QR code, for Chromium's fake camera."""
    picture = Image.new("RGB", (width, height), (250, 250, 250))
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    qr = Image.open(buffer).convert("RGB")
    qr.thumbnail((400, 400))
    picture.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
    luma, blue, red = picture.convert("YCbCr").split()
    chroma = [plane.resize((width // 2, height // 2)) for plane in (blue, red)]
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + luma.tobytes() + b"".join(p.tobytes() for p in chroma))
    return path


@pytest.mark.browser
# Serialized rollback restores the role groups the migrations made, should an earlier
# transactional test have flushed them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_phone_signs_in_types_a_code_then_scans_with_the_camera(
    playwright, live_server, settings, tmp_path, csp_watch
):
    """Under the site's Content-Security-Policy and Permissions-Policy: any violation fails."""
    settings.STRIPE_SECRET_KEY = ""
    gatekeeper = user_in_role("Gate staff", username="gatekeeper")
    adult = TicketTypeFactory(name="成人票", name_en="Adult")
    typed, scanned = order_for(whole_day_slot(timezone.localdate()), {adult: 2}).tickets.all()
    feed = camera_feed(tmp_path / "ticket.y4m", ticket_payload(scanned.code))
    # "localhost" is a secure context without HTTPS, so the page may use the camera.
    base = live_server.url.replace("127.0.0.1", "localhost")

    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            "--no-sandbox",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={feed}",
        ],
    )
    try:
        phone = csp_watch.watch(browser.new_context(viewport={"width": 375, "height": 667}))
        page = phone.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        page.goto(f"{base}/en/gate/")
        page.fill("input[name=username]", "gatekeeper")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url("**/en/gate/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

        page.fill("input[name=code]", typed.code)
        page.click(".gate-form button[type=submit]")
        page.wait_for_selector("[data-gate-collect]:not([hidden])")
        assert page.url.endswith("/en/gate/")  # answered in place, no page load
        assert page.input_value("input[name=code]") == ""
        assert "Collect ¥120.00" in page.inner_text("#gate-result")

        page.click("[data-gate-toggle]")
        # Functions, not expressions: Playwright would eval an expression in the page,
        # which the page's policy forbids.
        page.wait_for_function(
            "() => document.querySelector('[data-gate-arrived]').textContent.trim() === '2'"
            " && document.querySelector('[data-gate-label]').textContent === 'Valid: admit'"
        )
        # The camera still sees the same ticket: after the pause it is already used.
        page.wait_for_function(
            "() => document.querySelector('[data-gate-message]').textContent"
            ".includes('by gatekeeper')",
            timeout=10_000,
        )
        assert "gate-result--used" in page.get_attribute("#gate-result", "class")
        assert errors == []
        # The Permissions-Policy lets the gate, and no other page, use the camera.
        assert page.evaluate("() => document.featurePolicy.allowsFeature('camera')") is True
        page.goto(f"{base}/en/tickets/")
        assert page.evaluate("() => document.featurePolicy.allowsFeature('camera')") is False
    finally:
        browser.close()

    scanned.refresh_from_db()
    assert scanned.checked_in_by == gatekeeper
