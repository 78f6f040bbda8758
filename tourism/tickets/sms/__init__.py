"""Text messages to tourists' phones, behind a small provider interface.

``get_sms_provider()`` gives the provider named by ``settings.SMS_PROVIDER``: ``console``
(the default: messages are printed, for development and the demo) or ``tencent``
(Tencent Cloud SMS). Another provider implements ``SmsProvider.send``.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import SmsError, SmsProvider, VerificationMessage
from .console import ConsoleSms
from .tencent import TencentSms

PROVIDERS: dict[str, type[SmsProvider]] = {"console": ConsoleSms, "tencent": TencentSms}


def get_sms_provider() -> SmsProvider:
    try:
        provider = PROVIDERS[settings.SMS_PROVIDER]
    except KeyError:
        raise ImproperlyConfigured(
            f"SMS_PROVIDER must be one of {', '.join(PROVIDERS)}, not {settings.SMS_PROVIDER!r}"
        ) from None
    return provider.from_settings()


__all__ = ["SmsError", "SmsProvider", "VerificationMessage", "get_sms_provider"]
