"""What a tree tag or a lot code may be: the one rule the admin, the forms, the import and the URLs share.

A code is painted on a sign and printed in a public address (``/trees/<tag>/``), so it
is a single word: letters of any script (Chinese tags such as 银杏01 are fine), digits,
and ``-``, ``_`` or ``.`` between them. It begins with a letter or a digit (so it is never
``.`` or ``..``, which a browser would read as a path step); no spaces, no slashes, no
control or other characters. The URL converter below matches exactly this set.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# One letter or digit of any script, then letters, digits, "-", "_" or ".".
CODE_PATTERN = r"[^\W_][\w.-]*"
_CODE = re.compile(rf"{CODE_PATTERN}\Z")

TAG_MAX_LENGTH = 20
LOT_CODE_MAX_LENGTH = 40


def is_valid_code(value) -> bool:
    return isinstance(value, str) and _CODE.match(value) is not None


def validate_code(value) -> None:
    """Refuse a tag or lot code outside the rule above, naming the rule."""
    if not is_valid_code(value):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid code: use letters (Chinese too), digits and "
                "- _ . only, beginning with a letter or digit, without spaces or slashes."
            ),
            code="invalid_code",
            params={"value": printable(value)},
        )


def printable(value) -> str:
    """A value fit to show in a message: control characters shown as their escapes, long values cut."""
    text = str(value)
    text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)
    return text if len(text) <= 60 else text[:59] + "…"


class CodeConverter:
    """A path converter that matches exactly the codes ``validate_code`` accepts."""

    regex = CODE_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        if not is_valid_code(value):
            # reverse() then raises NoReverseMatch, which the pages catch and log.
            raise ValueError(value)
        return value
