"""The fake Alipay checks signatures, keeps Alipay's states and signs what it says.

These tests talk to it with a small signing client of their own (written from Alipay's
published rules, not from the fake), so a mistake in the fake's checks shows up here
before it can hide one in the site's client.
"""

import base64
import csv
import io
import json
import threading
import zipfile
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.tickets.fake_alipay import FakeAlipay

APP_ID = "2021000000000001"
BEIJING = timezone(timedelta(hours=8))
NOTIFY_URL = "https://huagu.example/payments/alipay/notify/"
RETURN_URL = "https://huagu.example/payments/alipay/return/"


@pytest.fixture(scope="module")
def app_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake(app_key):
    pem = app_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    server = FakeAlipay(app_public_key_pem=pem).start()
    try:
        yield server
    finally:
        server.stop()


def signature(params: dict, key) -> str:
    """RSA2 over the non-empty parameters but sign, sorted, ``k=v`` joined by ``&``."""
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign" and v != "")
    signed = key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signed).decode()


@pytest.fixture
def params(app_key):
    """``params(method, biz, *, key=None, unsigned=False, **common)``: a signed request's parameters."""

    def build(method, biz, *, key=None, unsigned=False, **common):
        fields = {
            "app_id": APP_ID,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False),
            **common,
        }
        if not unsigned:
            fields["sign"] = signature(fields, key or app_key)
        return fields

    return build


@pytest.fixture
def call(fake, params):
    """``call(method, biz, **kwargs)``: a signed server call, answered as ``(response, text)``.

    ``tamper`` changes the parameters after they were signed.
    """

    def send(method, biz, *, tamper=None, **kwargs):
        fields = params(method, biz, **kwargs)
        if tamper:
            tamper(fields)
        answer = requests.post(fake.gateway, data=fields, timeout=5)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("application/json")
        return answer

    return send


def signed_text(answer, key: str) -> str:
    """The response object's text exactly as it stands in the body: what the sign covers."""
    text = answer.content.decode()
    start = text.index(f'"{key}":') + len(f'"{key}":')
    return text[start : text.rindex(',"sign":"')]


def response_of(answer, key: str) -> dict:
    return json.loads(signed_text(answer, key))


def answer_verifies(fake, answer, key: str) -> bool:
    return verifies(fake.alipay_public_key_pem, signed_text(answer, key), answer.json()["sign"])


