"""Paying with WeChat Pay (API v3), against a fake WeChat Pay on loopback.

The fake checks every request's signature with the merchant's public key and signs its
answers and notifications with a key of its own, so the client's signing, verifying and
decrypting are exercised as in production. Keys are generated here. The tourist books
through the public pages; ``fake.pay`` is the tourist paying in WeChat.
"""

import base64
import datetime
import json
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.test import Client
from django.utils import timezone

from tourism.tickets import services
from tourism.tickets.models import Order, OrderLog, Payment, ProcessedEvent, Refund, Slot
from tourism.tickets.payments import get_provider
from tourism.tickets.payments.wechat import WeChatPayProvider, fen

NOTIFY_URL = "/payments/wechat/notify/"
REFUND_NOTIFY_URL = "/payments/wechat/refund-notify/"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
WECHAT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Chrome/116.0 Mobile Safari/537.36 "
    "MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 NetType/WIFI Language/zh_CN"
)


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake(fake_wechat_pay):
    return fake_wechat_pay


@pytest.fixture
def merchant_key(wechat_merchant_key):
    return wechat_merchant_key


@pytest.fixture
def slot(slot_factory):
    return slot_factory(capacity=10)


@pytest.fixture
def book(book_in_browser):
    def post(slot, *, agent=DESKTOP, **kwargs):
        return book_in_browser(slot, agent=agent, **kwargs)

    return post


def pending_order(email="lihua@example.com") -> Order:
    return Order.objects.select_related("slot").get(contact_email=email)


def trade_of(order: Order) -> str:
    return order.payments.exclude(provider_reference=None).get().provider_reference


def notify(client: Client, body: bytes, headers: dict, url: str = NOTIFY_URL):
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return client.post(url, data=body, content_type="application/json", **extra)


def opened_on_desktop(book, slot) -> SimpleNamespace:
    """Booked on a desktop: the WeChat Pay page with its Native QR code."""
    booked = book(slot)
    order = pending_order()
    assert booked.response.status_code == 302
    assert booked.response["Location"].endswith(f"/tickets/order/{order.token}/pay/wechat/")
    page = booked.client.get(booked.response["Location"])
    assert page.status_code == 200
    return SimpleNamespace(client=booked.client, order=order, page=page, trade=trade_of(order))


# --- choosing the provider, amounts -------------------------------------------------------


def test_wechat_pay_is_the_provider_once_every_merchant_setting_is_given(fake, settings):
    assert get_provider().name == "wechat_pay"
    settings.WECHAT_PAY_APIV3_KEY = ""
    assert get_provider().name == "gate"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.01", 1),
        ("0.29", 29),  # 0.29 * 100 is 28.999… in binary floating point
        ("19.99", 1999),
        ("59.97", 5997),
        ("1.005", 101),
        ("1184053.20", 118405320),
    ],
)
def test_amounts_in_fen_are_never_off_by_one(amount, expected):
    assert fen(Decimal(amount)) == expected


# --- the three ways to pay ----------------------------------------------------------------


