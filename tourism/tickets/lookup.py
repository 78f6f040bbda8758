"""Find my tickets: a one-time code proves a phone number or email address, then its orders show.

How it answers, so that the page tells no one whether a phone has bookings:

- Any valid phone number or address gets a code, whether or not orders were made under
  it; the answer and the work done (one code stored, one message sent) are the same
  either way. Only the right code shows the orders (there may be none).
- A phone number gets its code by text message only, an email address by email only:
  an email address is never revealed to someone who only proved a phone, or the reverse.
- Codes are six digits, stored as keyed hashes, valid ``TICKETS_LOOKUP_CODE_MINUTES``,
  void after ``TICKETS_LOOKUP_MAX_TRIES`` wrong tries; a new code voids the older ones.
- Sending is limited per phone/email (one a minute, ``TICKETS_LOOKUP_SENDS_PER_HOUR`` an
  hour) and per client address (``TICKETS_LOOKUP_SENDS_PER_ADDRESS_PER_HOUR``), counted
  in the shared cache as the partner API's limits are (ratelimit.py).
"""

import datetime
import logging
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as QueueUnavailable

from core.phones import mask_phone, normalise_phone

from . import services
from .lookup_models import LookupCode
from .models import Order
from .ratelimit import rate_limit_hit
from .sms import SmsError, VerificationMessage, get_sms_provider

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
HOUR = 3600
COOLDOWN_SECONDS = 60
VERIFY_TRIES_PER_ADDRESS_PER_HOUR = 30


class LookupRefused(Exception):
    """A request the page answers with a message; ``status`` is the HTTP status that fits."""

    def __init__(self, message, *, status: int = 422):
        super().__init__(str(message))
        self.message = str(message)
        self.status = status


@dataclass(frozen=True)
class Identity:
    """A normalised phone number (``kind="phone"``) or a lower-cased email address."""

    kind: str
    value: str

    @property
    def masked(self) -> str:
        if self.kind == LookupCode.Channel.PHONE:
            return mask_phone(self.value)
        local, _at, domain = self.value.partition("@")
        return f"{local[:1]}***@{domain}"

    @property
    def hash(self) -> str:
        return salted_hmac(
            "huagu.tickets.lookup.identity", f"{self.kind}:{self.value}", algorithm="sha256"
        ).hexdigest()


