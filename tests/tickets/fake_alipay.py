"""A stateful stand-in for Alipay's open-platform gateway (``gateway.do``, RSA2), on loopback.

A merchant client talks to it as it would to openapi.alipay.com/gateway.do: every call
carries the common parameters (app_id, method, charset, sign_type, timestamp, version,
biz_content) and an RSA2 signature made with the app's private key, which is checked here
with the app public key the test hands over. Server calls get Alipay's JSON envelope,
signed with the fake's own "Alipay" key, which the client verifies with
``alipay_public_key_pem`` as it would with Alipay's public key. The two browser calls,
``alipay.trade.wap.pay`` and ``alipay.trade.page.pay``, get a cashier page instead. Trades,
refunds and bills are kept in memory with Alipay's states and error codes.

Tests then play the buyer and Alipay's back office: ``pay`` (optionally delivering the
asynchronous notification to the trade's notify_url), ``open_trade`` when no browser
opens the cashier, ``expire`` and ``finish``, ``notification`` / ``return_params`` /
``sign_fields`` to build signed callbacks, ``plant_bill_mismatch`` / ``plant_bill_extra``
to make the bill disagree with the merchant, and ``outage`` for 20000 answers.

Methods (signed): ``alipay.trade.wap.pay``, ``alipay.trade.page.pay`` (the browser's GET or
POST), ``alipay.trade.query``, ``alipay.trade.close``, ``alipay.trade.refund``,
``alipay.trade.fastpay.refund.query``, ``alipay.data.dataservice.bill.downloadurl.query``.
Unsigned: the cashier's ``POST /cashier/pay`` and the bill file ``GET /bill/<token>.csv.zip``.
"""

import base64
import contextlib
import copy
import csv
import html
import io
import json
import re
import secrets
import string
import threading
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.tickets.loopback import LoopbackServer

BEIJING = timezone(timedelta(hours=8))
STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
# Alipay refuses a request whose timestamp is more than fifteen minutes from its own clock.
CLOCK_SKEW = timedelta(minutes=15)

# The calls a browser makes, and the product each one must name.
PAGE_PRODUCTS = {
    "alipay.trade.wap.pay": "QUICK_WAP_WAY",
    "alipay.trade.page.pay": "FAST_INSTANT_TRADE_PAY",
}
SERVER_METHODS = (
    "alipay.trade.query",
    "alipay.trade.close",
    "alipay.trade.refund",
    "alipay.trade.fastpay.refund.query",
    "alipay.data.dataservice.bill.downloadurl.query",
)

OUT_TRADE_NO = re.compile(r"[A-Za-z0-9_\-]{1,64}")
AMOUNT = re.compile(r"\d+(\.\d{1,2})?")
MIN_AMOUNT, MAX_AMOUNT = Decimal("0.01"), Decimal("100000000.00")
TIMEOUT_EXPRESS = re.compile(r"([1-9]\d*)([mhd])|1c")
TIMEOUT_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
LONGEST_TIMEOUT = timedelta(days=15)
# Alipay's documentation forbids these characters in a subject.
SUBJECT_FORBIDDEN = "/=&"
FEE_RATE = Decimal("0.006")

MESSAGES = {
    "10000": "Success",
    "20000": "Service Currently Unavailable",
    "40001": "Missing Required Arguments",
    "40002": "Invalid Arguments",
    "40004": "Business Failed",
}

BILL_HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
    "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
    "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
    "退款批次号/请求号,服务费（元）,分润（元）,备注"
)
BILL_LIST_START = "#" + "-" * 41 + "业务明细列表" + "-" * 40
BILL_LIST_END = "#" + "-" * 41 + "业务明细列表结束" + "-" * 36


class AlipayFailure(Exception):
    """An error answer: Alipay's ``{"code", "msg", "sub_code", "sub_msg"}``."""

    def __init__(self, code: str, sub_code: str, sub_msg: str):
        super().__init__(f"{sub_code}: {sub_msg}")
        self.code = code
        self.body = {"code": code, "msg": MESSAGES[code], "sub_code": sub_code, "sub_msg": sub_msg}


def _missing(sub_code: str, sub_msg: str) -> AlipayFailure:
    return AlipayFailure("40001", sub_code, sub_msg)


def _invalid(sub_code: str, sub_msg: str) -> AlipayFailure:
    return AlipayFailure("40002", sub_code, sub_msg)


def _business(sub_code: str, sub_msg: str) -> AlipayFailure:
    return AlipayFailure("40004", sub_code, sub_msg)


def _missing_parameter(name: str) -> AlipayFailure:
    return _invalid("isv.missing-parameter", f"缺少必选参数 {name}")


def _invalid_parameter(issue: str) -> AlipayFailure:
    return _invalid("isv.invalid-parameter", f"参数无效：{issue}")


@dataclass
class Call:
    """One request to ``gateway.do`` as the fake received it.

    ``params`` are the query's and the form's parameters together (the official SDKs put
    the common ones in the query string and biz_content in the form), ``biz`` the parsed
    biz_content when it is a JSON object, and ``signed_ok`` says the app's signature
    verified, whatever else was wrong with the request.
    """

    method: str
    api_method: str
    params: dict
    biz: dict | None
    signed_ok: bool


