"""A small client of WeChat Pay's API v3, over ``requests``, for a directly connected merchant.

Every request is signed with the merchant's private key (SHA256 with RSA, PKCS#1 v1.5)
over ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n``; every answer and every notification is
verified with WeChat Pay's public key over ``TIMESTAMP\\nNONCE\\nBODY\\n`` before anything
in it is believed; a notification's resource is decrypted with the API v3 key
(AEAD_AES_256_GCM). The base URL is a setting, so the tests point it at a fake on loopback.
"""

import base64
import datetime
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings

from .base import PaymentUnavailable

# WeChat Pay refuses a signature older than five minutes; an answer or notification
# older than that is refused here too (a replay of a captured message).
MAX_CLOCK_SKEW = 300
TIMEOUT = 10

# cryptography is imported in the methods that sign, verify and decrypt: the notification
# view imports this module with the URLconf, and a web worker that takes no WeChat payment
# need not hold cryptography's compiled bindings (about 7 MiB).


class NotGenuine(Exception):
    """A message claims to come from WeChat Pay but does not verify."""


class WeChatPayError(PaymentUnavailable):
    """WeChat Pay answered with an error (``code`` as it says) or could not be reached."""

    def __init__(self, message: str, *, code: str = "", status: int = 0):
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Merchant:
    """What WeChat Pay knows the park by, from settings."""

    mchid: str
    appid: str
    serial_no: str
    private_key_pem: str
    apiv3_key: str
    public_key_pem: str
    public_key_id: str
    base_url: str

    @classmethod
    def from_settings(cls) -> "Merchant":
        return cls(
            mchid=settings.WECHAT_PAY_MCHID,
            appid=settings.WECHAT_PAY_APPID,
            serial_no=settings.WECHAT_PAY_CERT_SERIAL_NO,
            private_key_pem=settings.WECHAT_PAY_PRIVATE_KEY,
            apiv3_key=settings.WECHAT_PAY_APIV3_KEY,
            public_key_pem=settings.WECHAT_PAY_PUBLIC_KEY,
            public_key_id=settings.WECHAT_PAY_PUBLIC_KEY_ID,
            base_url=settings.WECHAT_PAY_API_BASE.rstrip("/"),
        )

    @cached_property
    def private_key(self):
        from cryptography.hazmat.primitives import serialization

        return serialization.load_pem_private_key(self.private_key_pem.encode(), password=None)

    @cached_property
    def public_key(self):
        from cryptography.hazmat.primitives import serialization

        return serialization.load_pem_public_key(self.public_key_pem.encode())

    def sign(self, message: str) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        signature = self.private_key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()

    def verify(self, headers, body: bytes, *, now: float | None = None) -> None:
        """Raise ``NotGenuine`` unless ``body`` carries WeChat Pay's valid, fresh signature."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        timestamp = headers.get("Wechatpay-Timestamp") or ""
        nonce = headers.get("Wechatpay-Nonce") or ""
        signature = headers.get("Wechatpay-Signature") or ""
        serial = headers.get("Wechatpay-Serial") or ""
        if serial != self.public_key_id:
            raise NotGenuine(f"signed with key {serial!r}, not WeChat Pay's {self.public_key_id!r}")
        if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > MAX_CLOCK_SKEW:
            raise NotGenuine("the signature's timestamp is missing or too old")
        try:
            message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
            self.public_key.verify(
                base64.b64decode(signature, validate=True),
                message,
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError) as error:
            raise NotGenuine("the signature does not verify") from error

    def decrypt(self, resource: dict) -> dict:
        """A notification's resource, decrypted with the API v3 key; ``NotGenuine`` if tampered."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            plain = AESGCM(self.apiv3_key.encode()).decrypt(
                resource["nonce"].encode(),
                base64.b64decode(resource["ciphertext"], validate=True),
                (resource.get("associated_data") or "").encode(),
            )
            data = json.loads(plain)
        except (InvalidTag, KeyError, TypeError, AttributeError, ValueError) as error:
            raise NotGenuine("the resource does not decrypt with the API v3 key") from error
        if not isinstance(data, dict):
            raise NotGenuine("the resource is not an object")
        return data

    def jsapi_parameters(self, prepay_id: str) -> dict:
        """What the page hands to WeixinJSBridge's getBrandWCPayRequest, signed (RSA)."""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        return {
            "appId": self.appid,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": self.sign(f"{self.appid}\n{timestamp}\n{nonce}\n{package}\n"),
        }


