"""A small client of Alipay's open-platform gateway (``gateway.do``, RSA2), over ``requests``.

Requests are signed with the app's private key over their parameters sorted by name
(``k=v`` joined with ``&``, empty values left out); every answer is verified with Alipay's
public key over the exact JSON text of its ``…_response`` object, and every notification
over its fields without ``sign`` and ``sign_type``, before anything in them is believed.
The gateway is a setting, so the tests point it at a fake on loopback.
"""

import base64
import datetime
import json
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

import requests
from django.conf import settings

from .base import PaymentUnavailable

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
TIMEOUT = 10
SUCCESS = "10000"

# cryptography is imported in the methods that sign and verify: Alipay's views import this
# module with the URLconf, and a web worker that takes no Alipay payment need not hold
# cryptography's compiled bindings (about 7 MiB).


class NotGenuine(Exception):
    """A message claims to come from Alipay but does not verify."""


class AlipayError(PaymentUnavailable):
    """Alipay refused a call (``code``/``sub_code`` as it says) or could not be reached."""

    def __init__(self, message: str, *, code: str = "", sub_code: str = ""):
        super().__init__(message)
        self.code = code
        self.sub_code = sub_code


def beijing_time(moment: datetime.datetime) -> str:
    """Alipay's time format: Beijing time, to the second."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def signed_content(fields: dict, *, leave_out: tuple[str, ...]) -> str:
    return "&".join(
        f"{key}={fields[key]}"
        for key in sorted(fields)
        if key not in leave_out and fields[key] not in ("", None)
    )


@dataclass(frozen=True)
class AlipayApp:
    """The park's app on Alipay's open platform, from settings."""

    app_id: str
    private_key_pem: str
    alipay_public_key_pem: str
    gateway: str

    @classmethod
    def from_settings(cls) -> "AlipayApp":
        return cls(
            app_id=settings.ALIPAY_APP_ID,
            private_key_pem=settings.ALIPAY_APP_PRIVATE_KEY,
            alipay_public_key_pem=settings.ALIPAY_PUBLIC_KEY,
            gateway=settings.ALIPAY_GATEWAY,
        )

    @cached_property
    def private_key(self):
        from cryptography.hazmat.primitives import serialization

        return serialization.load_pem_private_key(self.private_key_pem.encode(), password=None)

    @cached_property
    def alipay_public_key(self):
        from cryptography.hazmat.primitives import serialization

        return serialization.load_pem_public_key(self.alipay_public_key_pem.encode())

    def _verify(self, content: str, signature: str) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            self.alipay_public_key.verify(
                base64.b64decode(signature, validate=True),
                content.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError, TypeError) as error:
            raise NotGenuine("the signature does not verify") from error

    def signed(self, method: str, biz: dict, **extra) -> dict:
        """The request's parameters, the common ones included, with their ``sign``."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        params = {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": beijing_time(datetime.datetime.now(BEIJING)),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
            **extra,
        }
        content = signed_content(params, leave_out=("sign",))
        signature = self.private_key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
        params["sign"] = base64.b64encode(signature).decode()
        return params

    def page_url(self, method: str, biz: dict, *, notify_url: str, return_url: str) -> str:
        """Where the browser goes to pay (``alipay.trade.wap.pay`` or ``…page.pay``)."""
        params = self.signed(method, biz, notify_url=notify_url, return_url=return_url)
        return f"{self.gateway}?{urlencode(params)}"

    def call(self, method: str, biz: dict) -> dict:
        """A server call; the verified response object, or ``AlipayError`` unless code 10000."""
        try:
            response = requests.post(
                self.gateway,
                data=self.signed(method, biz),
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
                timeout=TIMEOUT,
            )
            text = response.content.decode("utf-8")
        except (requests.RequestException, UnicodeDecodeError) as error:
            raise AlipayError(f"Alipay could not be reached: {error}") from error
        answer = self._verified(method, text)
        if answer.get("code") != SUCCESS:
            raise AlipayError(
                f"Alipay refused {method}: {answer.get('msg')} {answer.get('sub_msg', '')}",
                code=str(answer.get("code", "")),
                sub_code=str(answer.get("sub_code", "")),
            )
        return answer

    def trade_bill(self, day: datetime.date) -> bytes:
        """The business-detail bill of ``day`` (Beijing time): Alipay's zip, as it is.

        Only the answer naming the file is signed; the file comes from Alipay's own
        short-lived address and is not signed at all.
        """
        answer = self.call(
            "alipay.data.dataservice.bill.downloadurl.query",
            {"bill_type": "trade", "bill_date": day.isoformat()},
        )
        try:
            response = requests.get(answer["bill_download_url"], timeout=TIMEOUT)
            response.raise_for_status()
        except (requests.RequestException, KeyError) as error:
            raise AlipayError(f"the bill of {day} could not be downloaded: {error}") from error
        return response.content

    def _verified(self, method: str, text: str) -> dict:
        try:
            body = json.loads(text)
        except ValueError as error:
            raise AlipayError("Alipay's answer is not JSON") from error
        key = method.replace(".", "_") + "_response"
        if not isinstance(body, dict) or key not in body:
            key = "error_response"
        marker = f'"{key}":'
        start = text.find(marker)
        end = text.rfind(',"sign"')
        if start < 0 or end < start or not isinstance(body.get("sign"), str):
            raise AlipayError("Alipay's answer is not signed")
        try:
            self._verify(text[start + len(marker) : end].strip(), body["sign"])
        except NotGenuine as error:
            raise AlipayError(f"Alipay's answer does not verify: {error}") from error
        answer = body.get(key)
        if not isinstance(answer, dict):
            raise AlipayError("Alipay's answer has no response object")
        return answer

    def notification(self, fields: dict) -> dict:
        """The fields of an asynchronous notification, once its signature and app id hold."""
        signature = fields.get("sign")
        if not isinstance(signature, str) or fields.get("sign_type", "RSA2") != "RSA2":
            raise NotGenuine("the notification is not signed with RSA2")
        self._verify(signed_content(fields, leave_out=("sign", "sign_type")), signature)
        if fields.get("app_id") != self.app_id:
            raise NotGenuine("the notification is for another app")
        return fields
