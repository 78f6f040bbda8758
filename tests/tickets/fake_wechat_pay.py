"""A stateful stand-in for WeChat Pay API v3 (direct merchant) and WeChat's web OAuth, on loopback.

A merchant client talks to it over HTTP exactly as it would to api.mch.weixin.qq.com:
every request under ``/v3/`` must carry the merchant's ``WECHATPAY2-SHA256-RSA2048``
signature (checked here with the merchant public key the test hands over), and every
answer under ``/v3/`` is signed with the fake's own "platform" key, which the client
verifies with ``public_key_pem`` / ``public_key_id`` as it would with WeChat Pay's public
key. Orders, refunds and bills are kept in memory with WeChat's states and errors.

Tests then play the payer and WeChat's back office: ``pay`` (optionally delivering the
TRANSACTION.SUCCESS notification to the order's ``notify_url``), ``expire``,
``notification`` / ``transaction_notification`` / ``refund_notification`` to build
encrypted, signed callbacks, ``plant_bill_mismatch`` / ``plant_bill_extra`` to make the
trade bill disagree with the merchant, and ``outage`` for 500 answers.

Endpoints (signed): ``POST /v3/pay/transactions/{native,h5,jsapi}``,
``GET /v3/pay/transactions/out-trade-no/{no}``,
``POST /v3/pay/transactions/out-trade-no/{no}/close``, ``POST /v3/refund/domestic/refunds``,
``GET /v3/refund/domestic/refunds/{no}``, ``GET /v3/bill/tradebill``,
``GET /v3/billdownload/file``. Unsigned: ``GET /connect/oauth2/authorize``,
``GET /sns/oauth2/access_token``, the H5 cashier ``GET /h5pay/`` and ``POST /h5pay/confirm``.
"""

import base64
import contextlib
import copy
import hashlib
import html
import json
import re
import secrets
import string
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.tickets.loopback import LoopbackServer

AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"
AUTH_FIELDS = {"mchid", "nonce_str", "signature", "timestamp", "serial_no"}
AUTH_PAIR = re.compile(r'\s*(\w+)\s*=\s*"([^"]*)"\s*')
# WeChat refuses requests signed more than five minutes away from its own clock.
CLOCK_SKEW = 300

OUT_TRADE_NO = re.compile(r"[A-Za-z0-9_\-*|]{6,32}")
OUT_REFUND_NO = re.compile(r"[A-Za-z0-9_\-*|@]{1,64}")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
H5_TYPES = {"iOS", "Android", "Wap"}
OAUTH_SCOPES = {"snsapi_base", "snsapi_userinfo"}
OAUTH_CODE_LIFETIME = 300

BEIJING = timezone(timedelta(hours=8))
STATE_DESC = {
    "NOTPAY": "订单未支付",
    "SUCCESS": "支付成功",
    "CLOSED": "订单已关闭",
    "REFUND": "转入退款",
}
FEE_RATE = Decimal("0.006")

BILL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
BILL_SUMMARY_HEADER = (
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
)