class WeChatPayClient:
    """The calls Huagu makes; each answer is verified before it is returned."""

    def __init__(self, merchant: Merchant | None = None):
        self.merchant = merchant or Merchant.from_settings()

    def _send(self, method: str, url: str, target: str, text: str = "") -> requests.Response:
        """``url`` requested, signed over ``target`` (its path and query); the answer unverified."""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = self.merchant.sign(f"{method}\n{target}\n{timestamp}\n{nonce}\n{text}\n")
        authorization = (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{self.merchant.mchid}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{timestamp}",serial_no="{self.merchant.serial_no}"'
        )
        headers = {
            "Authorization": authorization,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Wechatpay-Serial": self.merchant.public_key_id,
        }
        try:
            return requests.request(
                method,
                url,
                data=text.encode() if text else None,
                headers=headers,
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise WeChatPayError(f"WeChat Pay could not be reached: {error}") from error

    def _request(self, method: str, path: str, *, query=None, body=None) -> dict:
        target = path + (f"?{urlencode(query)}" if query else "")
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body else ""
        response = self._send(method, self.merchant.base_url + target, target, text)
        try:
            self.merchant.verify(response.headers, response.content)
        except NotGenuine as error:
            raise WeChatPayError(f"WeChat Pay's answer does not verify: {error}") from error
        data = response.json() if response.content else {}
        if response.status_code >= 400:
            raise WeChatPayError(
                f"WeChat Pay refused {method} {path}: {data.get('message', '')}",
                code=data.get("code", ""),
                status=response.status_code,
            )
        return data

    def _order(self, kind: str, **fields) -> dict:
        return self._request(
            "POST",
            f"/v3/pay/transactions/{kind}",
            body={"appid": self.merchant.appid, "mchid": self.merchant.mchid, **fields},
        )

    def native(self, **fields) -> str:
        """A Native payment: the ``code_url`` the page shows as a QR code."""
        return self._order("native", **fields)["code_url"]

    def h5(self, *, client_ip: str, **fields) -> str:
        """An H5 payment for a phone browser outside WeChat: the cashier's ``h5_url``."""
        scene = {"payer_client_ip": client_ip, "h5_info": {"type": "Wap"}}
        return self._order("h5", scene_info=scene, **fields)["h5_url"]

    def jsapi(self, *, openid: str, **fields) -> str:
        """A JSAPI payment inside WeChat's browser: its ``prepay_id``."""
        return self._order("jsapi", payer={"openid": openid}, **fields)["prepay_id"]

    def query(self, out_trade_no: str) -> dict:
        """The transaction as WeChat Pay has it now."""
        return self._request(
            "GET",
            f"/v3/pay/transactions/out-trade-no/{out_trade_no}",
            query={"mchid": self.merchant.mchid},
        )

    def close(self, out_trade_no: str) -> None:
        self._request(
            "POST",
            f"/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
            body={"mchid": self.merchant.mchid},
        )

    def refund(
        self, *, out_trade_no: str, out_refund_no: str, refund: int, total: int, notify_url: str
    ) -> dict:
        """Refund ``refund`` fen of a ``total`` fen payment; the same ``out_refund_no`` refunds once."""
        return self._request(
            "POST",
            "/v3/refund/domestic/refunds",
            body={
                "out_trade_no": out_trade_no,
                "out_refund_no": out_refund_no,
                "notify_url": notify_url,
                "amount": {"refund": refund, "total": total, "currency": "CNY"},
            },
        )

    def refund_query(self, out_refund_no: str) -> dict:
        return self._request("GET", f"/v3/refund/domestic/refunds/{out_refund_no}")

    def trade_bill(self, day: datetime.date) -> str:
        """The trade bill of ``day`` (Beijing time), every payment and refund, as CSV text.

        The file itself comes unsigned (WeChat Pay signs only the answer that names it),
        so it is believed only when its SHA1 is the one that signed answer gave.
        """
        answer = self._request(
            "GET", "/v3/bill/tradebill", query={"bill_date": day.isoformat(), "bill_type": "ALL"}
        )
        url = answer.get("download_url") or ""
        split = urlsplit(url)
        if not split.netloc:
            raise WeChatPayError(f"WeChat Pay named no file for the bill of {day}")
        response = self._send("GET", url, split.path + (f"?{split.query}" if split.query else ""))
        if response.status_code >= 400:
            raise WeChatPayError(
                f"WeChat Pay refused the bill of {day}", status=response.status_code
            )
        if hashlib.sha1(response.content).hexdigest() != answer.get("hash_value", "").lower():
            raise WeChatPayError(f"the bill of {day} is not the file WeChat Pay described")
        return response.content.decode("utf-8-sig")

    def notification(self, headers, body: bytes) -> tuple[dict, dict]:
        """A notification's envelope and its decrypted resource; ``NotGenuine`` unless both hold."""
        self.merchant.verify(headers, body)
        try:
            envelope = json.loads(body)
            resource = envelope["resource"]
        except (ValueError, KeyError, TypeError) as error:
            raise NotGenuine("the body is not a WeChat Pay notification") from error
        if not isinstance(envelope, dict) or not isinstance(resource, dict):
            raise NotGenuine("the body is not a WeChat Pay notification")
        return envelope, self.merchant.decrypt(resource)