def verifies(public_key_pem: bytes, content: str, sign: str) -> bool:
    try:
        serialization.load_pem_public_key(public_key_pem).verify(
            base64.b64decode(sign), content.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        return False
    return True


def callback_verifies(fake, fields: dict) -> bool:
    """Notifications and returns: signed over the non-empty fields but sign and sign_type."""
    content = "&".join(
        f"{k}={v}" for k, v in sorted(fields.items()) if k not in ("sign", "sign_type") and v != ""
    )
    return verifies(fake.alipay_public_key_pem, content, fields["sign"])


def page_biz(out_trade_no="HG20261206001", total="150.00", **fields):
    return {
        "out_trade_no": out_trade_no,
        "total_amount": total,
        "subject": "大地花谷-成人票",
        "product_code": "FAST_INSTANT_TRADE_PAY",
        **fields,
    }


def paid_trade(fake, out_trade_no="HG20261206001", total="150.00"):
    fake.open_trade("alipay.trade.page.pay", page_biz(out_trade_no, total), notify_url=NOTIFY_URL)
    return fake.pay(out_trade_no)


QUERY = "alipay_trade_query_response"
REFUND = "alipay_trade_refund_response"


def test_an_unsigned_or_wrongly_signed_call_is_refused_in_a_signed_answer(fake, call, app_key):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def tamper(fields):
        fields["biz_content"] = json.dumps({"out_trade_no": "HG-OTHER"})

    biz = {"out_trade_no": "HG20261206001"}
    for kwargs in ({"unsigned": True}, {"key": stranger}, {"tamper": tamper}):
        answer = call("alipay.trade.query", biz, **kwargs)
        body = response_of(answer, QUERY)
        assert (body["code"], body["msg"]) == ("40002", "Invalid Arguments")
        assert (body["sub_code"], body["sub_msg"]) == ("isv.invalid-signature", "验签出错")
        assert answer_verifies(fake, answer, QUERY)
    assert [c.signed_ok for c in fake.calls_to("alipay.trade.query")] == [False] * 3
    # Signed right, the same call is let through (to a trade that does not exist yet).
    answer = call("alipay.trade.query", biz)
    assert response_of(answer, QUERY)["sub_code"] == "ACQ.TRADE_NOT_EXIST"
    assert fake.calls_to("alipay.trade.query")[-1].signed_ok is True


def test_a_signed_page_pay_shows_the_cashier_and_opens_the_trade(fake, params, call):
    fields = params("alipay.trade.page.pay", page_biz(), notify_url=NOTIFY_URL)
    page = requests.get(fake.gateway, params=fields, timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "大地花谷-成人票" in page.text and "150.00" in page.text and "确认付款" in page.text
    assert 'action="/cashier/pay"' in page.text
    assert "<script" not in page.text and "src=" not in page.text and "<link" not in page.text
    trade = response_of(call("alipay.trade.query", {"out_trade_no": "HG20261206001"}), QUERY)
    assert (trade["code"], trade["trade_status"]) == ("10000", "WAIT_BUYER_PAY")
    assert trade["trade_no"].isdigit() and len(trade["trade_no"]) == 28
    # The same request again shows the same cashier; another amount under the number does not.
    again = requests.get(fake.gateway, params=fields, timeout=5)
    assert again.status_code == 200 and "确认付款" in again.text
    changed = params("alipay.trade.page.pay", page_biz(total="1.00"))
    refused = requests.get(fake.gateway, params=changed, timeout=5)
    assert refused.status_code == 400 and "ACQ.CONTEXT_INCONSISTENT" in refused.text
    unsigned = params("alipay.trade.page.pay", page_biz("HG20261206002"), unsigned=True)
    refused = requests.get(fake.gateway, params=unsigned, timeout=5)
    assert refused.status_code == 400 and "isv.invalid-signature" in refused.text
    assert list(fake.trades) == ["HG20261206001"]


def test_the_query_answer_is_signed_and_shows_the_payment(fake, call):
    fake.open_trade("alipay.trade.page.pay", page_biz())
    answer = call("alipay.trade.query", {"out_trade_no": "HG20261206001"})
    assert answer_verifies(fake, answer, QUERY)
    assert response_of(answer, QUERY)["trade_status"] == "WAIT_BUYER_PAY"
    fake.pay("HG20261206001")
    answer = call("alipay.trade.query", {"out_trade_no": "HG20261206001"})
    assert answer_verifies(fake, answer, QUERY)
    trade = response_of(answer, QUERY)
    assert (trade["code"], trade["msg"], trade["trade_status"]) == (
        "10000",
        "Success",
        "TRADE_SUCCESS",
    )
    assert (trade["total_amount"], trade["buyer_pay_amount"]) == ("150.00", "150.00")
    assert trade["buyer_logon_id"] == "138****0000" and trade["send_pay_date"]
    with pytest.raises(ValueError):
        fake.pay("HG20261206001")


def test_a_notification_is_signed_over_its_sorted_fields(fake):
    paid_trade(fake)
    fields = fake.notification("HG20261206001")
    assert callback_verifies(fake, fields)
    assert (fields["trade_status"], fields["total_amount"], fields["app_id"]) == (
        "TRADE_SUCCESS",
        "150.00",
        APP_ID,
    )
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert not callback_verifies(fake, fake.notification("HG20261206001", key=stranger))
    # An override is signed as it stands; a field changed afterwards breaks the sign.
    cheap = fake.notification("HG20261206001", total_amount="0.01")
    assert callback_verifies(fake, cheap) and cheap["total_amount"] == "0.01"
    tampered = {**fields, "total_amount": "0.01"}
    assert not callback_verifies(fake, tampered)
    assert callback_verifies(fake, fake.sign_fields(tampered))


def test_the_cashier_pays_notifies_the_merchant_and_returns_signed(fake, params):
    received = []

    class Merchant(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append(dict(parse_qsl(body, keep_blank_values=True)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"success")

        def log_message(self, *args):
            pass

    merchant = ThreadingHTTPServer(("127.0.0.1", 0), Merchant)
    threading.Thread(target=merchant.serve_forever, daemon=True).start()
    try:
        notify_url = f"http://127.0.0.1:{merchant.server_address[1]}/notify/"
        biz = page_biz(product_code="QUICK_WAP_WAY")
        fields = params("alipay.trade.wap.pay", biz, notify_url=notify_url, return_url=RETURN_URL)
        assert requests.post(fake.gateway, data=fields, timeout=5).status_code == 200
        confirmed = requests.post(
            fake.url + "/cashier/pay",
            data={"out_trade_no": "HG20261206001"},
            allow_redirects=False,
            timeout=5,
        )
    finally:
        merchant.shutdown()
        merchant.server_close()
    assert confirmed.status_code == 302
    location = urlsplit(confirmed.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == RETURN_URL
    back = dict(parse_qsl(location.query))
    assert back["method"] == "alipay.trade.wap.pay.return"
    assert (back["out_trade_no"], back["total_amount"]) == ("HG20261206001", "150.00")
    assert callback_verifies(fake, back)
    assert fake.deliveries == [(notify_url, 200, "success")]
    assert callback_verifies(fake, received[0])
    assert received[0]["trade_status"] == "TRADE_SUCCESS"
    assert fake.trade("HG20261206001")["trade_status"] == "TRADE_SUCCESS"
    again = requests.post(fake.gateway, data=params("alipay.trade.wap.pay", biz), timeout=5)
    assert again.status_code == 400 and "ACQ.TRADE_HAS_SUCCESS" in again.text


def test_refunds_are_idempotent_by_request_number_and_never_exceed_what_was_paid(fake, call):
    def refund(amount, number=None):
        biz = {"out_trade_no": "HG20261206001", "refund_amount": amount, "refund_reason": "退票"}
        if number:
            biz["out_request_no"] = number
        return response_of(call("alipay.trade.refund", biz), REFUND)

    assert refund("10.00", "R1")["sub_code"] == "ACQ.TRADE_NOT_EXIST"
    fake.open_trade("alipay.trade.page.pay", page_biz())
    assert refund("10.00", "R1")["sub_code"] == "ACQ.TRADE_STATUS_ERROR"
    fake.pay("HG20261206001")
    first = refund("50.00", "R1")
    assert (first["code"], first["fund_change"], first["refund_fee"]) == ("10000", "Y", "50.00")
    repeat = refund("50.00", "R1")
    assert (repeat["fund_change"], repeat["refund_fee"]) == ("N", "50.00")
    assert [r["refund_amount"] for r in fake.refunds_of("HG20261206001")] == ["50.00"]
    assert refund("60.00", "R1")["sub_code"] == "ACQ.DISCORDANT_REPEAT_REQUEST"
    assert refund("100.01", "R2")["sub_code"] == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    assert refund("100.00", "R2")["refund_fee"] == "150.00"
    assert fake.trade("HG20261206001")["trade_status"] == "TRADE_CLOSED"
    queried = response_of(
        call(
            "alipay.trade.fastpay.refund.query",
            {"out_trade_no": "HG20261206001", "out_request_no": "R2"},
        ),
        "alipay_trade_fastpay_refund_query_response",
    )
    assert (queried["refund_amount"], queried["refund_status"]) == ("100.00", "REFUND_SUCCESS")
    unknown = response_of(
        call(
            "alipay.trade.fastpay.refund.query",
            {"out_trade_no": "HG20261206001", "out_request_no": "R9"},
        ),
        "alipay_trade_fastpay_refund_query_response",
    )
    assert unknown["code"] == "10000" and "refund_amount" not in unknown


def test_the_bill_holds_the_paid_trade_the_refund_and_a_planted_mismatch(fake, call):
    trade = paid_trade(fake)
    call("alipay.trade.refund", {"out_trade_no": "HG20261206001", "refund_amount": "20.00"})
    bill_date = trade["gmt_payment"][:10]
    key = "alipay_data_dataservice_bill_downloadurl_query_response"

    def bill():
        answer = call(
            "alipay.data.dataservice.bill.downloadurl.query",
            {"bill_type": "trade", "bill_date": bill_date},
        )
        assert answer_verifies(fake, answer, key)
        url = response_of(answer, key)["bill_download_url"]
        archive = zipfile.ZipFile(io.BytesIO(requests.get(url, timeout=5).content))
        [name] = archive.namelist()
        assert name == f"{APP_ID}_{bill_date.replace('-', '')}_业务明细.csv"
        text = archive.read(name).decode("gbk")
        lines = [line for line in text.splitlines() if not line.startswith("#")]
        rows = list(csv.DictReader(lines))
        assert "#-----" in text and "业务明细列表结束" in text
        return [
            (r["商户订单号"], r["业务类型"], r["订单金额（元）"], r["退款批次号/请求号"])
            for r in rows
        ]

    assert bill() == [
        ("HG20261206001", "交易", "150.00", ""),
        ("HG20261206001", "退款", "-20.00", "HG20261206001"),
    ]
    fake.plant_bill_mismatch("HG20261206001", "149.00")
    fake.plant_bill_extra("HG-UNKNOWN-1", "12.00")
    planted = bill()
    assert ("HG20261206001", "交易", "149.00", "") in planted
    assert ("HG-UNKNOWN-1", "交易", "12.00", "") in planted
    assert ("HG20261206001", "交易", "150.00", "") in bill()
    empty = response_of(
        call(
            "alipay.data.dataservice.bill.downloadurl.query",
            {"bill_type": "trade", "bill_date": "2020-01-01"},
        ),
        key,
    )
    assert (empty["code"], empty["sub_code"]) == ("40004", "isp.bill_not_exist")


def test_close_outage_unknown_method_and_a_stale_timestamp(fake, call):
    fake.open_trade("alipay.trade.page.pay", page_biz())
    key = "alipay_trade_close_response"
    closed = response_of(call("alipay.trade.close", {"out_trade_no": "HG20261206001"}), key)
    assert closed["code"] == "10000" and fake.trade("HG20261206001")["trade_status"] == (
        "TRADE_CLOSED"
    )
    again = response_of(call("alipay.trade.close", {"out_trade_no": "HG20261206001"}), key)
    assert again["sub_code"] == "ACQ.TRADE_STATUS_ERROR"
    with fake.outage("alipay.trade.query"):
        answer = call("alipay.trade.query", {"out_trade_no": "HG20261206001"})
    assert answer_verifies(fake, answer, QUERY)
    assert response_of(answer, QUERY)["code"] == "20000"
    assert response_of(answer, QUERY)["sub_code"] == "isp.unknow-error"
    unknown = call("alipay.trade.nothing", {})
    assert answer_verifies(fake, unknown, "error_response")
    assert response_of(unknown, "error_response")["sub_code"] == "isv.invalid-method"
    stale = (datetime.now(BEIJING) - timedelta(minutes=20)).strftime("%Y-%m-%d %H:%M:%S")
    answer = call("alipay.trade.query", {"out_trade_no": "HG20261206001"}, timestamp=stale)
    assert response_of(answer, QUERY)["sub_code"] == "isv.invalid-timestamp"
