"""Text messages printed to standard output instead of sent: development and the demo."""

import logging
import sys

from .base import SmsProvider, VerificationMessage

logger = logging.getLogger(__name__)


class ConsoleSms(SmsProvider):
    """Writes each message to ``sys.stdout`` (as Django's console email backend does)."""

    name = "console"

    def send_verification(self, message: VerificationMessage) -> None:
        stream = sys.stdout
        stream.write(f"SMS to {message.phone}: {message.text}\n")
        stream.flush()
        logger.info("text message printed to the console for %s", message.phone[-4:])