def lookup_identity(value: str) -> Identity:
    """The phone number or email address a tourist typed, or ``LookupRefused`` saying what is wrong."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    if not value:
        raise LookupRefused(_("Please give the phone number or email address of your booking."))
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise LookupRefused(_("Please give a valid email address.")) from None
        return Identity(LookupCode.Channel.EMAIL, value.lower())
    try:
        return Identity(LookupCode.Channel.PHONE, normalise_phone(value))
    except ValidationError as error:
        raise LookupRefused(error.messages[0]) from None


def _code_hash(identity_hash: str, code: str) -> str:
    return salted_hmac(
        "huagu.tickets.lookup.code", f"{identity_hash}:{code}", algorithm="sha256"
    ).hexdigest()


def lookup_code_send(
    *,
    identity: Identity,
    address: str,
    language: str,
    now: datetime.datetime | None = None,
) -> LookupCode:
    """Send a new one-time code to ``identity``, whether or not it has orders."""
    now = now or timezone.now()
    stamp = now.timestamp()
    wait = _("Please wait a minute before asking for another code.")
    if not rate_limit_hit(
        f"lookup-send-address:{address}",
        limit=settings.TICKETS_LOOKUP_SENDS_PER_ADDRESS_PER_HOUR,
        window=HOUR,
        now=stamp,
    ):
        raise LookupRefused(
            _("Too many codes have been asked for from this network. Please try again later."),
            status=429,
        )
    if not rate_limit_hit(
        f"lookup-send-cooldown:{identity.hash}", limit=1, window=COOLDOWN_SECONDS, now=stamp
    ):
        raise LookupRefused(wait, status=429)
    if not rate_limit_hit(
        f"lookup-send-hourly:{identity.hash}",
        limit=settings.TICKETS_LOOKUP_SENDS_PER_HOUR,
        window=HOUR,
        now=stamp,
    ):
        raise LookupRefused(
            _("Too many codes have been sent to this number or address. Please try again later."),
            status=429,
        )

    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    minutes = settings.TICKETS_LOOKUP_CODE_MINUTES
    # Older codes stop working: only the latest message's code is valid.
    LookupCode.objects.filter(identity_hash=identity.hash, used_at__isnull=True).update(used_at=now)
    record = LookupCode.objects.create(
        channel=identity.kind,
        identity_hash=identity.hash,
        code_hash=_code_hash(identity.hash, code),
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=minutes),
    )
    try:
        with translation.override(language):
            if identity.kind == LookupCode.Channel.PHONE:
                _send_text(identity, code=code, minutes=minutes)
            else:
                _send_email(identity, code=code, minutes=minutes)
    except (SmsError, OSError, QueueUnavailable) as error:
        LookupCode.objects.filter(pk=record.pk).update(used_at=now)
        logger.warning(
            "lookup code to %s not sent: %s", identity.masked, getattr(error, "detail", error)
        )
        if identity.kind == LookupCode.Channel.PHONE:
            message = _(
                "We could not send a text message just now. Please try again in a few minutes, "
                "or use the email address of your booking."
            )
        else:
            message = _("We could not send the email just now. Please try again in a few minutes.")
        raise LookupRefused(message, status=503) from None
    return record


def _send_text(identity: Identity, *, code: str, minutes: int) -> None:
    text = _(
        "Your code to find your flower valley tickets is %(code)s. It is valid for "
        "%(minutes)s minutes. Do not give it to anyone."
    ) % {"code": code, "minutes": minutes}
    get_sms_provider().send_verification(
        VerificationMessage(phone=identity.value, code=code, minutes=minutes, text=text)
    )


def _send_email(identity: Identity, *, code: str, minutes: int) -> None:
    """Queue the code's email; the worker sends it, retrying while the mail server is down,
    for as long as the code stays valid."""
    from tourism.tasks import lookup_code_email_send

    lookup_code_email_send.apply_async(
        kwargs={
            "address": identity.value,
            "language": translation.get_language(),
            "code": code,
            "minutes": minutes,
        },
        expires=minutes * 60,
    )


def lookup_code_email(*, address: str, language: str, code: str, minutes: int) -> None:
    """The one-time code's email, in the tourist's language."""
    with translation.override(language):
        subject = _("Your code to find your tickets: %(code)s") % {"code": code}
        body = render_to_string(
            "tourism/tickets/email/lookup_code.txt", {"code": code, "minutes": minutes}
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


def lookup_code_verify(
    *, identity: Identity, code: str, address: str, now: datetime.datetime | None = None
) -> None:
    """Accept the latest code sent to ``identity`` once, or raise ``LookupRefused``."""
    now = now or timezone.now()
    if not rate_limit_hit(
        f"lookup-verify-address:{address}",
        limit=VERIFY_TRIES_PER_ADDRESS_PER_HOUR,
        window=HOUR,
        now=now.timestamp(),
    ):
        raise LookupRefused(
            _("Too many codes have been tried from this network. Please try again later."),
            status=429,
        )
    code = "".join(unicodedata.normalize("NFKC", code or "").split())
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        raise LookupRefused(_("The code is the six digits in the message we sent."))
    max_tries = settings.TICKETS_LOOKUP_MAX_TRIES
    record = LookupCode.objects.filter(identity_hash=identity.hash).first()
    live = Q(used_at__isnull=True, expires_at__gt=now, failed_tries__lt=max_tries)
    void = LookupRefused(
        _("This code has expired or can no longer be used. Please ask for a new code.")
    )
    if record is None or not LookupCode.objects.filter(live, pk=record.pk).exists():
        raise void
    if constant_time_compare(record.code_hash, _code_hash(identity.hash, code)):
        if not LookupCode.objects.filter(live, pk=record.pk).update(used_at=now):
            raise void
        return
    # Counted in one conditional UPDATE, so parallel guesses cannot outrun the limit.
    if not LookupCode.objects.filter(live, pk=record.pk).update(failed_tries=F("failed_tries") + 1):
        raise void
    left = max_tries - record.failed_tries - 1
    if left <= 0:
        raise void
    raise LookupRefused(
        translation.ngettext(
            "That code is not right. You may try %(n)s more time.",
            "That code is not right. You may try %(n)s more times.",
            left,
        )
        % {"n": left}
    )


def lookup_orders(*, identity: Identity, today: datetime.date | None = None) -> list[Order]:
    """Upcoming orders that still hold places, booked under ``identity``, soonest first."""
    today = today or timezone.localdate()
    orders = (
        Order.objects.filter(slot__date__gte=today, status__in=Order.HOLDING)
        .select_related("slot")
        .prefetch_related("lines__ticket_type")
        .order_by("slot__date", "slot__starts_at", "created_at")
    )
    if identity.kind == LookupCode.Channel.EMAIL:
        return list(orders.filter(contact_email__iexact=identity.value))
    # Phones were stored as typed; the last four digits narrow the search, the normalised
    # form decides.
    matches = []
    for order in orders.filter(contact_phone__endswith=identity.value[-4:]):
        try:
            if normalise_phone(order.contact_phone) == identity.value:
                matches.append(order)
        except ValidationError:
            continue
    return matches


def lookup_order_cancel(
    *, identity: Identity, reference: str, now: datetime.datetime | None = None
) -> Order:
    """Cancel one of ``identity``'s upcoming orders through ``order_cancel`` (its cut-off applies)."""
    now = now or timezone.now()
    order = next(
        (
            o
            for o in lookup_orders(identity=identity, today=timezone.localdate(now))
            if o.reference == reference
        ),
        None,
    )
    if order is None:
        raise LookupRefused(
            _("That booking is not among yours, or it has already ended."), status=404
        )
    try:
        return services.order_cancel(order=order, now=now)
    except services.BookingError as error:
        raise LookupRefused(error.message, status=error.status) from None
