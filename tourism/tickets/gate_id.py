"""The gate by ID card: staff type or scan a visitor's document number instead of a QR code.

A USB or Bluetooth ID-card reader types the number like a keyboard and ends with Enter,
so the gate's one field takes either: anything that is not a document number (a QR
payload, a ticket code) goes to ``ticket_check_in`` as before; a document number is
looked up by its search hash among today's visitors, and the visitor's ticket is then
admitted through the same ``ticket_check_in``, so the answers (valid, already used)
and the money taken for pay-at-gate orders are the same. One active ticket per number
per date (the unique index) makes it one admit per person per day.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.id_crypto import id_number_hash
from core.identity import PATTERNS, compact_number, validate_id_card

from .models import CODE_ALPHABET
from .services import CheckIn, ticket_check_in
from .visitors import Visitor

TICKET_CODE_LENGTH = 10


def looks_like_id_number(value: str) -> bool:
    """Whether ``value`` reads as a document number rather than a ticket code or QR payload."""
    if "." in value:  # a signed QR payload
        return False
    number = compact_number(value)
    if len(number) == 18 and number[:17].isdigit():
        return True
    return any(pattern.match(number) for pattern, _message in PATTERNS.values())


def gate_admit(*, value: str, user, now: datetime.datetime | None = None) -> CheckIn:
    """Admit whoever ``value`` names: a ticket's QR payload or code, or a visitor's ID number."""
    text = (value or "").strip()
    if not looks_like_id_number(text) or _ticket_code_not_id(text):
        return ticket_check_in(payload=text, user=user, now=now)
    return id_check_in(number=text, user=user, now=now)


def _ticket_code_not_id(text: str) -> bool:
    # A passport number can be shaped like a ticket code: it is one unless a visitor has it.
    code = compact_number(text)
    return (
        len(code) == TICKET_CODE_LENGTH
        and all(ch in CODE_ALPHABET for ch in code)
        and not Visitor.objects.filter(number_hash=id_number_hash(code)).exists()
    )


def id_check_in(*, number: str, user, now: datetime.datetime | None = None) -> CheckIn:
    """Admit the visitor holding today's ticket for document ``number``, once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    number = compact_number(number)
    if len(number) == 18 and number[:17].isdigit():
        try:
            validate_id_card(number, today=today)
        except ValidationError as error:
            return CheckIn(
                "no_ticket",
                _("Not a valid ID card number: %(problem)s") % {"problem": error.messages[0]},
            )
    number_hash = id_number_hash(number)
    today_visitors = list(
        Visitor.objects.filter(number_hash=number_hash, visit_date=today)
        .select_related("ticket", "order")
        .order_by("released_at", "-pk")
    )
    active = next((v for v in today_visitors if v.released_at is None), None)
    if active is not None:
        if active.ticket is None:
            return CheckIn(
                "not_valid",
                _("%(name)s's order %(ref)s is %(status)s: no ticket has been issued yet.")
                % {
                    "name": active.name,
                    "ref": active.order.reference,
                    "status": active.order.get_status_display(),
                },
            )
        return ticket_check_in(payload=active.ticket.code, user=user, now=now)
    if today_visitors:
        released = today_visitors[0]
        return CheckIn(
            "not_valid",
            _("%(name)s's ticket for today was cancelled or refunded.") % {"name": released.name},
            released.ticket,
        )
    upcoming = (
        Visitor.objects.filter(
            number_hash=number_hash, released_at__isnull=True, visit_date__gt=today
        )
        .select_related("ticket")
        .order_by("visit_date")
        .first()
    )
    if upcoming is not None:
        return CheckIn(
            "wrong_date",
            _("No ticket today; %(name)s has a ticket for %(date)s.")
            % {"name": upcoming.name, "date": date_format(upcoming.visit_date, "DATE_FORMAT")},
            upcoming.ticket,
        )
    return CheckIn("no_ticket", _("No ticket for today under this ID number."))
