"""The fake WeChat Pay checks signatures, keeps WeChat's states and signs what it says.

These tests talk to it with a small signing client of their own (written from WeChat's
published rules, not from the fake), so a mistake in the fake's checks shows up here
before it can hide one in the site's client.
"""

import base64
import csv
import hashlib
import io
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.tickets.fake_wechat_pay import FakeWeChatPay

MCHID = "1900000001"
APPID = "wx8888888888888888"
SERIAL = "3775B6A45ACD588826D15E583A95F5DD00000001"
APIV3_KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def merchant_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake(merchant_key):
    pem = merchant_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    server = FakeWeChatPay(merchant_public_key_pem=pem).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(fake, merchant_key):
    """``client(method, path, body=None, *, key=None, tamper=None)``: a signed request.

    ``tamper`` changes the body text after it was signed.
    """

    def send(method, path, body=None, *, key=None, tamper=None):
        text = "" if body is None else json.dumps(body, ensure_ascii=False)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        message = f"{method}\n{path}\n{timestamp}\n{nonce}\n{text}\n"
        signature = (key or merchant_key).sign(
            message.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        authorization = (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{MCHID}",nonce_str="{nonce}",'
            f'signature="{base64.b64encode(signature).decode()}",'
            f'timestamp="{timestamp}",serial_no="{SERIAL}"'
        )
        if tamper:
            text = tamper(text)
        return requests.request(
            method,
            fake.url + path,
            data=text.encode(),
            headers={
                "Authorization": authorization,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            timeout=5,
        )

    return send


def verifies(public_key_pem: bytes, headers, body: bytes) -> bool:
    """WeChat's answer and notification signature: over "timestamp\\nnonce\\nbody\\n"."""
    message = f"{headers['Wechatpay-Timestamp']}\n{headers['Wechatpay-Nonce']}\n{body.decode()}\n"
    try:
        serialization.load_pem_public_key(public_key_pem).verify(
            base64.b64decode(headers["Wechatpay-Signature"]),
            message.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return False
    return True


def order(out_trade_no="HG20261206001", total=6000, **fields):
    return {
        "appid": APPID,
        "mchid": MCHID,
        "description": "大地花谷-成人票",
        "out_trade_no": out_trade_no,
        "notify_url": "https://huagu.example/payments/wechat/notify/",
        "amount": {"total": total, "currency": "CNY"},
        **fields,
    }


def paid_order(fake, client, out_trade_no="HG20261206001", total=6000):
    assert client("POST", "/v3/pay/transactions/native", order(out_trade_no, total)).ok
    return fake.pay(out_trade_no)


def test_an_unsigned_request_is_refused_with_a_signed_answer(fake):
    answer = requests.post(fake.url + "/v3/pay/transactions/native", json=order(), timeout=5)
    assert answer.status_code == 401
    assert answer.json()["code"] == "SIGN_ERROR"
    assert verifies(fake.public_key_pem, answer.headers, answer.content)
    assert fake.calls[0].signed_ok is False
    assert fake.transactions == {}


def test_a_request_signed_with_another_key_is_refused(fake, client):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    answer = client("POST", "/v3/pay/transactions/native", order(), key=stranger)
    assert (answer.status_code, answer.json()["code"]) == (401, "SIGN_ERROR")


def test_a_signed_native_order_gets_a_code_url_in_a_signed_answer(fake, client):
    answer = client("POST", "/v3/pay/transactions/native", order())
    assert answer.status_code == 200
    assert answer.json()["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    assert answer.headers["Wechatpay-Serial"] == fake.public_key_id
    assert answer.headers["Request-ID"]
    assert verifies(fake.public_key_pem, answer.headers, answer.content)
    assert [c.signed_ok for c in fake.calls_to("POST", "/v3/pay/transactions/native")] == [True]
    # The same order again is answered the same; another under that number is refused.
    assert client("POST", "/v3/pay/transactions/native", order()).json() == answer.json()
    again = client("POST", "/v3/pay/transactions/native", order(total=5000))
    assert (again.status_code, again.json()["code"]) == (400, "INVALID_REQUEST")


def test_a_body_changed_after_signing_is_refused(fake, client):
    answer = client(
        "POST", "/v3/pay/transactions/native", order(), tamper=lambda t: t.replace("6000", "1")
    )
    assert (answer.status_code, answer.json()["code"]) == (401, "SIGN_ERROR")


def test_a_missing_field_is_named(client):
    body = order()
    del body["amount"]["total"]
    answer = client("POST", "/v3/pay/transactions/native", body)
    assert (answer.status_code, answer.json()["code"]) == (400, "PARAM_ERROR")
    assert "amount/total" in answer.json()["message"]


def test_after_paying_the_query_shows_success(fake, client):
    assert client("POST", "/v3/pay/transactions/native", order()).ok
    path = f"/v3/pay/transactions/out-trade-no/HG20261206001?mchid={MCHID}"
    assert client("GET", path).json()["trade_state"] == "NOTPAY"
    fake.pay("HG20261206001", openid="oPayer")
    answer = client("GET", path)
    trade = answer.json()
    assert trade["trade_state"] == "SUCCESS"
    assert trade["transaction_id"].startswith("4200") and len(trade["transaction_id"]) == 28
    assert trade["payer"] == {"openid": "oPayer"}
    assert trade["amount"]["payer_total"] == 6000
    assert trade["success_time"].endswith("+08:00")
    assert verifies(fake.public_key_pem, answer.headers, answer.content)
    with pytest.raises(ValueError):
        fake.pay("HG20261206001")
    unknown = client("GET", f"/v3/pay/transactions/out-trade-no/HG-NOBODY?mchid={MCHID}")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "ORDER_NOT_EXIST")


def test_a_notification_decrypts_to_the_transaction_and_its_signature_verifies(fake, client):
    paid_order(fake, client)
    body, headers = fake.transaction_notification("HG20261206001")
    assert verifies(fake.public_key_pem, headers, body)
    resource = json.loads(body)["resource"]
    plaintext = AESGCM(APIV3_KEY.encode()).decrypt(
        resource["nonce"].encode(),
        base64.b64decode(resource["ciphertext"]),
        resource["associated_data"].encode(),
    )
    transaction = json.loads(plaintext)
    query = client("GET", f"/v3/pay/transactions/out-trade-no/HG20261206001?mchid={MCHID}")
    assert transaction == query.json()
    assert json.loads(body)["event_type"] == "TRANSACTION.SUCCESS"
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged_body, forged_headers = fake.transaction_notification("HG20261206001", key=stranger)
    assert not verifies(fake.public_key_pem, forged_headers, forged_body)


def test_refunds_are_idempotent_by_number_and_never_exceed_what_was_paid(fake, client):
    paid_order(fake, client)

    def refund(number, amount):
        return client(
            "POST",
            "/v3/refund/domestic/refunds",
            {
                "out_trade_no": "HG20261206001",
                "out_refund_no": number,
                "amount": {"refund": amount, "total": 6000, "currency": "CNY"},
            },
        )

    first = refund("RF1", 4000)
    assert first.status_code == 200 and first.json()["status"] == "SUCCESS"
    assert refund("RF1", 4000).json()["refund_id"] == first.json()["refund_id"]
    assert [r["amount"]["refund"] for r in fake.refunds_of("HG20261206001")] == [4000]
    assert refund("RF1", 1000).json()["code"] == "INVALID_REQUEST"
    too_much = refund("RF2", 2001)
    assert (too_much.status_code, too_much.json()["code"]) == (403, "NOT_ENOUGH")
    assert refund("RF3", 2000).status_code == 200
    assert fake.transaction("HG20261206001")["trade_state"] == "REFUND"
    queried = client("GET", "/v3/refund/domestic/refunds/RF3")
    assert queried.json()["amount"]["refund"] == 2000
    body, headers = fake.refund_notification("RF3")
    assert verifies(fake.public_key_pem, headers, body)


def test_an_oauth_code_works_once(fake):
    authorize = requests.get(
        fake.url + "/connect/oauth2/authorize",
        params={
            "appid": APPID,
            "redirect_uri": "https://huagu.example/wechat/back/?next=/tickets/",
            "response_type": "code",
            "scope": "snsapi_base",
            "state": "s1",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert authorize.status_code == 302
    location = urlsplit(authorize.headers["Location"])
    params = parse_qs(location.query)
    assert (location.path, params["next"], params["state"]) == (
        "/wechat/back/",
        ["/tickets/"],
        ["s1"],
    )
    token_params = {
        "appid": APPID,
        "secret": "fake-app-secret",
        "code": params["code"][0],
        "grant_type": "authorization_code",
    }
    url = fake.url + "/sns/oauth2/access_token"
    token = requests.get(url, params=token_params, timeout=5).json()
    assert (token["openid"], token["scope"], token["expires_in"]) == (
        fake.openid,
        "snsapi_base",
        7200,
    )
    again = requests.get(url, params=token_params, timeout=5)
    assert (again.status_code, again.json()["errcode"]) == (200, 40029)


def test_the_h5_cashier_pays_and_notifies_the_merchant(fake, client):
    received = []

    class Merchant(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    merchant = ThreadingHTTPServer(("127.0.0.1", 0), Merchant)
    threading.Thread(target=merchant.serve_forever, daemon=True).start()
    try:
        notify_url = f"http://127.0.0.1:{merchant.server_address[1]}/notify/"
        body = order(
            notify_url=notify_url,
            scene_info={"payer_client_ip": "203.0.113.5", "h5_info": {"type": "Wap"}},
        )
        h5_url = client("POST", "/v3/pay/transactions/h5", body).json()["h5_url"]
        page = requests.get(h5_url + "&redirect_url=https%3A%2F%2Fhuagu.example%2Fdone", timeout=5)
        assert "确认支付" in page.text and "60.00" in page.text
        prepay_id = parse_qs(urlsplit(h5_url).query)["prepay_id"][0]
        confirmed = requests.post(
            fake.url + "/h5pay/confirm",
            data={"prepay_id": prepay_id, "redirect_url": "https://huagu.example/done"},
            allow_redirects=False,
            timeout=5,
        )
    finally:
        merchant.shutdown()
        merchant.server_close()
    assert confirmed.headers["Location"] == "https://huagu.example/done"
    assert fake.transaction("HG20261206001")["trade_state"] == "SUCCESS"
    assert [(url, status) for url, status, _ in fake.deliveries] == [(notify_url, 204)]
    assert json.loads(received[0])["event_type"] == "TRANSACTION.SUCCESS"


def test_the_trade_bill_lists_the_paid_trade_and_a_planted_mismatch(fake, client):
    trade = paid_order(fake, client)
    bill_date = trade["success_time"][:10]

    def bill():
        answer = client("GET", f"/v3/bill/tradebill?bill_date={bill_date}&bill_type=ALL")
        assert verifies(fake.public_key_pem, answer.headers, answer.content)
        download = answer.json()
        path = download["download_url"].removeprefix(fake.url)
        text = client("GET", path).content.decode()
        assert hashlib.sha1(text.encode()).hexdigest() == download["hash_value"]
        rows = list(csv.reader(io.StringIO(text)))
        return {r[6].lstrip("`"): r[12].lstrip("`") for r in rows[1:-2]}, rows[-1]

    lines, summary = bill()
    assert lines == {"HG20261206001": "60.00"}
    assert summary[:2] == ["`1", "`60.00"]
    fake.plant_bill_mismatch("HG20261206001", "59.00")
    fake.plant_bill_extra("HG-UNKNOWN-1", "12.00")
    assert bill()[0] == {"HG20261206001": "59.00", "HG-UNKNOWN-1": "12.00"}
    assert bill()[0] == {"HG20261206001": "60.00"}


def test_an_outage_answers_500_signed(fake, client):
    with fake.outage("/v3/pay/"):
        answer = client("POST", "/v3/pay/transactions/native", order())
    assert (answer.status_code, answer.json()["code"]) == (500, "SYSTEM_ERROR")
    assert verifies(fake.public_key_pem, answer.headers, answer.content)
    assert client("POST", "/v3/pay/transactions/native", order()).ok