class WeChatFailure(Exception):
    """An error answer: the HTTP status and WeChat's ``{"code", "message"}`` body."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"code": code, "message": message, **extra}


@dataclass
class Call:
    """One request as the fake received it.

    ``body`` is the JSON object (or the form fields of the H5 cashier's POST), else None.
    ``signed_ok`` says the merchant signature verified; outside ``/v3/`` none is asked
    for and it is always False.
    """

    method: str
    path: str
    query: dict
    body: dict | None
    signed_ok: bool


class PlainText(str):
    """An answer sent as ``text/plain`` and, as WeChat does for bill files, left unsigned."""


def _param_error(field: str, issue: str, *, location: str = "body") -> WeChatFailure:
    pointer = "/" + field.replace(".", "/")
    return WeChatFailure(
        400,
        "PARAM_ERROR",
        f"输入源“/{location}{pointer}”{issue}",
        detail={"field": pointer, "location": location},
    )


def _required(body: dict, dotted: str):
    node = body
    for part in dotted.split("."):
        if not isinstance(node, dict) or node.get(part) in (None, ""):
            raise _param_error(dotted, "必填性规则校验失败，此字段为必填项")
        node = node[part]
    return node


def _optional(body: dict, dotted: str):
    node = body
    for part in dotted.split("."):
        if not isinstance(node, dict) or node.get(part) is None:
            return None
        node = node[part]
    return node


def _integer(body: dict, dotted: str, *, minimum: int = 1) -> int:
    value = _required(body, dotted)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _param_error(dotted, f"应为不小于 {minimum} 的整数（单位：分）")
    return value


def _string(body: dict, dotted: str) -> str:
    value = _required(body, dotted)
    if not isinstance(value, str):
        raise _param_error(dotted, "应为字符串")
    return value


def _check_notify_url(body: dict, field: str) -> None:
    # WeChat wants an absolute address that it can POST to as it is: no query string.
    url = body[field]
    split = urlsplit(url) if isinstance(url, str) else None
    if split is None or split.scheme not in ("http", "https") or not split.netloc:
        raise _param_error(field, "应为 http 或 https 地址")
    if split.query:
        raise _param_error(field, "不能携带参数")


def _now() -> datetime:
    return datetime.now(BEIJING).replace(microsecond=0)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def _random_string(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _digits(length: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(length))


def _yuan(amount) -> str:
    """Cents (int) or yuan (Decimal) written as yuan with two decimals."""
    if isinstance(amount, int):
        amount = Decimal(amount) / 100
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _fee(yuan: Decimal) -> Decimal:
    return (yuan * FEE_RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _sign(private_key, message: str) -> str:
    signature = private_key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def _json(answer) -> str:
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))


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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """WeChat does not follow a notify_url's redirect: a 3xx is a failed delivery."""

    def redirect_request(self, *args, **kwargs):
        return None


class FakeWeChatPay:
    """In-memory WeChat Pay for one test: start it, point the merchant client at ``url``, stop it."""

    def __init__(
        self,
        *,
        merchant_public_key_pem: bytes,
        mchid: str = "1900000001",
        appid: str = "wx8888888888888888",
        app_secret: str = "fake-app-secret",
        apiv3_key: str = "0123456789abcdef0123456789abcdef",
        merchant_serial: str = "3775B6A45ACD588826D15E583A95F5DD00000001",
    ):
        self.mchid = mchid
        self.appid = appid
        self.app_secret = app_secret
        self.apiv3_key = apiv3_key
        self.merchant_serial = merchant_serial
        self.merchant_public_key = serialization.load_pem_public_key(merchant_public_key_pem)
        # WeChat Pay's own key: answers and notifications are signed with it, and the
        # merchant checks them with the public half, which it knows by its id.
        self.platform_private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key_pem = self.platform_private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key_id = "PUB_KEY_ID_0119000000012026120600000000000001"
        self.openid = "oFakeOpenId0000000000000001"
        self.transactions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.calls: list[Call] = []
        self.deliveries: list[tuple[str, int, str]] = []
        self._prepay: dict[str, str] = {}
        self._codes: dict[str, tuple[str, str, float]] = {}
        self._bills: dict[str, str] = {}
        self._bill_mismatches: dict[str, Decimal] = {}
        self._bill_extras: list[tuple[str, Decimal]] = []
        self._down: set[str] = set()
        self._lock = threading.RLock()
        self._loopback = LoopbackServer(self.handle)
        self.url = self._loopback.url

    def start(self) -> "FakeWeChatPay":
        self._loopback.start()
        return self

    def stop(self) -> None:
        self._loopback.stop()

    # --- what the tests read ------------------------------------------------------

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path == path]

    def transaction(self, out_trade_no: str) -> dict:
        """The order as stored (every field it has so far), not the query's view of it."""
        with self._lock:
            return self._public(self.transactions[out_trade_no])

    def refunds_of(self, out_trade_no: str) -> list[dict]:
        """The order's refunds, oldest first, as the refund query answers them."""
        with self._lock:
            return [
                self._public(r) for r in self.refunds.values() if r["out_trade_no"] == out_trade_no
            ]

    @staticmethod
    def _public(obj: dict) -> dict:
        return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}

    # --- HTTP ---------------------------------------------------------------------

    def handle(self, method: str, target: str, headers, body: bytes) -> tuple[int, bytes, dict]:
        """One request: ``(status, body bytes, headers)`` for the handler to send."""
        split = urlsplit(target)
        path = split.path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        text = body.decode("utf-8", errors="replace")
        signed_ok, refusal = False, None
        if path.startswith("/v3/"):
            refusal = self._refusal(method, target, headers, text)
            signed_ok = refusal is None
        with self._lock:
            self.calls.append(Call(method, path, query, _parsed(headers, text), signed_ok))
            down = any(path.startswith(prefix) for prefix in self._down)
        if path.startswith("/v3/"):
            return self._v3(method, path, query, text, down=down, refusal=refusal)
        if down:
            return self._json_answer(500, {"code": "SYSTEM_ERROR", "message": "系统繁忙"})
        if method == "GET" and path == "/connect/oauth2/authorize":
            return self._authorize(query)
        if method == "GET" and path == "/sns/oauth2/access_token":
            return self._json_answer(200, self._access_token(query))
        if method == "GET" and path == "/h5pay/":
            return self._cashier(query)
        if method == "POST" and path == "/h5pay/confirm":
            return self._cashier_confirm(dict(parse_qsl(text, keep_blank_values=True)))
        return self._html(404, "页面不存在", "<h1>页面不存在</h1>")

    def _v3(self, method, path, query, text, *, down: bool, refusal: str | None):
        try:
            if down:
                raise WeChatFailure(500, "SYSTEM_ERROR", "系统错误，请稍后重试")
            if refusal is not None:
                raise WeChatFailure(401, "SIGN_ERROR", refusal)
            body = None
            if method in ("POST", "PUT", "PATCH"):
                try:
                    body = json.loads(text)
                except ValueError:
                    raise WeChatFailure(400, "PARAM_ERROR", "请求体不是合法的 JSON") from None
                if not isinstance(body, dict):
                    raise WeChatFailure(400, "PARAM_ERROR", "请求体应为 JSON 对象")
            with self._lock:
                status, answer = self._route(method, path, query, body)
        except WeChatFailure as failure:
            status, answer = failure.status, failure.body
        request_id = {"Request-ID": secrets.token_hex(16).upper()}
        if isinstance(answer, PlainText):
            data = answer.encode()
            return status, data, {"Content-Type": "text/plain; charset=utf-8", **request_id}
        payload = "" if answer is None else _json(answer)
        headers = {**self._signed_headers(payload), **request_id}
        if payload:
            headers["Content-Type"] = "application/json; charset=utf-8"
        return status, payload.encode(), headers

    def _refusal(self, method: str, target: str, headers, text: str) -> str | None:
        """Why the merchant signature is refused, or None when it verifies."""
        authorization = (headers.get("Authorization") or "").strip()
        scheme, _, rest = authorization.partition(" ")
        if scheme != AUTH_SCHEME:
            return f"Authorization 头缺失或认证类型不是 {AUTH_SCHEME}"
        fields = {}
        for part in rest.split(","):
            match = AUTH_PAIR.fullmatch(part)
            if match is None or match[1] in fields:
                return "Authorization 头格式错误"
            fields[match[1]] = match[2]
        if set(fields) != AUTH_FIELDS:
            return f"Authorization 头应含且仅含 {', '.join(sorted(AUTH_FIELDS))}"
        if fields["mchid"] != self.mchid:
            return "商户号与签名不匹配"
        if fields["serial_no"] != self.merchant_serial:
            return "商户证书序列号有误"
        try:
            timestamp = int(fields["timestamp"])
        except ValueError:
            return "timestamp 不是整数"
        if abs(time.time() - timestamp) > CLOCK_SKEW:
            return "签名已过期（timestamp 与当前时间相差超过五分钟）"
        message = f"{method}\n{target}\n{fields['timestamp']}\n{fields['nonce_str']}\n{text}\n"
        try:
            signature = base64.b64decode(fields["signature"], validate=True)
            self.merchant_public_key.verify(
                signature, message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (ValueError, InvalidSignature):
            return "签名错误"
        return None

    def _signed_headers(self, payload: str, *, key=None, timestamp: int | None = None) -> dict:
        timestamp = int(time.time()) if timestamp is None else timestamp
        nonce = _random_string(32)
        signature = _sign(key or self.platform_private_key, f"{timestamp}\n{nonce}\n{payload}\n")
        return {
            "Wechatpay-Timestamp": str(timestamp),
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": self.public_key_id,
            "Wechatpay-Signature-Type": AUTH_SCHEME,
        }

    @staticmethod
    def _json_answer(status: int, answer: dict) -> tuple[int, bytes, dict]:
        return status, _json(answer).encode(), {"Content-Type": "application/json; encoding=utf-8"}

    @staticmethod
    def _html(status: int, title: str, body: str, **headers) -> tuple[int, bytes, dict]:
        return (
            status,
            _page(title, body).encode(),
            {"Content-Type": "text/html; charset=utf-8", **headers},
        )

    def _route(self, method: str, path: str, query: dict, body: dict | None):
        for trade_type in ("native", "h5", "jsapi"):
            if (method, path) == ("POST", f"/v3/pay/transactions/{trade_type}"):
                return 200, self._create(trade_type.upper(), body)
        if (method, path) == ("POST", "/v3/refund/domestic/refunds"):
            return 200, self._refund(body)
        if (method, path) == ("GET", "/v3/bill/tradebill"):
            return 200, self._tradebill(query)
        if (method, path) == ("GET", "/v3/billdownload/file"):
            bill = self._bills.get(query.get("token", ""))
            if bill is None:
                raise WeChatFailure(404, "RESOURCE_NOT_EXISTS", "账单文件不存在或已过期")
            return 200, PlainText(bill)
        trade_path = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)(/close)?", path)
        if trade_path and method == "GET" and not trade_path[2]:
            return 200, self._query(unquote(trade_path[1]), query)
        if trade_path and method == "POST" and trade_path[2]:
            self._close(unquote(trade_path[1]), body)
            return 204, None
        refund_path = re.fullmatch(r"/v3/refund/domestic/refunds/([^/]+)", path)
        if refund_path and method == "GET":
            refund = self.refunds.get(unquote(refund_path[1]))
            if refund is None:
                raise WeChatFailure(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
            return 200, self._public(refund)
        raise WeChatFailure(404, "RESOURCE_NOT_EXISTS", f"无效的请求地址：{method} {path}")

    # --- orders -------------------------------------------------------------------

    def _create(self, trade_type: str, body: dict) -> dict:
        self._check_order(trade_type, body)
        out_trade_no = body["out_trade_no"]
        existing = self.transactions.get(out_trade_no)
        if existing is not None:
            # WeChat answers a repeated identical order with the first answer; any other
            # order under the same number is refused, and so is one already paid or closed.
            if existing["trade_state"] in ("SUCCESS", "REFUND"):
                raise WeChatFailure(400, "ORDERPAID", "该订单已支付")
            if existing["trade_state"] == "CLOSED":
                raise WeChatFailure(400, "ORDER_CLOSED", "订单已关闭")
            if existing["trade_type"] != trade_type or existing["_request"] != body:
                raise WeChatFailure(400, "INVALID_REQUEST", "201 商户订单号重复")
            return copy.deepcopy(existing["_answer"])
        prepay_id = f"wx{_now():%d%H%M%S}{secrets.token_hex(13)}"
        if trade_type == "NATIVE":
            answer = {"code_url": f"weixin://wxpay/bizpayurl?pr={_random_string(9)}"}
        elif trade_type == "H5":
            answer = {"h5_url": f"{self.url}/h5pay/?prepay_id={prepay_id}"}
        else:
            answer = {"prepay_id": prepay_id}
        trade = {
            "appid": body["appid"],
            "mchid": body["mchid"],
            "description": body["description"],
            "out_trade_no": out_trade_no,
            "time_expire": body.get("time_expire"),
            "notify_url": body["notify_url"],
            "amount": {"total": body["amount"]["total"], "currency": "CNY"},
            "trade_type": trade_type,
            "trade_state": "NOTPAY",
            "trade_state_desc": STATE_DESC["NOTPAY"],
            "_request": copy.deepcopy(body),
            "_answer": copy.deepcopy(answer),
            "_prepay_id": prepay_id,
            "_refunded": 0,
            "_paid_at": None,
        }
        if trade_type == "JSAPI":
            trade["payer"] = {"openid": body["payer"]["openid"]}
        if body.get("attach") is not None:
            trade["attach"] = body["attach"]
        self.transactions[out_trade_no] = trade
        self._prepay[prepay_id] = out_trade_no
        return answer

    def _check_order(self, trade_type: str, body: dict) -> None:
        if _string(body, "appid") != self.appid:
            raise _param_error("appid", "与商户号绑定的 appid 不一致")
        if _string(body, "mchid") != self.mchid:
            raise _param_error("mchid", "与请求的商户号不一致")
        description = _string(body, "description")
        if not 1 <= len(description.encode()) <= 127:
            raise _param_error("description", "长度应为 1 到 127 字节")
        if not OUT_TRADE_NO.fullmatch(_string(body, "out_trade_no")):
            raise _param_error("out_trade_no", "应为 6 到 32 位字母、数字或 _-*|")
        _string(body, "notify_url")
        _check_notify_url(body, "notify_url")
        if not isinstance(_required(body, "amount"), dict):
            raise _param_error("amount", "应为对象")
        _integer(body, "amount.total")
        if body["amount"].get("currency", "CNY") != "CNY":
            raise _param_error("amount.currency", "只支持 CNY")
        if body.get("time_expire") is not None:
            time_expire = body["time_expire"]
            if not isinstance(time_expire, str) or not RFC3339.fullmatch(time_expire):
                raise _param_error(
                    "time_expire", "应为 RFC 3339 时间，如 2026-12-06T10:00:00+08:00"
                )
            if datetime.fromisoformat(time_expire) <= datetime.now(BEIJING):
                raise _param_error("time_expire", "应晚于当前时间")
        attach = body.get("attach")
        if attach is not None and (not isinstance(attach, str) or len(attach) > 128):
            raise _param_error("attach", "应为不超过 128 个字符的字符串")
        if trade_type == "H5":
            _string(body, "scene_info.payer_client_ip")
            if _string(body, "scene_info.h5_info.type") not in H5_TYPES:
                raise _param_error("scene_info.h5_info.type", "应为 iOS、Android 或 Wap")
        if trade_type == "JSAPI":
            _string(body, "payer.openid")

    def _trade(self, out_trade_no: str) -> dict:
        trade = self.transactions.get(out_trade_no)
        if trade is None:
            raise WeChatFailure(404, "ORDER_NOT_EXIST", "订单不存在")
        return trade

    def _check_mchid(self, value, location: str) -> None:
        if not value:
            raise _param_error("mchid", "必填性规则校验失败，此字段为必填项", location=location)
        if value != self.mchid:
            raise _param_error("mchid", "与请求的商户号不一致", location=location)

    def _query(self, out_trade_no: str, query: dict) -> dict:
        self._check_mchid(query.get("mchid"), "query")
        return self._view(self._trade(out_trade_no))

    def _view(self, trade: dict) -> dict:
        """The order as WeChat's query (and its notification) shows it."""
        paid = trade.get("transaction_id") is not None
        view = {
            "appid": trade["appid"],
            "mchid": trade["mchid"],
            "out_trade_no": trade["out_trade_no"],
            "trade_type": trade["trade_type"],
            "trade_state": trade["trade_state"],
            "trade_state_desc": trade["trade_state_desc"],
        }
        if paid:
            view["transaction_id"] = trade["transaction_id"]
            view["bank_type"] = "OTHERS"
            view["success_time"] = trade["success_time"]
        if trade.get("attach") is not None:
            view["attach"] = trade["attach"]
        if trade.get("payer"):
            view["payer"] = dict(trade["payer"])
        amount = {"total": trade["amount"]["total"]}
        if paid:
            amount["payer_total"] = trade["amount"]["total"]
        view["amount"] = {**amount, "currency": "CNY", "payer_currency": "CNY"}
        return view

    def _close(self, out_trade_no: str, body: dict) -> None:
        self._check_mchid(body.get("mchid"), "body")
        trade = self._trade(out_trade_no)
        if trade["trade_state"] in ("SUCCESS", "REFUND"):
            raise WeChatFailure(400, "ORDERPAID", "订单已支付，不能关闭")
        trade.update(trade_state="CLOSED", trade_state_desc=STATE_DESC["CLOSED"])

    # --- refunds ------------------------------------------------------------------

    def _refund(self, body: dict) -> dict:
        out_refund_no = _string(body, "out_refund_no")
        if not OUT_REFUND_NO.fullmatch(out_refund_no):
            raise _param_error("out_refund_no", "应为 1 到 64 位字母、数字或 _-|*@")
        if not isinstance(_required(body, "amount"), dict):
            raise _param_error("amount", "应为对象")
        refund = _integer(body, "amount.refund")
        total = _integer(body, "amount.total")
        if _string(body, "amount.currency") != "CNY":
            raise _param_error("amount.currency", "只支持 CNY")
        reason = body.get("reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 80):
            raise _param_error("reason", "应为不超过 80 个字符的字符串")
        if body.get("notify_url") is not None:
            _check_notify_url(body, "notify_url")
        if body.get("out_trade_no"):
            trade = self.transactions.get(body["out_trade_no"])
        elif body.get("transaction_id"):
            trade = next(
                (
                    t
                    for t in self.transactions.values()
                    if t.get("transaction_id") == body["transaction_id"]
                ),
                None,
            )
        else:
            raise _param_error("out_trade_no", "out_trade_no 与 transaction_id 必填其一")
        if trade is None:
            raise WeChatFailure(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        existing = self.refunds.get(out_refund_no)
        if existing is not None:
            # The refund number is the idempotency key: a repeat gives the refund already
            # made and moves no more money; the same number for another refund is refused.
            same = (
                existing["out_trade_no"] == trade["out_trade_no"]
                and existing["amount"]["refund"] == refund
                and existing["amount"]["total"] == total
            )
            if not same:
                raise WeChatFailure(400, "INVALID_REQUEST", "商户退款单号重复，且退款参数不一致")
            return self._public(existing)
        if trade["trade_state"] not in ("SUCCESS", "REFUND"):
            raise WeChatFailure(400, "INVALID_REQUEST", "订单未支付，不能退款")
        if total != trade["amount"]["total"]:
            raise _param_error("amount.total", "与原订单金额不一致")
        left = trade["amount"]["total"] - trade["_refunded"]
        if refund > left:
            raise WeChatFailure(
                403, "NOT_ENOUGH", f"申请退款金额超过订单可退金额（剩余 {left} 分）"
            )
        now = _now()
        record = {
            "refund_id": f"50000000{_digits(21)}",
            "out_refund_no": out_refund_no,
            "transaction_id": trade["transaction_id"],
            "out_trade_no": trade["out_trade_no"],
            "channel": "ORIGINAL",
            "status": "SUCCESS",
            "success_time": _rfc3339(now),
            "create_time": _rfc3339(now),
            "amount": {
                "total": total,
                "refund": refund,
                "payer_total": total,
                "payer_refund": refund,
                "currency": "CNY",
            },
            "_reason": reason,
            "_notify_url": body.get("notify_url"),
            "_at": now,
        }
        self.refunds[out_refund_no] = record
        trade["_refunded"] += refund
        trade.update(trade_state="REFUND", trade_state_desc=STATE_DESC["REFUND"])
        return self._public(record)

    # --- bills --------------------------------------------------------------------

    def _tradebill(self, query: dict) -> dict:
        bill_date = query.get("bill_date", "")
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", bill_date):
                raise ValueError(bill_date)
            day = date.fromisoformat(bill_date)
        except ValueError:
            raise _param_error(
                "bill_date", "应为 YYYY-MM-DD 格式的日期", location="query"
            ) from None
        if day > _now().date():
            raise _param_error("bill_date", "不能晚于今天", location="query")
        bill_type = query.get("bill_type", "ALL")
        if bill_type not in ("ALL", "SUCCESS", "REFUND"):
            raise _param_error("bill_type", "应为 ALL、SUCCESS 或 REFUND", location="query")
        if "tar_type" in query:
            raise _param_error("tar_type", "本模拟服务只提供未压缩的账单", location="query")
        bill = self._bill(day, bill_type)
        if bill is None:
            raise WeChatFailure(400, "NO_STATEMENT_EXIST", "当日无交易，账单不存在")
        token = secrets.token_urlsafe(16)
        self._bills[token] = bill
        return {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(bill.encode()).hexdigest(),
            "download_url": f"{self.url}/v3/billdownload/file?token={token}",
        }

    def _bill(self, day: date, bill_type: str) -> str | None:
        """WeChat's trade bill for ``day`` (Beijing time), simplified; None when it is empty."""
        rows: list[tuple[list[str], Decimal, Decimal, Decimal]] = []
        if bill_type in ("ALL", "SUCCESS"):
            for trade in self.transactions.values():
                paid_at = trade["_paid_at"]
                if paid_at is None or paid_at.date() != day:
                    continue
                total = Decimal(_yuan(trade["amount"]["total"]))
                planted = self._bill_mismatches.pop(trade["out_trade_no"], None)
                total = total if planted is None else planted
                rows.append(self._bill_row(trade, paid_at, total))
            for out_trade_no, total in self._bill_extras:
                noon = datetime.combine(day, datetime.min.time(), BEIJING).replace(hour=12)
                stranger = {
                    "out_trade_no": out_trade_no,
                    "transaction_id": f"4200{_digits(24)}",
                    "trade_type": "NATIVE",
                    "payer": {"openid": self.openid},
                    "description": "商品",
                }
                rows.append(self._bill_row(stranger, noon, total))
            self._bill_extras.clear()
        if bill_type in ("ALL", "REFUND"):
            for refund in self.refunds.values():
                if refund["_at"].date() == day:
                    rows.append(self._bill_refund_row(refund))
        if not rows:
            return None
        lines = [BILL_HEADER]
        lines += [",".join(f"`{field}" for field in row) for row, _, _, _ in rows]
        settled = sum((r[1] for r in rows), Decimal("0"))
        refunded = sum((r[2] for r in rows), Decimal("0"))
        fees = sum((r[3] for r in rows), Decimal("0"))
        lines.append(BILL_SUMMARY_HEADER)
        summary = [len(rows), settled, refunded, Decimal("0"), fees, settled, refunded]
        lines.append(",".join(f"`{v}" if isinstance(v, int) else f"`{_yuan(v)}" for v in summary))
        return "\n".join(lines) + "\n"

    def _bill_row(self, trade: dict, at: datetime, total: Decimal):
        fee = _fee(total)
        row = [
            f"{at:%Y-%m-%d %H:%M:%S}",
            self.appid,
            self.mchid,
            "0",
            "",
            trade["transaction_id"],
            trade["out_trade_no"],
            (trade.get("payer") or {}).get("openid", ""),
            trade["trade_type"],
            "SUCCESS",
            "OTHERS",
            "CNY",
            _yuan(total),
            "0.00",
            "0",
            "0",
            "0.00",
            "0.00",
            "",
            "",
            trade["description"],
            trade.get("attach") or "",
            _yuan(fee),
            "0.60%",
            _yuan(total),
            "0.00",
            "",
        ]
        return row, total, Decimal("0"), fee

    def _bill_refund_row(self, refund: dict):
        trade = self.transactions[refund["out_trade_no"]]
        amount = Decimal(_yuan(refund["amount"]["refund"]))
        fee = -_fee(amount)
        row = [
            f"{refund['_at']:%Y-%m-%d %H:%M:%S}",
            self.appid,
            self.mchid,
            "0",
            "",
            trade["transaction_id"],
            trade["out_trade_no"],
            trade["payer"]["openid"],
            trade["trade_type"],
            "REFUND",
            "OTHERS",
            "CNY",
            "0.00",
            "0.00",
            refund["refund_id"],
            refund["out_refund_no"],
            _yuan(amount),
            "0.00",
            "ORIGINAL",
            "SUCCESS",
            trade["description"],
            trade.get("attach") or "",
            _yuan(fee),
            "0.60%",
            _yuan(trade["amount"]["total"]),
            _yuan(amount),
            "",
        ]
        return row, Decimal("0"), amount, fee

    def plant_bill_mismatch(self, out_trade_no: str, total_yuan: str) -> None:
        """The next bill that lists this trade shows ``total_yuan`` (e.g. "59.00") for it."""
        with self._lock:
            self._bill_mismatches[out_trade_no] = Decimal(total_yuan)

    def plant_bill_extra(self, out_trade_no: str, total_yuan: str) -> None:
        """The next bill (whatever its date) lists a paid trade the merchant never made."""
        with self._lock:
            self._bill_extras.append((out_trade_no, Decimal(total_yuan)))

    # --- the payer and WeChat's back office -----------------------------------------

    def pay(
        self,
        out_trade_no: str,
        *,
        openid: str | None = None,
        notify: bool = False,
        at: datetime | None = None,
    ) -> dict:
        """The payer pays the whole order; returns the stored order.

        ``at`` backdates the payment (it decides which day's bill lists it). With
        ``notify`` the TRANSACTION.SUCCESS notification is POSTed to the order's
        notify_url from this thread and the answer's status kept in ``deliveries``.
        """
        with self._lock:
            trade = self.transactions.get(out_trade_no)
            if trade is None:
                raise ValueError(f"no order {out_trade_no}")
            if trade["trade_state"] == "CLOSED":
                raise ValueError(f"order {out_trade_no} is closed")
            if trade["trade_state"] != "NOTPAY":
                raise ValueError(f"order {out_trade_no} is already paid")
            if trade.get("time_expire") and datetime.fromisoformat(
                trade["time_expire"]
            ) <= datetime.now(BEIJING):
                raise ValueError(f"order {out_trade_no} has expired")
            paid_at = (at or _now()).astimezone(BEIJING).replace(microsecond=0)
            known = (trade.get("payer") or {}).get("openid")
            trade.update(
                trade_state="SUCCESS",
                trade_state_desc=STATE_DESC["SUCCESS"],
                transaction_id=f"4200{_digits(6)}{paid_at:%Y%m%d}{_digits(10)}",
                success_time=_rfc3339(paid_at),
                payer={"openid": openid or known or self.openid},
                _paid_at=paid_at,
            )
            stored = self._public(trade)
            if notify:
                url = trade["notify_url"]
                body, headers = self.transaction_notification(out_trade_no)
        # Delivered outside the lock: the merchant's handler may well query this fake.
        if notify:
            self._deliver(url, body, headers)
        return stored

    def expire(self, out_trade_no: str) -> dict:
        """The order's time_expire passes unpaid: WeChat closes it."""
        with self._lock:
            trade = self.transactions[out_trade_no]
            if trade["trade_state"] != "NOTPAY":
                raise ValueError(f"order {out_trade_no} is {trade['trade_state']}, cannot expire")
            trade.update(trade_state="CLOSED", trade_state_desc=STATE_DESC["CLOSED"])
            return self._public(trade)

    def _deliver(self, url: str, body: bytes, headers: dict) -> int:
        request = urllib.request.Request(
            url, data=body, headers={**headers, "User-Agent": "Mozilla/4.0"}, method="POST"
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
        return status

    # --- notifications ----------------------------------------------------------------

    def notification(
        self,
        event_type: str,
        resource: dict,
        *,
        original_type: str = "transaction",
        notification_id: str | None = None,
        timestamp: int | None = None,
        key=None,
        summary: str | None = None,
    ) -> tuple[bytes, dict]:
        """``(body, headers)`` of a notification WeChat would POST about ``resource``.

        The resource is encrypted with AEAD_AES_256_GCM under the APIv3 key and the body
        signed like an answer; ``key`` (a private key or its PEM) signs instead of the
        platform key, ``timestamp`` backdates the signature.
        """
        nonce = _random_string(12)
        plaintext = _json(resource).encode()
        ciphertext = AESGCM(self.apiv3_key.encode()).encrypt(
            nonce.encode(), plaintext, original_type.encode()
        )
        if summary is None:
            summary = "退款成功" if event_type.startswith("REFUND.") else "支付成功"
        payload = _json(
            {
                "id": notification_id or str(uuid.uuid4()),
                "create_time": _rfc3339(_now()),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": summary,
                "resource": {
                    "original_type": original_type,
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(ciphertext).decode(),
                    "associated_data": original_type,
                    "nonce": nonce,
                },
            }
        )
        if isinstance(key, bytes | str):
            key = serialization.load_pem_private_key(
                key.encode() if isinstance(key, str) else key, password=None
            )
        headers = self._signed_headers(payload, key=key, timestamp=timestamp)
        headers["Content-Type"] = "application/json"
        return payload.encode(), headers

    def out_trade_no_for(self, prepay_id: str) -> str:
        """The trade a JSAPI or H5 ``prepay_id`` pays, as WeChat's payment sheet finds it."""
        with self._lock:
            return self._prepay[prepay_id]

    def sign_body(self, body: bytes) -> tuple[bytes, dict]:
        """``body`` signed by the platform key as a notification is: a tampered body re-signed."""
        headers = self._signed_headers(body.decode())
        headers["Content-Type"] = "application/json"
        return body, headers

    def transaction_notification(self, out_trade_no: str, **kwargs) -> tuple[bytes, dict]:
        """TRANSACTION.SUCCESS about the order, as its query answers it now."""
        with self._lock:
            resource = self._view(self.transactions[out_trade_no])
        return self.notification(
            "TRANSACTION.SUCCESS", resource, original_type="transaction", **kwargs
        )

    def refund_notification(self, out_refund_no: str, **kwargs) -> tuple[bytes, dict]:
        """REFUND.SUCCESS about a refund already made."""
        with self._lock:
            refund = self.refunds[out_refund_no]
            amount = refund["amount"]
            resource = {
                "mchid": self.mchid,
                "out_trade_no": refund["out_trade_no"],
                "transaction_id": refund["transaction_id"],
                "out_refund_no": refund["out_refund_no"],
                "refund_id": refund["refund_id"],
                "refund_status": "SUCCESS",
                "success_time": refund["success_time"],
                "amount": {
                    "total": amount["total"],
                    "refund": amount["refund"],
                    "payer_total": amount["payer_total"],
                    "payer_refund": amount["payer_refund"],
                },
            }
        return self.notification("REFUND.SUCCESS", resource, original_type="refund", **kwargs)

    # --- an outage --------------------------------------------------------------------

    @contextlib.contextmanager
    def outage(self, path_prefix: str):
        """Every request under ``path_prefix`` gets 500 SYSTEM_ERROR while this lasts."""
        with self._lock:
            self._down.add(path_prefix)
        try:
            yield
        finally:
            with self._lock:
                self._down.discard(path_prefix)

    # --- WeChat web OAuth (official account) --------------------------------------------

    def _authorize(self, query: dict):
        """The consent step: WeChat sends the browser back to redirect_uri with a code."""
        if query.get("appid") != self.appid:
            return self._html(400, "参数错误", "<h1>appid 参数错误</h1>")
        redirect_uri = query.get("redirect_uri", "")
        if urlsplit(redirect_uri).scheme not in ("http", "https"):
            return self._html(400, "参数错误", "<h1>redirect_uri 参数错误</h1>")
        if query.get("response_type") != "code":
            return self._html(400, "参数错误", "<h1>response_type 参数错误</h1>")
        scope = query.get("scope", "")
        if scope not in OAUTH_SCOPES:
            return self._html(400, "参数错误", "<h1>scope 参数错误</h1>")
        code = _random_string(32)
        with self._lock:
            self._codes[code] = (self.openid, scope, time.time())
        location = _with_params(redirect_uri, {"code": code, "state": query.get("state", "")})
        return self._html(302, "跳转", "<p>正在跳转</p>", Location=location)

    def _access_token(self, query: dict) -> dict:
        # WeChat answers these with HTTP 200 and an errcode in the body.
        if query.get("appid") != self.appid:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.app_secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        if query.get("grant_type") != "authorization_code":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        with self._lock:
            issued = self._codes.pop(query.get("code", ""), None)
        if issued is None or time.time() - issued[2] > OAUTH_CODE_LIFETIME:
            return {"errcode": 40029, "errmsg": "invalid code"}
        openid, scope, _ = issued
        return {
            "access_token": _random_string(64),
            "expires_in": 7200,
            "refresh_token": _random_string(64),
            "openid": openid,
            "scope": scope,
        }

    # --- the H5 cashier -----------------------------------------------------------------

    def _cashier_trade(self, prepay_id: str) -> dict | None:
        with self._lock:
            out_trade_no = self._prepay.get(prepay_id)
            trade = self.transactions.get(out_trade_no) if out_trade_no else None
            if trade is None or trade["trade_type"] != "H5":
                return None
            return self._public(trade)

    def _cashier(self, query: dict):
        """What the payer's phone shows after the site sends it to h5_url."""
        trade = self._cashier_trade(query.get("prepay_id", ""))
        if trade is None:
            return self._html(404, "微信支付", "<h1>订单不存在</h1>")
        heading = (
            f"<h1>微信支付</h1><p>{html.escape(trade['description'])}</p>"
            f"<p>¥{_yuan(trade['amount']['total'])}</p>"
        )
        if trade["trade_state"] != "NOTPAY":
            return self._html(200, "微信支付", f"{heading}<p>{trade['trade_state_desc']}</p>")
        form = (
            '<form method="post" action="/h5pay/confirm">'
            f'<input type="hidden" name="prepay_id" value="{html.escape(query["prepay_id"])}">'
            '<input type="hidden" name="redirect_url" '
            f'value="{html.escape(query.get("redirect_url", ""))}">'
            '<button type="submit">确认支付</button></form>'
        )
        return self._html(200, "微信支付", heading + form)

    def _cashier_confirm(self, form: dict):
        trade = self._cashier_trade(form.get("prepay_id", ""))
        if trade is None:
            return self._html(404, "微信支付", "<h1>订单不存在</h1>")
        try:
            self.pay(trade["out_trade_no"], notify=True)
        except ValueError:
            return self._html(400, "微信支付", "<h1>订单不能支付</h1>")
        if form.get("redirect_url"):
            return self._html(302, "跳转", "<p>正在跳转</p>", Location=form["redirect_url"])
        return self._html(200, "支付成功", "<h1>支付成功</h1>")


def _parsed(headers, text: str) -> dict | None:
    """The request body as a dict for ``Call``: JSON, or form fields, else None."""
    if not text:
        return None
    if (headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(text, keep_blank_values=True))
    try:
        body = json.loads(text)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def merchant_key_pair():
    """A merchant's API key, as a test generates it: RSA-2048."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def configure(settings, fake: "FakeWeChatPay", merchant_key) -> None:
    """Point every WeChat Pay setting at ``fake``, with ``merchant_key`` as the merchant's key."""
    settings.STRIPE_SECRET_KEY = ""
    settings.WECHAT_PAY_MCHID = fake.mchid
    settings.WECHAT_PAY_APPID = fake.appid
    settings.WECHAT_PAY_APP_SECRET = fake.app_secret
    settings.WECHAT_PAY_CERT_SERIAL_NO = fake.merchant_serial
    settings.WECHAT_PAY_PRIVATE_KEY = merchant_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings.WECHAT_PAY_APIV3_KEY = fake.apiv3_key
    settings.WECHAT_PAY_PUBLIC_KEY = fake.public_key_pem.decode()
    settings.WECHAT_PAY_PUBLIC_KEY_ID = fake.public_key_id
    settings.WECHAT_PAY_API_BASE = fake.url
    settings.WECHAT_OAUTH_BASE = fake.url
    settings.WECHAT_API_BASE = fake.url
    settings.WECHAT_PAY_CHECKOUT_ORIGINS = [fake.url]


def public_pem(private_key) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
