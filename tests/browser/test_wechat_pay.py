"""Paying with WeChat Pay in Chromium, against the fake WeChat Pay on loopback.

Inside WeChat's browser (its user agent, a 375 px phone) the tourist books two tickets,
the official account's OAuth gives the openid, and WeChat's payment sheet (played here
by a stand-in ``WeixinJSBridge`` that checks the page's signature as WeChat would) pays;
the tourist lands on the QR tickets. On a desktop the order's page shows the Native QR
code and turns to the tickets by itself once the code has been paid on a phone.
"""

import base64
import datetime
import re
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.qr import read_qr
from tests.tickets.factories import SlotFactory, TicketTypeFactory
from tourism.tickets.models import Order
from tourism.tickets.rules import BookingRules

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
WECHAT_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 "
    "MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 "
    "Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
DESKTOP_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
# WeChat's in-app browser provides WeixinJSBridge; here it hands the request to the test.
BRIDGE = """
window.WeixinJSBridge = {
  invoke: function (name, request, done) {
    window.wechatPaymentSheet(name, request).then(function (ok) {
      done({ err_msg: ok ? "get_brand_wcpay_request:ok" : "get_brand_wcpay_request:fail" });
    });
  },
};
"""


@pytest.fixture
def visit():
    TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    day = timezone.localdate() + datetime.timedelta(days=7)
    SlotFactory(date=day, starts_at=datetime.time(9), ends_at=datetime.time(10), capacity=40)
    return day


def book_two_adults(page, base: str, day: datetime.date, *, confirm="确认并支付") -> None:
    page.goto(f"{base}/tickets/?date={day:%Y-%m-%d}")
    page.get_by_label(re.compile("09:00")).check()
    page.get_by_label("成人票").fill("2")
    page.get_by_label("手机号码").fill("138 0000 2001")
    page.get_by_label("姓名").fill("演示游客")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name=confirm).click()


def test_inside_wechat_a_tourist_pays_through_jsapi_and_sees_the_qr_tickets(
    browser, live_server, csp_watch, fake_wechat_pay, wechat_merchant_key, visit
):
    fake = fake_wechat_pay
    context = csp_watch.watch(
        browser.new_context(viewport=PHONE, locale="zh-CN", user_agent=WECHAT_ANDROID)
    )
    sheets = []

    def payment_sheet(name, request):
        # WeChat checks the page's signature with the merchant's key before it pays.
        signed = "\n".join(
            [request["appId"], request["timeStamp"], request["nonceStr"], request["package"]]
        )
        wechat_merchant_key.public_key().verify(
            base64.b64decode(request["paySign"]),
            f"{signed}\n".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        out_trade_no = fake.out_trade_no_for(request["package"].removeprefix("prepay_id="))
        fake.pay(out_trade_no, notify=True)
        sheets.append((name, out_trade_no))
        return True

    context.expose_function("wechatPaymentSheet", payment_sheet)
    context.add_init_script(BRIDGE)
    page = context.new_page()
    rules = BookingRules.current()
    rules.offer_pay_at_gate = True
    rules.save()

    # The summary offers WeChat Pay first inside WeChat, and paying at the gate.
    page.goto(f"{live_server.url}/tickets/?date={visit:%Y-%m-%d}")
    page.get_by_label(re.compile("09:00")).check()
    page.get_by_label("成人票").fill("2")
    page.get_by_label("手机号码").fill("138 0000 2001")
    page.get_by_label("姓名").fill("演示游客")
    page.get_by_role("button", name="下一步").click()
    options = page.locator(".pay-option")
    # The click only starts the navigation: wait for the summary before reading it.
    expect(options).to_have_count(2)
    assert [" ".join(t.split()) for t in options.all_inner_texts()] == ["微信支付", "到园付款"]
    assert page.get_by_label("微信支付").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="确认预订").click()
    page.wait_for_url(re.compile(r"/tickets/order/[^/]+/\?paid=1$"))

    order = Order.objects.get()
    assert order.status == Order.Status.PAID
    assert [name for name, _ in sheets] == ["getBrandWCPayRequest"]
    [(url, status, _body)] = fake.deliveries
    assert url.endswith("/payments/wechat/notify/") and status == 204
    assert fake.calls_to("POST", "/v3/pay/transactions/jsapi")[0].body["payer"]["openid"] == (
        fake.openid
    )
    cards = page.locator(".ticket-card")
    assert cards.count() == 2
    codes = set(order.tickets.values_list("code", flat=True))
    assert set(cards.locator(".ticket-card__code").all_inner_texts()) == codes
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_desktop_the_native_qr_code_turns_into_the_tickets_once_paid(
    browser, live_server, csp_watch, fake_wechat_pay, visit
):
    fake = fake_wechat_pay
    context = csp_watch.watch(
        browser.new_context(viewport=DESKTOP, locale="zh-CN", user_agent=DESKTOP_CHROME)
    )
    page = context.new_page()

    book_two_adults(page, live_server.url, visit)
    page.wait_for_url(re.compile(r"/pay/wechat/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "微信支付"
    order = Order.objects.get()
    payment = order.payments.get()
    shown = read_qr(browser, page.locator(".wechat-pay__qr svg").screenshot())
    assert shown == payment.details["code_url"]
    assert "正在等待付款" in page.locator("[data-wechat-pay-status]").inner_text()

    # The tourist scans it with WeChat on a phone and pays; no notification arrives yet.
    fake.pay(payment.provider_reference)

    page.wait_for_url(re.compile(r"/tickets/order/[^/]+/\?paid=1$"))
    assert page.locator(".ticket-card").count() == 2
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
