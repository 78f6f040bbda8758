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
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

# cryptography is imported where a number is encrypted or decrypted, not here: the ticket
# models import this module, and its compiled bindings (about 7 MiB) would otherwise sit in
# every web worker, though most requests never touch an ID number. The search hash needs
# only the standard library.


def _secret() -> bytes:
    secret = getattr(settings, "HUAGU_ID_KEY", "") or f"id-numbers:{settings.SECRET_KEY}"
    return secret.encode()


def _derived_key(secret: bytes, purpose: bytes) -> bytes:
    # Two independent keys from one secret: one to encrypt, one to hash.
    return hmac.new(secret, purpose, hashlib.sha256).digest()


@functools.cache
def _fernet(secret: bytes) -> "Fernet":
    from cryptography.fernet import Fernet

    return Fernet(base64.urlsafe_b64encode(_derived_key(secret, b"huagu id encryption")))


@functools.cache
def _search_key(secret: bytes) -> bytes:
    return _derived_key(secret, b"huagu id search")


def encrypt_id_number(number: str) -> str:
    """The normalised ``number`` encrypted, as text for a database column."""
    return _fernet(_secret()).encrypt(number.encode()).decode("ascii")


def decrypt_id_number(token: str) -> str:
    """The number ``token`` holds; empty for an erased one (or one sealed under another key)."""
    if not token:
        return ""
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(_secret()).decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        return ""


def id_number_hash(number: str) -> str:
    """A keyed hash of the normalised ``number``: equal numbers, equal hashes; no way back."""
    return hmac.new(_search_key(_secret()), number.encode(), hashlib.sha256).hexdigest()
