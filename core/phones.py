"""Phone numbers as the park keys them: a mainland mobile number, or any other in international form.

Tourists type numbers in many shapes ("138 1234 5678", "+86 138-1234-5678",
"0086 13812345678"); bookings, limits per phone and order lookup all compare one
normalised form: eleven digits for a mainland mobile, ``+`` and country code for
anything else (E.164, at most 15 digits).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Separators people type between groups of digits.
SEPARATORS = re.compile(r"[\s\-().\u00a0\u3000]")
INTERNATIONAL = re.compile(r"^\+[1-9]\d{6,14}$")

INVALID_MESSAGE = _(
    "Please give a mainland mobile number (11 digits, starting with 1) or another number in "
    "international form, starting with + and the country code."
)


def normalise_phone(value: str) -> str:
    """``value`` in the park's form, or ``ValidationError`` with a message for the tourist."""
    compact = SEPARATORS.sub("", value or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+86"):
        compact = compact[3:]
    if MAINLAND_MOBILE.match(compact):
        return compact
    if INTERNATIONAL.match(compact):
        return compact
    raise ValidationError(INVALID_MESSAGE, code="invalid_phone")


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``: enough to recognise one's own number, not to dial it."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
