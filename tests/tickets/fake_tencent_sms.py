"""A stateful stand-in for Tencent Cloud SMS's SendSms (API 2021-01-11), served on loopback.

It checks each request as the real service does: the ``TC3-HMAC-SHA256`` signature
(computed here independently from the published algorithm, with the test's SecretKey),
a timestamp within five minutes, the action and version headers, the SDK app, the
signature name and an approved template; answers in Tencent Cloud's JSON shape (errors
inside ``Response.Error`` with HTTP 200, per-number results in ``SendStatusSet``); and
records the messages it accepted. ``throttle(phone)`` makes the carrier refuse one number.
"""

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from tests.tickets.loopback import LoopbackServer

AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z]+)/tc3_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


@dataclass
class Sent:
    """One text message the fake accepted."""

    phone: str
    template_id: str
    params: list[str]
    sign_name: str


def _sign(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    def mac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencentSms:
    """Tencent Cloud SMS for one test: start it, point ``TENCENT_SMS_ENDPOINT`` at ``url``, stop it."""

    def __init__(
        self,
        *,
        secret_id: str = "AKIDtestfake",
        secret_key: str = "test-secret-key",
        app_id: str = "1400000001",
        sign_name: str = "大地花谷",
        templates: tuple[str, ...] = ("1234567",),
    ):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.app_id = app_id
        self.sign_name = sign_name
        self.templates = set(templates)
        self.sent: list[Sent] = []
        self.refused: list[str] = []
        self._throttled: set[str] = set()
        self._lock = threading.Lock()
        self._loopback = LoopbackServer(self._answer)
        self.url = self._loopback.url + "/"

    def start(self) -> "FakeTencentSms":
        self._loopback.start()
        return self

    def stop(self) -> None:
        self._loopback.stop()

    def throttle(self, phone: str) -> None:
        """The carrier's per-number limit: further messages to ``phone`` (+86…) are refused."""
        self._throttled.add(phone)

    def _answer(self, method: str, target: str, headers, body: bytes) -> tuple[int, bytes, dict]:
        if method != "POST" or target != "/":
            return 404, b"", {}
        answer = json.dumps(self.handle(headers, body)).encode()
        return 200, answer, {"Content-Type": "application/json"}

    def handle(self, headers, body: bytes) -> dict:
        try:
            return {"Response": {**self._send(headers, body), "RequestId": secrets.token_hex(8)}}
        except _Failure as failure:
            with self._lock:
                self.refused.append(failure.code)
            return {
                "Response": {
                    "Error": {"Code": failure.code, "Message": failure.message},
                    "RequestId": secrets.token_hex(8),
                }
            }

    def _send(self, headers, body: bytes) -> dict:
        self._verify(headers, body)
        if headers.get("X-TC-Action") != "SendSms" or headers.get("X-TC-Version") != "2021-01-11":
            raise _Failure("InvalidAction", "The action or version is not supported.")
        try:
            request = json.loads(body)
        except ValueError:
            raise _Failure("InvalidParameter", "The body is not JSON.") from None
        if request.get("SmsSdkAppId") != self.app_id:
            raise _Failure("FailedOperation.SmsSdkAppIdVerifyFail", "SdkAppId does not exist.")
        if request.get("SignName") != self.sign_name:
            raise _Failure("FailedOperation.SignatureIncorrectOrUnapproved", "Unapproved sign.")
        if request.get("TemplateId") not in self.templates:
            raise _Failure(
                "FailedOperation.TemplateIncorrectOrUnapproved", "Template not approved."
            )
        statuses = []
        for phone in request.get("PhoneNumberSet") or []:
            if not re.fullmatch(r"\+\d{8,15}", phone):
                statuses.append(
                    {
                        "PhoneNumber": phone,
                        "Code": "InvalidParameterValue.IncorrectPhoneNumber",
                        "Message": "wrong number",
                    }
                )
            elif phone in self._throttled:
                statuses.append(
                    {
                        "PhoneNumber": phone,
                        "Code": "LimitExceeded.PhoneNumberThirtySecondLimit",
                        "Message": "too frequent",
                    }
                )
            else:
                with self._lock:
                    self.sent.append(
                        Sent(
                            phone,
                            request["TemplateId"],
                            list(request.get("TemplateParamSet") or []),
                            request["SignName"],
                        )
                    )
                statuses.append(
                    {
                        "PhoneNumber": phone,
                        "Code": "Ok",
                        "Message": "send success",
                        "SerialNo": secrets.token_hex(6),
                        "Fee": 1,
                    }
                )
        return {"SendStatusSet": statuses}

    def _verify(self, headers, body: bytes) -> None:
        match = AUTHORIZATION.match(headers.get("Authorization", ""))
        if match is None:
            raise _Failure("AuthFailure.InvalidAuthorization", "Authorization is malformed.")
        if match["id"] != self.secret_id:
            raise _Failure("AuthFailure.SecretIdNotFound", "The SecretId does not exist.")
        try:
            timestamp = int(headers.get("X-TC-Timestamp", ""))
        except ValueError:
            raise _Failure("MissingParameter", "X-TC-Timestamp is missing.") from None
        if abs(time.time() - timestamp) > 300:
            raise _Failure("AuthFailure.SignatureExpire", "The signature has expired.")
        if datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != match["date"]:
            raise _Failure("AuthFailure.SignatureFailure", "The credential date is wrong.")
        signed = match["signed"].split(";")
        canonical_headers = "".join(
            f"{name}:{(headers.get(name) or '').strip().lower()}\n" for name in signed
        )
        canonical = "\n".join(
            ["POST", "/", "", canonical_headers, match["signed"], hashlib.sha256(body).hexdigest()]
        )
        scope = f"{match['date']}/{match['service']}/tc3_request"
        string_to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                str(timestamp),
                scope,
                hashlib.sha256(canonical.encode()).hexdigest(),
            ]
        )
        expected = _sign(self.secret_key, match["date"], match["service"], string_to_sign)
        if match["service"] != "sms" or not hmac.compare_digest(expected, match["signature"]):
            raise _Failure("AuthFailure.SignatureFailure", "The signature does not match.")


class _Failure(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
