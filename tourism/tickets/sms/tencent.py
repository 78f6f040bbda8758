"""Tencent Cloud SMS (短信 SendSms, API version 2021-01-11), signed with TC3-HMAC-SHA256.

The request is a JSON POST to the endpoint with the action, version, region and
timestamp in ``X-TC-*`` headers, and an ``Authorization`` header that signs the method,
path, the content-type, host and action headers, and the body's SHA-256 with a key derived
from the SecretKey, the UTC date and the service name. Written over the standard library:
one signed POST does not justify the vendor's SDK, and the endpoint is a setting so tests
point it at a fake on loopback.
"""

import datetime
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import SmsError, SmsProvider, VerificationMessage, e164

logger = logging.getLogger(__name__)

SERVICE = "sms"
ACTION = "SendSms"
VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
TIMEOUT_SECONDS = 10
# Errors worth trying again later; others (a bad template, a wrong key) need the park's staff.
TRANSIENT = ("LimitExceeded", "RequestLimitExceeded", "InternalError", "FailedOperation.Busy")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def tc3_signature(
    *, secret_key: str, host: str, action: str, body: bytes, timestamp: int, service: str = SERVICE
) -> tuple[str, str]:
    """``(credential scope, signature)`` of a JSON POST to ``/`` as Tencent Cloud computes it."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host;x-tc-action"
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n",
            signed_headers,
            _sha256(body),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        [ALGORITHM, str(timestamp), scope, _sha256(canonical_request.encode("utf-8"))]
    )
    key = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    key = _hmac(key, service)
    key = _hmac(key, "tc3_request")
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return scope, signature


class TencentSms(SmsProvider):
    """Sends a verification code with the park's approved template: {1} the code, {2} minutes."""

    name = "tencent"

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        app_id: str,
        sign_name: str,
        template_id: str,
        region: str = "ap-guangzhou",
        endpoint: str = "https://sms.tencentcloudapi.com/",
    ):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.app_id = app_id
        self.sign_name = sign_name
        self.template_id = template_id
        self.region = region
        self.endpoint = endpoint

    @classmethod
    def from_settings(cls) -> "TencentSms":
        missing = [
            name
            for name in (
                "TENCENT_SMS_SECRET_ID",
                "TENCENT_SMS_SECRET_KEY",
                "TENCENT_SMS_APP_ID",
                "TENCENT_SMS_SIGN_NAME",
                "TENCENT_SMS_TEMPLATE_ID",
            )
            if not getattr(settings, name)
        ]
        if missing:
            raise ImproperlyConfigured(f"SMS_PROVIDER=tencent needs {', '.join(missing)}")
        return cls(
            secret_id=settings.TENCENT_SMS_SECRET_ID,
            secret_key=settings.TENCENT_SMS_SECRET_KEY,
            app_id=settings.TENCENT_SMS_APP_ID,
            sign_name=settings.TENCENT_SMS_SIGN_NAME,
            template_id=settings.TENCENT_SMS_TEMPLATE_ID,
            region=settings.TENCENT_SMS_REGION,
            endpoint=settings.TENCENT_SMS_ENDPOINT,
        )

    def request_for(
        self, message: VerificationMessage, *, timestamp: int
    ) -> urllib.request.Request:
        body = json.dumps(
            {
                "PhoneNumberSet": [e164(message.phone)],
                "SmsSdkAppId": self.app_id,
                "SignName": self.sign_name,
                "TemplateId": self.template_id,
                "TemplateParamSet": [message.code, str(message.minutes)],
            },
            ensure_ascii=False,
        ).encode("utf-8")
        host = urlsplit(self.endpoint).netloc
        scope, signature = tc3_signature(
            secret_key=self.secret_key, host=host, action=ACTION, body=body, timestamp=timestamp
        )
        headers = {
            "Authorization": (
                f"{ALGORITHM} Credential={self.secret_id}/{scope}, "
                f"SignedHeaders=content-type;host;x-tc-action, Signature={signature}"
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": ACTION,
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
        }
        return urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")

    def send_verification(self, message: VerificationMessage) -> None:
        request = self.request_for(message, timestamp=int(time.time()))
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise SmsError(
                f"HTTP {error.code} from Tencent Cloud SMS", code=str(error.code)
            ) from None
        except (OSError, ValueError) as error:
            raise SmsError(f"Tencent Cloud SMS unreachable: {error}", code="unreachable") from None
        result = answer.get("Response") or {}
        error = result.get("Error")
        if error:
            code = error.get("Code", "")
            raise SmsError(
                f"{code}: {error.get('Message', '')} (request {result.get('RequestId', '')})",
                code=code,
                retry_later=code.startswith(TRANSIENT),
            )
        statuses = result.get("SendStatusSet") or []
        if not statuses or statuses[0].get("Code") != "Ok":
            status = statuses[0] if statuses else {}
            code = status.get("Code", "no status")
            raise SmsError(
                f"{code}: {status.get('Message', '')} (request {result.get('RequestId', '')})",
                code=code,
                retry_later=code.startswith(TRANSIENT),
            )
        logger.info(
            "verification text sent to ...%s (serial %s)",
            message.phone[-4:],
            statuses[0].get("SerialNo", ""),
        )