def test_on_a_desktop_the_native_qr_code_is_shown_and_the_page_sees_it_paid(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    order = opened.order

    assert 'class="qr"' in opened.page.text
    trade = fake.transaction(opened.trade)
    assert trade["trade_type"] == "NATIVE"
    assert trade["amount"]["total"] == 15000
    expires = datetime.datetime.fromisoformat(trade["time_expire"])
    assert expires < order.hold_expires_at  # the places outlast the payment
    status_url = f"/tickets/order/{order.token}/pay/wechat/status/"
    assert opened.client.get(status_url).json() == {"status": "pending", "paid": False}

    fake.pay(opened.trade)

    assert opened.client.get(status_url).json() == {"status": "paid", "paid": True}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.tickets.count() == 3
    payment = order.payments.get()
    assert payment.provider_payment_id == fake.transaction(opened.trade)["transaction_id"]


def test_a_second_visit_shows_the_same_qr_code(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    again = opened.client.get(f"/tickets/order/{opened.order.token}/pay/wechat/")
    assert again.status_code == 200
    assert len(fake.calls_to("POST", "/v3/pay/transactions/native")) == 1
    assert opened.order.payments.count() == 1


def test_in_a_phone_browser_the_tourist_goes_to_the_h5_cashier_and_back(fake, book, slot):
    booked = book(slot, agent=PHONE)
    order = pending_order()
    cashier = booked.client.get(booked.response["Location"])

    assert cashier.status_code == 302
    location = urlsplit(cashier["Location"])
    assert cashier["Location"].startswith(f"{fake.url}/h5pay/")
    back = parse_qs(location.query)["redirect_url"][0]
    assert back == f"http://testserver/tickets/order/{order.token}/?paid=1"
    [call] = fake.calls_to("POST", "/v3/pay/transactions/h5")
    assert call.body["scene_info"]["payer_client_ip"] == "127.0.0.1"

    fake.pay(trade_of(order))
    page = booked.client.get(f"/tickets/order/{order.token}/?paid=1")

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert page.text.count("ticket-card__code") == 3


def test_inside_wechat_the_openid_comes_from_oauth_and_the_page_gets_signed_jsapi_parameters(
    fake, book, slot, merchant_key
):
    booked = book(slot, agent=WECHAT)
    order = pending_order()
    pay_page = booked.response["Location"]

    to_oauth = booked.client.get(pay_page)
    assert to_oauth.status_code == 302
    authorize = urlsplit(to_oauth["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == fake.url
    assert authorize.path == "/connect/oauth2/authorize"
    assert authorize.fragment == "wechat_redirect"
    query = parse_qs(authorize.query)
    assert query["scope"] == ["snsapi_base"] and query["appid"] == [fake.appid]

    # WeChat sends the tourist back with a code (the fake's authorize answers the redirect).
    back = requests.get(to_oauth["Location"].split("#")[0], allow_redirects=False, timeout=5)
    callback = urlsplit(back.headers["Location"])
    assert callback.path == f"/tickets/order/{order.token}/pay/wechat/oauth/"
    returned = booked.client.get(f"{callback.path}?{callback.query}")
    assert returned.status_code == 302
    page = booked.client.get(returned["Location"])

    assert page.status_code == 200
    parameters = page.context["jsapi"]
    [call] = fake.calls_to("POST", "/v3/pay/transactions/jsapi")
    assert call.body["payer"]["openid"] == fake.openid
    prepay_id = order.payments.get().details["prepay_id"]
    assert parameters["package"] == f"prepay_id={prepay_id}"
    signed = "\n".join(
        [
            parameters["appId"],
            parameters["timeStamp"],
            parameters["nonceStr"],
            parameters["package"],
        ]
    )
    merchant_key.public_key().verify(
        base64.b64decode(parameters["paySign"]),
        f"{signed}\n".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert '<script id="wechat-pay-jsapi" type="application/json">' in page.text

    # The code was used once: the same return again is refused, nothing paid.
    again = booked.client.get(f"{callback.path}?{callback.query}")
    assert again.status_code == 400


def test_an_oauth_return_with_another_state_is_refused(fake, book, slot):
    booked = book(slot, agent=WECHAT)
    order = pending_order()
    booked.client.get(booked.response["Location"])
    response = booked.client.get(
        f"/tickets/order/{order.token}/pay/wechat/oauth/?code=abc&state=forged"
    )
    assert response.status_code == 400
    assert "wechat_openid" not in booked.client.session


def test_paid_twice_the_second_payment_goes_straight_back(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    order = opened.order
    phone = Client(HTTP_USER_AGENT=PHONE)
    phone.get(f"/tickets/order/{order.token}/pay/wechat/")
    native, h5 = order.payments.order_by("pk")
    assert (native.details["kind"], h5.details["kind"]) == ("native", "h5")

    for payment in (native, h5):
        fake.pay(payment.provider_reference)
        body, headers = fake.transaction_notification(payment.provider_reference)
        assert notify(Client(), body, headers).status_code == 204

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount, refund.reason) == (h5.pk, 150, "paid_twice")
    assert fake.refunds_of(h5.provider_reference)[0]["amount"]["refund"] == 15000
    assert fake.refunds_of(native.provider_reference) == []


# --- notifications ------------------------------------------------------------------------


def test_a_notification_is_verified_decrypted_and_the_trade_queried_before_the_order_changes(
    fake, book, slot
):
    opened = opened_on_desktop(book, slot)
    fake.pay(opened.trade)
    body, headers = fake.transaction_notification(opened.trade)
    queries_before = len(fake.calls_to("GET", f"/v3/pay/transactions/out-trade-no/{opened.trade}"))

    response = notify(Client(), body, headers)

    assert response.status_code == 204
    queries = fake.calls_to("GET", f"/v3/pay/transactions/out-trade-no/{opened.trade}")
    assert len(queries) == queries_before + 1
    opened.order.refresh_from_db()
    assert opened.order.status == Order.Status.PAID


def test_a_replayed_notification_changes_nothing(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    fake.pay(opened.trade)
    body, headers = fake.transaction_notification(opened.trade)

    first = notify(Client(), body, headers)
    second = notify(Client(), body, headers)

    assert (first.status_code, second.status_code) == (204, 204)
    assert ProcessedEvent.objects.filter(provider="wechat_pay").count() == 1
    logged = OrderLog.objects.filter(order=opened.order, action="paid")
    assert logged.count() == 1


def test_a_notification_claiming_a_payment_wechat_pay_does_not_confirm_changes_nothing(
    fake, book, slot
):
    # Genuinely signed (say, replayed from another merchant's test), but the trade is unpaid.
    opened = opened_on_desktop(book, slot)
    resource = {**fake.transaction(opened.trade), "trade_state": "SUCCESS"}
    body, headers = fake.notification("TRANSACTION.SUCCESS", resource)

    assert notify(Client(), body, headers).status_code == 204

    opened.order.refresh_from_db()
    assert opened.order.status == Order.Status.PENDING


def test_a_trade_paid_for_another_amount_never_pays_the_order(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    fake.transactions[opened.trade]["amount"]["total"] = 14999  # one fen short
    fake.pay(opened.trade)
    body, headers = fake.transaction_notification(opened.trade)

    assert notify(Client(), body, headers).status_code == 503
    opened.order.refresh_from_db()
    assert opened.order.status == Order.Status.PENDING
    assert not ProcessedEvent.objects.exists()


def forged_variants(fake, trade: str) -> dict:
    body, headers = fake.transaction_notification(trade)
    envelope = json.loads(body)
    ciphertext = bytearray(base64.b64decode(envelope["resource"]["ciphertext"]))
    ciphertext[0] ^= 0x01
    envelope["resource"]["ciphertext"] = base64.b64encode(bytes(ciphertext)).decode()
    tampered_body, tampered_headers = fake.sign_body(json.dumps(envelope).encode())
    return {
        "body changed after signing": (body.replace(b"SUCCESS", b"SUCCESs"), headers),
        "signed with another key": fake.transaction_notification(trade, key=new_key()),
        "no signature": (body, {"Content-Type": "application/json"}),
        "ciphertext tampered, then signed": (tampered_body, tampered_headers),
        "too old": fake.transaction_notification(
            trade, timestamp=int(timezone.now().timestamp()) - 900
        ),
    }


def test_forged_wrongly_keyed_tampered_or_stale_notifications_are_refused(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    fake.pay(opened.trade)

    for name, (body, headers) in forged_variants(fake, opened.trade).items():
        response = notify(Client(), body, headers)
        assert response.status_code == 401, name
        assert response.json()["code"] == "FAIL"

    opened.order.refresh_from_db()
    assert opened.order.status == Order.Status.PENDING
    assert not ProcessedEvent.objects.exists()


def test_a_notification_for_an_unknown_trade_is_received_and_ignored(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    resource = {**fake.transaction(opened.trade), "out_trade_no": "NOT-HUAGU-0001"}
    body, headers = fake.notification("TRANSACTION.SUCCESS", resource)

    assert notify(Client(), body, headers).status_code == 204
    assert not ProcessedEvent.objects.exists()
    opened.order.refresh_from_db()
    assert opened.order.status == Order.Status.PENDING


def test_while_wechat_pay_cannot_be_queried_the_notification_is_asked_for_again(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    fake.pay(opened.trade)
    body, headers = fake.transaction_notification(opened.trade)

    with fake.outage("/v3/pay/transactions/out-trade-no/"):
        failed = notify(Client(), body, headers)
    assert failed.status_code == 503
    assert not ProcessedEvent.objects.exists()

    assert notify(Client(), body, headers).status_code == 204
    opened.order.refresh_from_db()
    assert opened.order.status == Order.Status.PAID


# --- late payments and refunds ------------------------------------------------------------


@pytest.fixture
def late_payment(fake, book, slot_factory):
    """Paid in WeChat in the payment's last second; the hold ran out and the slot filled."""
    slot = slot_factory(capacity=3)
    opened = opened_on_desktop(book, slot)
    fake.pay(opened.trade)
    Order.objects.filter(pk=opened.order.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    book(slot, adults=3, children=0, email="other@example.com")
    order = Order.objects.get(pk=opened.order.pk)
    assert order.status == Order.Status.EXPIRED
    return SimpleNamespace(order=order, trade=opened.trade, slot=slot)


def test_a_payment_after_the_hold_expired_on_a_full_slot_is_refunded_and_the_tourist_told_why(
    client, fake, late_payment
):
    body, headers = fake.transaction_notification(late_payment.trade)

    assert notify(Client(), body, headers).status_code == 204

    late = Order.objects.get(pk=late_payment.order.pk)
    assert late.status == Order.Status.REFUNDED
    refund = Refund.objects.get(payment__order=late)
    assert (refund.amount, refund.reason) == (150, "sold_out_after_hold_expired")
    [refunded] = fake.refunds_of(late_payment.trade)
    assert refunded["amount"] == {**refunded["amount"], "refund": 15000, "total": 15000}
    assert refund.provider_reference == refunded["refund_id"]
    assert Slot.objects.get(pk=late_payment.slot.pk).taken == 3
    page = client.get(f"/en/tickets/order/{late.token}/")
    assert "in the meantime that time sold out. We have refunded the full amount" in page.text


def test_a_refund_retried_refunds_once(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    fake.pay(opened.trade)
    WeChatPayProvider().sync(opened.order)
    payment = Payment.objects.get(order=opened.order)
    provider = WeChatPayProvider()

    first = provider.refund(
        payment, amount=Decimal("60.00"), idempotency_key=f"refund-{payment.pk}"
    )
    again = provider.refund(
        payment, amount=Decimal("60.00"), idempotency_key=f"refund-{payment.pk}"
    )

    assert first == again
    [refunded] = fake.refunds_of(opened.trade)
    assert refunded["amount"]["refund"] == 6000


def test_cancelling_a_paid_order_refunds_it_through_wechat_pay_and_the_refund_is_confirmed(
    fake, book, slot
):
    opened = opened_on_desktop(book, slot)
    fake.pay(opened.trade)
    WeChatPayProvider().sync(opened.order)
    order = Order.objects.get(pk=opened.order.pk)

    services.order_cancel(order=order)

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    refund = Refund.objects.get(payment__order=order)
    [refunded] = fake.refunds_of(opened.trade)
    assert refunded["refund_id"] == refund.provider_reference
    assert refunded["amount"]["refund"] == fen(order.total)

    body, headers = fake.refund_notification(refunded["out_refund_no"])
    assert notify(Client(), body, headers, url=REFUND_NOTIFY_URL).status_code == 204
    assert OrderLog.objects.filter(order=order, action="refund_confirmed").count() == 1


def test_a_cancelled_unpaid_order_closes_its_trade(fake, book, slot):
    opened = opened_on_desktop(book, slot)

    services.order_cancel(order=opened.order)

    assert fake.transaction(opened.trade)["trade_state"] == "CLOSED"
    assert Payment.objects.get(order=opened.order).status == Payment.Status.EXPIRED


# --- what the tourist sees when something is off ------------------------------------------


def test_when_wechat_pay_is_down_the_page_says_so_and_nothing_is_charged(fake, book, slot):
    booked = book(slot)
    order = pending_order()
    with fake.outage("/v3/pay/transactions/"):
        page = booked.client.get(booked.response["Location"])
    assert page.status_code == 503
    assert "nothing was charged" in page.text or "未产生任何扣款" in page.text
    assert Payment.objects.get(order=order).provider_reference is None


def test_the_pay_page_of_a_paid_or_unknown_order(fake, book, slot):
    opened = opened_on_desktop(book, slot)
    fake.pay(opened.trade)
    WeChatPayProvider().sync(opened.order)

    paid = opened.client.get(f"/tickets/order/{opened.order.token}/pay/wechat/")
    assert paid.status_code == 302
    assert paid["Location"].endswith(f"/tickets/order/{opened.order.token}/")
    assert opened.client.get("/tickets/order/nope/pay/wechat/").status_code == 404
    assert opened.client.get("/tickets/order/nope/pay/wechat/status/").status_code == 404
