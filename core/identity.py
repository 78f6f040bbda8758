"""Identity documents as the park checks them: visitors' tickets and villagers' records.

A mainland resident ID card (居民身份证) carries its holder's birth date and a check
digit (GB 11643-1999, ISO 7064 MOD 11-2); the permits and passports only a pattern.
``validate_document`` turns what was typed into one normalised form or says what is
wrong; ``mask_id_number`` is how every screen shows a number to everyone but superusers.
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    """The documents a visitor may book with; the mainland ID card alone shows a birth date."""

    ID_CARD = "id_card", _("Resident identity card")
    # 往来港澳通行证: mainland residents travelling to Hong Kong and Macao.
    HK_MACAO_PERMIT = "hk_macao_permit", _("Exit-entry permit to Hong Kong and Macao")
    # 港澳居民来往内地通行证 (回乡证): Hong Kong and Macao residents visiting the mainland.
    HK_MACAO_HOME_PERMIT = (
        "hk_macao_home_permit",
        _("Mainland travel permit for HK/Macao residents"),
    )
    # 台湾居民来往大陆通行证 (台胞证): Taiwan residents visiting the mainland.
    TAIWAN_HOME_PERMIT = "taiwan_home_permit", _("Mainland travel permit for Taiwan residents")
    # 往来台湾通行证: mainland residents travelling to Taiwan.
    TAIWAN_PERMIT = "taiwan_permit", _("Exit-entry permit to Taiwan")
    # "Passport" alone is a tree's record card elsewhere in the catalog.
    PASSPORT = "passport", pgettext_lazy("identity document", "Passport")


# GB 11643: weights of the first seventeen digits, and the check character for sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

PATTERNS = {
    # Booklet: C + 8 digits; card: C + a letter or digit + 7 digits.
    DocumentType.HK_MACAO_PERMIT: (
        re.compile(r"^C[0-9A-Z]\d{7}$"),
        _("An exit-entry permit to Hong Kong and Macao number is C followed by 8 characters."),
    ),
    DocumentType.HK_MACAO_HOME_PERMIT: (
        re.compile(r"^[HM]\d{8}(\d{2})?$"),
        _("A home-return permit number is H or M followed by 8 (or 10) digits."),
    ),
    DocumentType.TAIWAN_HOME_PERMIT: (
        re.compile(r"^\d{8}$"),
        _("A Taiwan residents' travel permit number is 8 digits."),
    ),
    DocumentType.TAIWAN_PERMIT: (
        re.compile(r"^L\d{8}$"),
        _("An exit-entry permit to Taiwan number is L followed by 8 digits."),
    ),
    DocumentType.PASSPORT: (
        re.compile(r"^[A-Z0-9]{5,17}$"),
        _("A passport number is 5 to 17 letters and digits."),
    ),
}

# Spaces and dashes people type inside a number.
SEPARATORS = re.compile(r"[\s\-]")


def compact_number(value: str) -> str:
    """What was typed, in one form: full-width characters folded, separators gone, upper case."""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character (0–9 or X) for the first seventeen digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def birth_date_from_id(number: str) -> datetime.date | None:
    """The birth date written in an 18-character ID number, or None if it is not a real date."""
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (ValueError, IndexError):
        return None


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Completed years of age on ``day`` (a birthday on 29 February counts from 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def validate_id_card(number: str, *, today: datetime.date | None = None) -> str:
    """A mainland resident ID number, normalised; ``ValidationError`` saying what is wrong."""
    number = compact_number(number)
    if len(number) != 18:
        raise ValidationError(
            _("An ID card number has 18 characters; this one has %(n)s.") % {"n": len(number)},
            code="id_length",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("An ID card number is 17 digits followed by a digit or X."), code="id_pattern"
        )
    birth = birth_date_from_id(number)
    today = today or timezone.localdate()
    if birth is None or birth.year < 1880:
        raise ValidationError(
            _("The birth date in this ID card number (%(digits)s) is not a real date.")
            % {"digits": number[6:14]},
            code="id_birth_date",
        )
    if birth > today:
        raise ValidationError(
            _("The birth date in this ID card number (%(date)s) is in the future.")
            % {"date": birth.isoformat()},
            code="id_birth_date",
        )
    if id_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("This ID card number's last character does not match: please check every digit."),
            code="id_check_digit",
        )
    return number


def validate_document(
    document_type: str, number: str, *, today: datetime.date | None = None
) -> str:
    """``number`` normalised for ``document_type``, or ``ValidationError`` saying what is wrong."""
    if document_type not in DocumentType.values:
        raise ValidationError(_("Please choose the kind of document."), code="document_type")
    if not compact_number(number):
        raise ValidationError(_("Please give the document's number."), code="required")
    if document_type == DocumentType.ID_CARD:
        return validate_id_card(number, today=today)
    number = compact_number(number)
    pattern, message = PATTERNS[DocumentType(document_type)]
    if not pattern.match(number):
        raise ValidationError(message, code="document_pattern")
    return number


def document_birth_date(document_type: str, number: str) -> datetime.date | None:
    """The birth date a document shows, for the kinds that show one (the mainland ID card)."""
    if document_type == DocumentType.ID_CARD:
        return birth_date_from_id(number)
    return None


def mask_id_number(value: str) -> str:
    """``510123199001011234`` → ``510***********1234``: the first three and last four shown."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def shown_id_number(value: str | None, user=None) -> str:
    """The ID number as ``user`` may see it: whole for superusers, masked for everyone else."""
    if user is not None and getattr(user, "is_superuser", False):
        return value or ""
    return mask_id_number(value or "")


def document_label(document_type: str) -> str:
    """The document's name in the current language (empty for an unknown kind)."""
    try:
        return gettext(DocumentType(document_type).label)
    except ValueError:
        return ""