def _now() -> datetime:
    return datetime.now(BEIJING).replace(microsecond=0)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(STAMP_FORMAT)


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _digits(length: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(length))


def _trade_no(moment: datetime) -> str:
    """Alipay's 28-digit trade number: the day, then 20 digits."""
    return f"{moment:%Y%m%d}2200{_digits(16)}"


def _yuan(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _json(answer) -> str:
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))


def _content(params: dict, *, leave_out: set[str]) -> str:
    """Alipay's string to sign: the non-empty parameters but ``leave_out``, sorted by key,
    written ``k=v`` with their raw (not URL-encoded) values and joined by ``&``."""
    return "&".join(
        f"{k}={v}" for k, v in sorted(params.items()) if k not in leave_out and v not in (None, "")
    )


def _sign(private_key, content: str) -> str:
    signature = private_key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def _private_key(key):
    """A private key given as an object or as PEM text, or None."""
    if isinstance(key, bytes | str):
        return serialization.load_pem_private_key(
            key.encode() if isinstance(key, str) else key, password=None
        )
    return key


def _public(value):
    """A deep copy without the fields kept for the fake's own use (named ``_...``)."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return copy.deepcopy(value)


def _with_params(url: str, params: dict) -> str:
    """``url`` with ``params`` appended to its query, before any fragment."""
    base, hash_mark, fragment = url.partition("#")
    joiner = "" if base.endswith(("?", "&")) else ("&" if "?" in base else "?")
    return f"{base}{joiner}{urlencode(params)}{hash_mark}{fragment}"


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head><body><main>{body}</main></body></html>"
    )


# --- biz_content fields -------------------------------------------------------------------


def _text(biz: dict, name: str, *, longest: int = 256) -> str:
    value = biz.get(name)
    if value is None or value == "":
        raise _missing_parameter(name)
    if not isinstance(value, str):
        raise _invalid_parameter(f"{name} 应为字符串")
    if len(value) > longest:
        raise _invalid_parameter(f"{name} 不能超过 {longest} 个字符")
    return value


def _optional_text(biz: dict, name: str, *, longest: int = 256) -> str | None:
    if biz.get(name) in (None, ""):
        return None
    return _text(biz, name, longest=longest)


def _amount(biz: dict, name: str) -> Decimal:
    """A yuan amount with at most two decimals; Alipay takes it as a string or a number."""
    value = biz.get(name)
    if value is None or value == "":
        raise _missing_parameter(name)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _invalid_parameter(f"{name} 应为金额")
    if not AMOUNT.fullmatch(str(value)):
        raise _invalid_parameter(f"{name} 应为以元为单位、最多两位小数的金额")
    amount = Decimal(str(value))
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise _invalid_parameter(f"{name} 应在 0.01 到 100000000.00 之间")
    return amount


def _deadline(biz: dict, created: datetime) -> datetime | None:
    """When an unpaid trade closes: time_expire if given, else timeout_express from creation."""
    time_expire = _optional_text(biz, "time_expire", longest=32)
    if time_expire is not None:
        try:
            if not STAMP.fullmatch(time_expire):
                raise ValueError(time_expire)
            return datetime.strptime(time_expire, STAMP_FORMAT).replace(tzinfo=BEIJING)
        except ValueError:
            raise _invalid_parameter("time_expire 应为 yyyy-MM-dd HH:mm:ss") from None
    timeout = _optional_text(biz, "timeout_express", longest=8)
    if timeout is None:
        return None
    match = TIMEOUT_EXPRESS.fullmatch(timeout)
    if match is None:
        raise _invalid_parameter("timeout_express 应为如 90m、2h、1d 或 1c 的值")
    if timeout == "1c":  # until the end of the day
        return datetime.combine(created.date() + timedelta(days=1), datetime.min.time(), BEIJING)
    length = int(match[1]) * TIMEOUT_UNITS[match[2]]
    if length > LONGEST_TIMEOUT:
        raise _invalid_parameter("timeout_express 不能超过 15d")
    return created + length


def _check_url(name: str, url: str) -> None:
    split = urlsplit(url)
    if split.scheme not in ("http", "https") or not split.netloc:
        raise _invalid_parameter(f"{name} 应为 http 或 https 地址")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Alipay does not follow a notify_url's redirect: a 3xx is a failed delivery."""

    def redirect_request(self, *args, **kwargs):
        return None


