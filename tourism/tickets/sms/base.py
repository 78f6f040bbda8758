"""What every text-message provider offers: send one verification code to one phone."""

from dataclasses import dataclass


class SmsError(Exception):
    """The provider refused or could not be reached; ``code`` is its own error code, for logs."""

    def __init__(self, detail: str, *, code: str = "", retry_later: bool = True):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.retry_later = retry_later


@dataclass(frozen=True)
class VerificationMessage:
    """A one-time code for one phone number (the park's normalised form, see core/phones.py).

    Chinese providers send only text built from a template the carrier approved, so a
    message is the template's parameters (the code and its minutes), not free text;
    ``text`` is the rendered message for providers that send text as it is.
    """

    phone: str
    code: str
    minutes: int
    text: str


class SmsProvider:
    """A text-message gateway."""

    name = ""

    @classmethod
    def from_settings(cls) -> "SmsProvider":
        return cls()

    def send_verification(self, message: VerificationMessage) -> None:
        """Send ``message`` or raise ``SmsError``."""
        raise NotImplementedError


def e164(phone: str) -> str:
    """A park-form phone number in international form: mainland mobiles get +86."""
    return phone if phone.startswith("+") else f"+86{phone}"
