"""ID numbers at rest: encrypted (Fernet, AES-128-CBC with HMAC-SHA256) and hashed for lookups.

Both keys derive from one secret, ``HUAGU_ID_KEY`` (any long random string): a database
dump without it reveals no number. The search hash is an HMAC of the normalised number,
the same for the same number, so the gate finds a visitor by the number typed and the
database refuses two active tickets of one number for one date, without decrypting.
Development and tests fall back to a key derived from ``SECRET_KEY``; production
settings refuse to start without ``HUAGU_ID_KEY``.
"""

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _secret() -> bytes:
    secret = getattr(settings, "HUAGU_ID_KEY", "") or f"id-numbers:{settings.SECRET_KEY}"
    return secret.encode()


@functools.cache
def _keys(secret: bytes) -> tuple[Fernet, bytes]:
    # Two independent keys from one secret: one to encrypt, one to hash.
    encryption = hmac.new(secret, b"huagu id encryption", hashlib.sha256).digest()
    search = hmac.new(secret, b"huagu id search", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(encryption)), search


def encrypt_id_number(number: str) -> str:
    """The normalised ``number`` encrypted, as text for a database column."""
    fernet, _ = _keys(_secret())
    return fernet.encrypt(number.encode()).decode("ascii")


def decrypt_id_number(token: str) -> str:
    """The number ``token`` holds; empty for an erased one (or one sealed under another key)."""
    if not token:
        return ""
    fernet, _ = _keys(_secret())
    try:
        return fernet.decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        return ""


def id_number_hash(number: str) -> str:
    """A keyed hash of the normalised ``number``: equal numbers, equal hashes; no way back."""
    _, search = _keys(_secret())
    return hmac.new(search, number.encode(), hashlib.sha256).hexdigest()