class FakeAlipay:
    """In-memory Alipay for one test: start it, point the merchant client at ``gateway``, stop it."""

    def __init__(
        self,
        *,
        app_public_key_pem: bytes,
        app_id: str = "2021000000000001",
        seller_id: str = "2088000000000001",
    ):
        self.app_id = app_id
        self.seller_id = seller_id
        self.app_public_key = serialization.load_pem_public_key(app_public_key_pem)
        # Alipay's own key: answers, notifications and the browser's return are signed with
        # it, and the merchant checks them with the public half.
        self.alipay_private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.alipay_public_key_pem = self.alipay_private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.buyer_user_id = "2088102177846880"
        self.buyer_logon_id = "138****0000"
        self.trades: dict[str, dict] = {}
        self.calls: list[Call] = []
        self.deliveries: list[tuple[str, int, str]] = []
        self._bills: dict[str, bytes] = {}
        self._bill_mismatches: dict[str, Decimal] = {}
        self._bill_extras: list[tuple[str, Decimal]] = []
        self._down: set[str] = set()
        self._lock = threading.RLock()
        self._server_methods = {
            "alipay.trade.query": self._query,
            "alipay.trade.close": self._close,
            "alipay.trade.refund": self._refund,
            "alipay.trade.fastpay.refund.query": self._refund_query,
            "alipay.data.dataservice.bill.downloadurl.query": self._bill_url,
        }
        self._loopback = LoopbackServer(self.handle)
        self.url = self._loopback.url
        self.gateway = f"{self.url}/gateway.do"

    def start(self) -> "FakeAlipay":
        self._loopback.start()
        return self

    def stop(self) -> None:
        self._loopback.stop()

    # --- what the tests read ------------------------------------------------------

    def calls_to(self, api_method: str) -> list[Call]:
        return [c for c in self.calls if c.api_method == api_method]

    def trade(self, out_trade_no: str) -> dict:
        """The trade as stored (every field it has so far), not the query's view of it."""
        with self._lock:
            trade = self.trades[out_trade_no]
            self._lapse(trade)
            return _public(trade)

    def refunds_of(self, out_trade_no: str) -> list[dict]:
        """The trade's refunds, oldest first."""
        with self._lock:
            trade = self.trades.get(out_trade_no)
            return _public(trade["refunds"]) if trade else []

    # --- HTTP ---------------------------------------------------------------------

    def handle(self, method: str, target: str, headers, body: bytes) -> tuple[int, bytes, dict]:
        """One request: ``(status, body bytes, headers)`` for the handler to send."""
        split = urlsplit(target)
        if split.path == "/gateway.do" and method in ("GET", "POST"):
            return self._gateway(method, split.query, headers, body)
        if split.path == "/cashier/pay" and method == "POST":
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            return self._cashier_pay(form.get("out_trade_no", ""))
        bill = re.fullmatch(r"/bill/([A-Za-z0-9_\-]+)\.csv\.zip", split.path)
        if bill and method == "GET":
            with self._lock:
                data = self._bills.get(bill[1])
            if data is not None:
                return 200, data, {"Content-Type": "application/octet-stream"}
        return self._html(404, "页面不存在", "<h1>页面不存在</h1>")

    def _gateway(self, method: str, query: str, headers, body: bytes):
        params = dict(parse_qsl(query, keep_blank_values=True))
        content_type = headers.get("Content-Type") or ""
        if method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
            text = body.decode("utf-8", "replace")
            params.update(parse_qsl(text, keep_blank_values=True))
        api_method = params.get("method", "")
        signed_ok = self._verifies(params)
        with self._lock:
            self.calls.append(Call(method, api_method, params, _biz_or_none(params), signed_ok))
            down = bool(api_method) and any(api_method.startswith(p) for p in self._down)
        browser = api_method in PAGE_PRODUCTS
        try:
            if not api_method:
                raise _missing("isv.missing-method", "缺少方法名参数")
            if not browser and api_method not in SERVER_METHODS:
                raise _invalid("isv.invalid-method", "不存在的方法名")
            if down:
                raise AlipayFailure("20000", "isp.unknow-error", "系统繁忙")
            self._check_common(params, signed_ok)
            biz = self._biz(params)
            with self._lock:
                if browser:
                    trade = self._open(
                        api_method,
                        biz,
                        notify_url=params.get("notify_url", ""),
                        return_url=params.get("return_url", ""),
                    )
                    return self._cashier_page(trade)
                answer = {"code": "10000", "msg": MESSAGES["10000"]}
                answer.update(self._server_methods[api_method](biz))
        except AlipayFailure as failure:
            if browser:
                return self._error_page(failure)
            answer = failure.body
        return self._signed_answer(api_method, answer)

    def _verifies(self, params: dict) -> bool:
        """The app's signature: over every non-empty parameter but ``sign`` (so with sign_type)."""
        try:
            signature = base64.b64decode(params.get("sign", ""), validate=True)
            if not signature:
                return False
            self.app_public_key.verify(
                signature,
                _content(params, leave_out={"sign"}).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (ValueError, InvalidSignature):
            return False
        return True

    def _check_common(self, params: dict, signed_ok: bool) -> None:
        app_id = params.get("app_id", "")
        if not app_id:
            raise _missing("isv.missing-app-id", "缺少AppID参数")
        if app_id != self.app_id:
            raise _invalid("isv.invalid-app-id", "无效的AppID参数")
        sign_type = params.get("sign_type", "")
        if not sign_type:
            raise _missing("isv.missing-signature-type", "缺少签名类型参数")
        if sign_type != "RSA2":
            raise _invalid("isv.invalid-signature-type", "无效的签名类型")
        if params.get("charset", "").lower() != "utf-8":
            raise _invalid("isv.invalid-charset", "字符集错误")
        if not signed_ok:
            raise _invalid("isv.invalid-signature", "验签出错")
        timestamp = params.get("timestamp", "")
        if not timestamp:
            raise _missing("isv.missing-timestamp", "缺少时间戳参数")
        try:
            if not STAMP.fullmatch(timestamp):
                raise ValueError(timestamp)
            sent = datetime.strptime(timestamp, STAMP_FORMAT).replace(tzinfo=BEIJING)
        except ValueError:
            raise _invalid("isv.invalid-timestamp", "非法的时间戳参数") from None
        if abs(datetime.now(BEIJING) - sent) > CLOCK_SKEW:
            raise _invalid("isv.invalid-timestamp", "非法的时间戳参数")
        version = params.get("version", "")
        if not version:
            raise _missing("isv.missing-version", "缺少版本参数")
        if version != "1.0":
            raise _invalid_parameter("version 应为 1.0")
        if params.get("format", "JSON").upper() != "JSON":
            raise _invalid("isv.invalid-format", "无效的数据格式")
        for name in ("notify_url", "return_url"):
            if params.get(name):
                _check_url(name, params[name])

    @staticmethod
    def _biz(params: dict) -> dict:
        text = params.get("biz_content", "")
        if not text:
            raise _missing_parameter("biz_content")
        biz = _biz_or_none(params)
        if biz is None:
            raise _invalid_parameter("biz_content 应为 JSON 对象")
        return biz

    def _signed_answer(self, api_method: str, answer: dict) -> tuple[int, bytes, dict]:
        """Alipay's envelope; the sign is over the response object's text exactly as sent."""
        known = api_method in PAGE_PRODUCTS or api_method in SERVER_METHODS
        key = f"{api_method.replace('.', '_')}_response" if known else "error_response"
        inner = _json(answer)
        sign = _sign(self.alipay_private_key, inner)
        body = '{"' + key + '":' + inner + ',"sign":"' + sign + '"}'
        return 200, body.encode(), {"Content-Type": "application/json; charset=utf-8"}

    @staticmethod
    def _html(status: int, title: str, body: str, **headers) -> tuple[int, bytes, dict]:
        return (
            status,
            _page(title, body).encode(),
            {"Content-Type": "text/html; charset=utf-8", **headers},
        )

    def _error_page(self, failure: AlipayFailure):
        answer = failure.body
        body = (
            "<h1>支付宝</h1>"
            f"<p>{html.escape(answer['code'])} {html.escape(answer['msg'])}</p>"
            f"<p>{html.escape(answer['sub_code'])}</p><p>{html.escape(answer['sub_msg'])}</p>"
        )
        return self._html(503 if failure.code == "20000" else 400, "支付宝 - 错误", body)

    # --- trades -------------------------------------------------------------------

    def _lapse(self, trade: dict) -> None:
        """An unpaid trade whose time is up is closed, as Alipay does on its own."""
        deadline = trade["_deadline"]
        if trade["trade_status"] == "WAIT_BUYER_PAY" and deadline and deadline <= _now():
            trade["trade_status"] = "TRADE_CLOSED"

    def _open(self, api_method: str, biz: dict, *, notify_url: str, return_url: str) -> dict:
        """The trade the buyer's browser reaches the cashier for: made the first time, found
        again after. Alipay only records a browser trade at this point, so until then the
        query and close answer ACQ.TRADE_NOT_EXIST."""
        out_trade_no = _text(biz, "out_trade_no", longest=64)
        if not OUT_TRADE_NO.fullmatch(out_trade_no):
            raise _invalid_parameter("out_trade_no 只能包含字母、数字、下划线和连字符")
        total = _yuan(_amount(biz, "total_amount"))
        subject = _text(biz, "subject", longest=256)
        if any(c in subject for c in SUBJECT_FORBIDDEN):
            raise _invalid_parameter("subject 不能包含 /、= 或 &")
        product_code = _text(biz, "product_code", longest=64)
        if product_code != PAGE_PRODUCTS[api_method]:
            raise _invalid_parameter(f"product_code 应为 {PAGE_PRODUCTS[api_method]}")
        now = _now()
        deadline = _deadline(biz, now)
        existing = self.trades.get(out_trade_no)
        if existing is not None:
            self._lapse(existing)
            if existing["_paid_at"] is not None:
                raise _business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
            if existing["trade_status"] == "TRADE_CLOSED":
                raise _business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
            same = (existing["total_amount"], existing["subject"], existing["product_code"])
            if same != (total, subject, product_code):
                raise _business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
            # The browser goes back wherever the latest request asks; the trade is unchanged.
            if return_url:
                existing["return_url"] = return_url
            return existing
        if deadline is not None and deadline <= now:
            raise _invalid_parameter("time_expire 应晚于当前时间")
        trade = {
            "out_trade_no": out_trade_no,
            "trade_no": _trade_no(now),
            "total_amount": total,
            "subject": subject,
            "product_code": product_code,
            "notify_url": notify_url,
            "return_url": return_url,
            "trade_status": "WAIT_BUYER_PAY",
            "buyer_logon_id": None,
            "buyer_user_id": None,
            "gmt_create": _stamp(now),
            "gmt_payment": None,
            "refunds": [],
            "_api_method": api_method,
            "_deadline": deadline,
            "_paid_at": None,
        }
        for name in ("time_expire", "timeout_express"):
            if biz.get(name):
                trade[name] = biz[name]
        self.trades[out_trade_no] = trade
        return trade

    def _find(self, biz: dict) -> dict:
        out_trade_no = biz.get("out_trade_no")
        trade_no = biz.get("trade_no")
        if not out_trade_no and not trade_no:
            raise _missing_parameter("out_trade_no 或 trade_no")
        if out_trade_no:
            trade = self.trades.get(str(out_trade_no))
        else:
            trade = next((t for t in self.trades.values() if t["trade_no"] == trade_no), None)
        if trade is None or (trade_no and trade["trade_no"] != trade_no):
            raise _business("ACQ.TRADE_NOT_EXIST", "交易不存在")
        self._lapse(trade)
        return trade

    @staticmethod
    def _refunded(trade: dict) -> Decimal:
        return sum((Decimal(r["refund_amount"]) for r in trade["refunds"]), Decimal("0"))

    def _query(self, biz: dict) -> dict:
        trade = self._find(biz)
        paid = trade["_paid_at"] is not None
        received = trade["total_amount"] if paid else "0.00"
        answer = {
            "trade_no": trade["trade_no"],
            "out_trade_no": trade["out_trade_no"],
            "trade_status": trade["trade_status"],
            "total_amount": trade["total_amount"],
            "buyer_pay_amount": received,
            "point_amount": "0.00",
            "invoice_amount": received,
            "receipt_amount": received,
        }
        if paid:
            answer.update(
                buyer_logon_id=trade["buyer_logon_id"],
                buyer_user_id=trade["buyer_user_id"],
                send_pay_date=trade["gmt_payment"],
            )
        return answer

    def _close(self, biz: dict) -> dict:
        trade = self._find(biz)
        if trade["trade_status"] != "WAIT_BUYER_PAY":
            raise _business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade["trade_status"] = "TRADE_CLOSED"
        return {"trade_no": trade["trade_no"], "out_trade_no": trade["out_trade_no"]}

    # --- refunds ------------------------------------------------------------------

    def _refund(self, biz: dict) -> dict:
        amount = _amount(biz, "refund_amount")
        reason = _optional_text(biz, "refund_reason", longest=256)
        out_request_no = _optional_text(biz, "out_request_no", longest=64)
        trade = self._find(biz)
        # Without out_request_no Alipay takes the trade's number: one refund per trade.
        out_request_no = out_request_no or trade["out_trade_no"]
        existing = next(
            (r for r in trade["refunds"] if r["out_request_no"] == out_request_no), None
        )
        if existing is not None:
            # The request number is the idempotency key: a repeat moves no more money and
            # says so with fund_change "N"; the same number for another amount is refused.
            if Decimal(existing["refund_amount"]) != amount:
                raise _business("ACQ.DISCORDANT_REPEAT_REQUEST", "不一致的请求")
            return {**existing["_answer"], "fund_change": "N"}
        if trade["_paid_at"] is None:
            raise _business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        if trade["trade_status"] == "TRADE_FINISHED":
            raise _business("ACQ.TRADE_HAS_FINISHED", "交易已完结")
        if trade["trade_status"] == "TRADE_CLOSED":
            raise _business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
        total = Decimal(trade["total_amount"])
        refunded = self._refunded(trade)
        if amount > total - refunded:
            # Alipay's code for a refund larger than what is left.
            raise _business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
        at = datetime.now(BEIJING)
        answer = {
            "trade_no": trade["trade_no"],
            "out_trade_no": trade["out_trade_no"],
            "buyer_logon_id": trade["buyer_logon_id"],
            "buyer_user_id": trade["buyer_user_id"],
            "fund_change": "Y",
            "refund_fee": _yuan(refunded + amount),
            "gmt_refund_pay": _stamp(at),
            "out_request_no": out_request_no,
        }
        trade["refunds"].append(
            {
                "out_request_no": out_request_no,
                "refund_amount": _yuan(amount),
                "refund_reason": reason or "",
                "gmt_refund_pay": _stamp(at),
                "_at": at,
                "_answer": answer,
            }
        )
        if refunded + amount == total:
            trade["trade_status"] = "TRADE_CLOSED"
        return copy.deepcopy(answer)

    def _refund_query(self, biz: dict) -> dict:
        out_request_no = _text(biz, "out_request_no", longest=64)
        trade = self._find(biz)
        refund = next((r for r in trade["refunds"] if r["out_request_no"] == out_request_no), None)
        if refund is None:
            # Alipay answers an unknown refund with success and no refund in it.
            return {}
        return {
            "trade_no": trade["trade_no"],
            "out_trade_no": trade["out_trade_no"],
            "out_request_no": out_request_no,
            "total_amount": trade["total_amount"],
            "refund_amount": refund["refund_amount"],
            "refund_status": "REFUND_SUCCESS",
            "gmt_refund_pay": refund["gmt_refund_pay"],
        }

    # --- bills --------------------------------------------------------------------

    def _bill_url(self, biz: dict) -> dict:
        if _text(biz, "bill_type", longest=32) != "trade":
            raise _invalid_parameter("bill_type 只能是 trade（本模拟服务只提供业务明细）")
        bill_date = _text(biz, "bill_date", longest=10)
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", bill_date):
                raise ValueError(bill_date)
            day = date.fromisoformat(bill_date)
        except ValueError:
            raise _invalid_parameter(
                "bill_date 应为 yyyy-MM-dd（本模拟服务只提供日账单）"
            ) from None
        if day > _now().date():
            raise _invalid_parameter("bill_date 不能晚于今天")
        data = self._bill(day)
        if data is None:
            raise _business("isp.bill_not_exist", "账单不存在")
        token = secrets.token_urlsafe(16)
        self._bills[token] = data
        return {"bill_download_url": f"{self.url}/bill/{token}.csv.zip"}

    def _bill(self, day: date) -> bytes | None:
        """The zipped GBK business-detail bill of ``day`` (Beijing time); None when it is empty.

        Today's bill is given too, though Alipay only makes a day's bill the next morning:
        the tests pay and reconcile on the same day.
        """
        rows: list[tuple[datetime, list[str]]] = []
        for trade in self.trades.values():
            paid_at = trade["_paid_at"]
            if paid_at is not None and paid_at.date() == day:
                planted = self._bill_mismatches.pop(trade["out_trade_no"], None)
                total = Decimal(trade["total_amount"]) if planted is None else planted
                rows.append((paid_at, self._bill_row(trade, "交易", total, paid_at, "")))
            for refund in trade["refunds"]:
                at = refund["_at"]
                if at.date() == day:
                    amount = -Decimal(refund["refund_amount"])
                    row = self._bill_row(trade, "退款", amount, at, refund["out_request_no"])
                    rows.append((at, row))
        noon = datetime.combine(day, datetime.min.time(), BEIJING).replace(hour=12)
        for out_trade_no, total in self._bill_extras:
            stranger = {
                "trade_no": _trade_no(noon),
                "out_trade_no": out_trade_no,
                "subject": "商品",
                "gmt_create": _stamp(noon),
                "buyer_logon_id": "139****1111",
            }
            rows.append((noon, self._bill_row(stranger, "交易", total, noon, "")))
        self._bill_extras.clear()
        if not rows:
            return None
        rows.sort(key=lambda pair: pair[0])
        trades = [r for _, r in rows if r[2] == "交易"]
        refunds = [r for _, r in rows if r[2] == "退款"]
        trade_sum = sum((Decimal(r[12]) for r in trades), Decimal("0"))
        refund_sum = sum((Decimal(r[12]) for r in refunds), Decimal("0"))
        out = io.StringIO()
        out.write("#支付宝业务明细查询\r\n")
        out.write(f"#账号：[{self.seller_id}0156]\r\n")
        out.write(
            f"#起始日期：[{_chinese_date(day)} 00:00:00]   "
            f"终止日期：[{_chinese_date(day + timedelta(days=1))} 00:00:00]\r\n"
        )
        out.write(BILL_LIST_START + "\r\n")
        out.write(BILL_HEADER + "\r\n")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows(row for _, row in rows)
        out.write(BILL_LIST_END + "\r\n")
        out.write(
            f"#交易合计：{len(trades)}笔，商家实收共{_yuan(trade_sum)}元，商家优惠共0.00元\r\n"
        )
        out.write(
            f"#退款合计：{len(refunds)}笔，商家实收退款共{_yuan(refund_sum)}元，"
            "商家优惠退款共0.00元\r\n"
        )
        exported = _now()
        out.write(f"#导出时间：[{_chinese_date(exported.date())} {exported:%H:%M:%S}]\r\n")
        archive_bytes = io.BytesIO()
        with zipfile.ZipFile(archive_bytes, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                f"{self.app_id}_{day:%Y%m%d}_业务明细.csv",
                out.getvalue().encode("gbk", errors="replace"),
            )
        return archive_bytes.getvalue()

    @staticmethod
    def _bill_row(trade: dict, kind: str, amount: Decimal, at: datetime, request_no: str):
        """One line: a trade (amount positive) or a refund (negative), the fee's sign opposite."""
        fee = -(amount * FEE_RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        zero = "0.00"
        return [
            trade["trade_no"],
            trade["out_trade_no"],
            kind,
            trade["subject"],
            trade["gmt_create"],
            _stamp(at),
            "",
            "",
            "",
            "",
            trade.get("buyer_logon_id") or "",
            _yuan(amount),
            _yuan(amount),
            zero,
            zero,
            zero,
            zero,
            zero,
            "",
            zero,
            zero,
            request_no,
            _yuan(fee),
            zero,
            "",
        ]

    def plant_bill_mismatch(self, out_trade_no: str, total_yuan: str) -> None:
        """The next bill that lists this trade shows ``total_yuan`` (e.g. "149.00") for it."""
        with self._lock:
            self._bill_mismatches[out_trade_no] = Decimal(total_yuan)

    def plant_bill_extra(self, out_trade_no: str, total_yuan: str) -> None:
        """The next bill (whatever its date) lists a paid trade the merchant never made."""
        with self._lock:
            self._bill_extras.append((out_trade_no, Decimal(total_yuan)))

    # --- the buyer and Alipay's back office -----------------------------------------

    def open_trade(
        self, api_method: str, biz: dict, *, notify_url: str = "", return_url: str = ""
    ) -> dict:
        """The trade as if the buyer's browser had opened the cashier for this request.

        Raises ValueError (with Alipay's sub_code) where the gateway would refuse it.
        """
        if api_method not in PAGE_PRODUCTS:
            raise ValueError(f"{api_method} is not opened in a browser")
        try:
            for name, url in (("notify_url", notify_url), ("return_url", return_url)):
                if url:
                    _check_url(name, url)
            with self._lock:
                trade = self._open(
                    api_method, copy.deepcopy(biz), notify_url=notify_url, return_url=return_url
                )
                return _public(trade)
        except AlipayFailure as failure:
            raise ValueError(str(failure)) from None

    def pay(self, out_trade_no: str, *, notify: bool = False, at: datetime | None = None) -> dict:
        """The buyer pays the whole trade; returns the stored trade.

        ``at`` backdates the payment (it decides which day's bill lists it). With ``notify``
        the asynchronous notification is POSTed to the trade's notify_url (if it has one)
        from this thread, and the answer kept in ``deliveries``.
        """
        with self._lock:
            trade = self.trades.get(out_trade_no)
            if trade is None:
                raise ValueError(f"no trade {out_trade_no}")
            self._lapse(trade)
            if trade["_paid_at"] is not None:
                raise ValueError(f"trade {out_trade_no} is already paid")
            if trade["trade_status"] == "TRADE_CLOSED":
                raise ValueError(f"trade {out_trade_no} is closed")
            paid_at = (at or _now()).astimezone(BEIJING).replace(microsecond=0)
            trade.update(
                trade_status="TRADE_SUCCESS",
                buyer_logon_id=self.buyer_logon_id,
                buyer_user_id=self.buyer_user_id,
                gmt_payment=_stamp(paid_at),
                _paid_at=paid_at,
            )
            stored = _public(trade)
            url = trade["notify_url"] if notify else ""
            fields = self.notification(out_trade_no) if url else None
        # Delivered outside the lock: the merchant's handler may well query this fake.
        if fields is not None:
            self._deliver(url, fields)
        return stored

    def deliver(self, out_trade_no: str, **notification_kwargs) -> bool:
        """Alipay (re)sends the trade's notification now; True if the merchant took it.

        ``notification_kwargs`` go to ``notification``, e.g. to deliver a forged one.
        """
        with self._lock:
            url = self.trades[out_trade_no]["notify_url"]
        if not url:
            raise ValueError(f"trade {out_trade_no} has no notify_url")
        return self._deliver(url, self.notification(out_trade_no, **notification_kwargs))

    def expire(self, out_trade_no: str) -> dict:
        """The trade's time passes unpaid: Alipay closes it."""
        with self._lock:
            trade = self.trades[out_trade_no]
            if trade["trade_status"] != "WAIT_BUYER_PAY":
                raise ValueError(f"trade {out_trade_no} is {trade['trade_status']}, cannot expire")
            trade["trade_status"] = "TRADE_CLOSED"
            return _public(trade)

    def finish(self, out_trade_no: str) -> dict:
        """The refund period ends: a paid trade becomes TRADE_FINISHED and refuses refunds."""
        with self._lock:
            trade = self.trades[out_trade_no]
            if trade["trade_status"] != "TRADE_SUCCESS":
                raise ValueError(f"trade {out_trade_no} is {trade['trade_status']}, cannot finish")
            trade["trade_status"] = "TRADE_FINISHED"
            return _public(trade)

    def _deliver(self, url: str, fields: dict) -> bool:
        """POST a notification; Alipay counts it delivered only on the exact answer ``success``."""
        request = urllib.request.Request(
            url,
            data=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "User-Agent": "Mozilla/4.0",
            },
            method="POST",
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)
        try:
            with opener.open(request, timeout=10) as answer:
                status, text = answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
        except OSError as error:
            status, text = 0, str(error)
        with self._lock:
            self.deliveries.append((url, status, text))
        return status == 200 and text == "success"

    # --- signed callbacks ---------------------------------------------------------------

    def sign_fields(self, fields: dict, key=None) -> dict:
        """``fields`` with a fresh ``sign``, as Alipay signs its notifications and returns:
        over the non-empty fields but sign and sign_type. ``key`` (a private key or its
        PEM) signs instead of the Alipay key, to forge one."""
        signed = {k: v for k, v in fields.items() if k != "sign"}
        content = _content(signed, leave_out={"sign", "sign_type"})
        signed["sign"] = _sign(_private_key(key) or self.alipay_private_key, content)
        return signed

    def notification(
        self, out_trade_no: str, *, notify_id: str | None = None, key=None, **overrides
    ) -> dict:
        """The form fields of the trade_status_sync notification Alipay POSTs about the trade.

        ``overrides`` replace (or, given None, remove) fields before signing; a trade with
        refunds carries the latest one's out_biz_no, refund_fee and gmt_refund.
        """
        with self._lock:
            trade = self.trades[out_trade_no]
            self._lapse(trade)
            total = trade["total_amount"]
            paid = trade["_paid_at"] is not None
            fields = {
                "notify_time": _stamp(_now()),
                "notify_type": "trade_status_sync",
                "notify_id": notify_id or secrets.token_hex(17),
                "app_id": self.app_id,
                "auth_app_id": self.app_id,
                "charset": "utf-8",
                "version": "1.0",
                "sign_type": "RSA2",
                "trade_no": trade["trade_no"],
                "out_trade_no": out_trade_no,
                "buyer_id": trade["buyer_user_id"],
                "buyer_logon_id": trade["buyer_logon_id"],
                "seller_id": self.seller_id,
                "trade_status": trade["trade_status"],
                "total_amount": total,
                "receipt_amount": total if paid else None,
                "invoice_amount": total if paid else None,
                "buyer_pay_amount": total if paid else None,
                "point_amount": "0.00" if paid else None,
                "gmt_create": trade["gmt_create"],
                "gmt_payment": trade["gmt_payment"],
                "subject": trade["subject"],
                "fund_bill_list": (
                    _json([{"amount": total, "fundChannel": "ALIPAYACCOUNT"}]) if paid else None
                ),
            }
            if trade["refunds"]:
                latest = trade["refunds"][-1]
                at = latest["_at"]
                closed = trade["trade_status"] == "TRADE_CLOSED"
                fields.update(
                    out_biz_no=latest["out_request_no"],
                    refund_fee=_yuan(self._refunded(trade)),
                    # Alipay writes the refund time with milliseconds here.
                    gmt_refund=f"{_stamp(at)}.{at.microsecond // 1000:03d}",
                    gmt_close=latest["gmt_refund_pay"] if closed else None,
                )
        fields.update(overrides)
        fields = {k: v for k, v in fields.items() if v is not None}
        return self.sign_fields(fields, key=key)

    def return_params(self, out_trade_no: str, *, key=None) -> dict:
        """The signed query parameters the buyer's browser brings back to return_url."""
        with self._lock:
            trade = self.trades[out_trade_no]
            if trade["_paid_at"] is None:
                raise ValueError(f"trade {out_trade_no} is not paid")
            fields = {
                "charset": "utf-8",
                "out_trade_no": out_trade_no,
                "method": f"{trade['_api_method']}.return",
                "total_amount": trade["total_amount"],
                "trade_no": trade["trade_no"],
                "auth_app_id": self.app_id,
                "version": "1.0",
                "app_id": self.app_id,
                "sign_type": "RSA2",
                "seller_id": self.seller_id,
                "timestamp": _stamp(_now()),
            }
        return self.sign_fields(fields, key=key)

    # --- an outage --------------------------------------------------------------------

    @contextlib.contextmanager
    def outage(self, api_method_prefix: str):
        """Every method starting with the prefix gets 20000 isp.unknow-error while this lasts
        (a browser call gets a 503 page)."""
        with self._lock:
            self._down.add(api_method_prefix)
        try:
            yield
        finally:
            with self._lock:
                self._down.discard(api_method_prefix)

    # --- the cashier --------------------------------------------------------------------

    def _cashier_page(self, trade: dict):
        """What the buyer's browser shows: the subject, the amount and one button."""
        body = (
            "<h1>支付宝收银台</h1>"
            f"<p>{html.escape(trade['subject'])}</p>"
            f"<p>¥{html.escape(trade['total_amount'])}</p>"
            '<form method="post" action="/cashier/pay">'
            '<input type="hidden" name="out_trade_no" '
            f'value="{html.escape(trade["out_trade_no"])}">'
            '<button type="submit">确认付款</button></form>'
        )
        return self._html(200, "支付宝 - 收银台", body)

    def _cashier_pay(self, out_trade_no: str):
        """The buyer confirms: Alipay takes the money, notifies, and sends the browser back."""
        with self._lock:
            known = out_trade_no in self.trades
        if not known:
            return self._html(404, "支付宝", "<h1>交易不存在</h1>")
        try:
            self.pay(out_trade_no, notify=True)
        except ValueError:
            return self._html(400, "支付宝", "<h1>交易不能支付</h1>")
        params = self.return_params(out_trade_no)
        with self._lock:
            return_url = self.trades[out_trade_no]["return_url"]
        if return_url:
            location = _with_params(return_url, params)
            return self._html(302, "跳转", "<p>正在跳转</p>", Location=location)
        return self._html(200, "支付成功", "<h1>支付成功</h1>")


def _biz_or_none(params: dict) -> dict | None:
    """biz_content parsed, when it is a JSON object."""
    try:
        biz = json.loads(params.get("biz_content") or "")
    except ValueError:
        return None
    return biz if isinstance(biz, dict) else None


def configure(settings, fake: "FakeAlipay", app_key) -> None:
    """Point every Alipay setting at ``fake``, with ``app_key`` as the app's private key."""
    settings.STRIPE_SECRET_KEY = ""
    settings.ALIPAY_APP_ID = fake.app_id
    settings.ALIPAY_APP_PRIVATE_KEY = app_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings.ALIPAY_PUBLIC_KEY = fake.alipay_public_key_pem.decode()
    settings.ALIPAY_GATEWAY = fake.gateway
