"""Signed QR payloads for tickets.

A ticket's QR carries its code and an HMAC of the code under a key derived from
SECRET_KEY, so the gate tells a forged code from an unknown one without a lookup,
and a code typed from a screenshot still needs the signature to pass.
"""

import base64
import hashlib
import hmac

from django.conf import settings

PREFIX = "HG1"


def _signature(code: str) -> str:
    key = hashlib.sha256(b"huagu.ticket-qr:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, code.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16]


def ticket_payload(code: str) -> str:
    """What the ticket's QR code says: ``HG1.<code>.<signature>``."""
    return f"{PREFIX}.{code}.{_signature(code)}"


def verify_payload(payload: str) -> tuple[str | None, bool]:
    """``(code, signed)`` from a scanned or typed payload.

    A bare code (typed by hand) comes back unsigned; a payload whose signature does
    not match comes back as ``(code, False)`` with the code it claims.
    """
    text = (payload or "").strip()
    if not text.isascii():
        # Codes and signatures are ASCII; anything else was not issued by the park (and
        # ``hmac.compare_digest`` refuses to compare non-ASCII text at all).
        return None, False
    text = text.upper()
    parts = text.split(".")
    if len(parts) == 3 and parts[0] == PREFIX:
        code, signature = parts[1], parts[2]
        return code, hmac.compare_digest(signature, _signature(code))
    if len(parts) == 1 and text.isalnum() and 6 <= len(text) <= 16:
        return text, False
    return None, False
