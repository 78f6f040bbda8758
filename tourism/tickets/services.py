"""Writes for visitor tickets: create, pay, expire, cancel, refund, check in.

Every change of an order's status is a conditional UPDATE (``WHERE status IN …``), so
two workers racing on one order cannot both move it; every change of a slot's
``taken`` happens in the same transaction as the status change that causes it.
"""

import contextlib
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import history
from core.models import BulkWrite
from core.phones import normalise_phone
from tourism.models import TicketType

from .models import (
    ClosedDay,
    Order,
    OrderLine,
    OrderLog,
    Payment,
    ProcessedEvent,
    Refund,
    Slot,
    Ticket,
)
from .selectors import closed_on, prices_on
from .signing import verify_payload

logger = logging.getLogger(__name__)


class BookingError(Exception):
    """A booking refused with a message for the tourist; ``status`` is the HTTP status that fits."""

    status = 422

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class SoldOut(BookingError):
    status = 409

    def __init__(self, message=None, **kwargs):
        super().__init__(
            message
            or _(
                "Sorry, not enough places are left at that time. Please choose another time or date."
            ),
            **kwargs,
        )


class NotAllowed(BookingError):
    status = 409


class Busy(BookingError):
    """A row the booking needs stayed locked past the lock timeout; nothing was saved."""

    status = 503


class PaymentsDown(BookingError):
    """The payment provider could not be reached; the tourist may try again shortly."""

    status = 503


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str


def _lock_timeout():
    # On PostgreSQL a row lock wait is bounded, so a stuck transaction cannot pile up
    # every booking for a popular slot behind it; SQLite waits on its own timeout.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)",
                [f"{settings.TICKETS_LOCK_TIMEOUT_MS}ms"],
            )


@contextlib.contextmanager
def _busy_refused():
    """Turn a lock wait that ran out (PostgreSQL's lock_timeout, SQLite's busy timeout) into
    ``Busy``, a refusal the tourist can act on; any other database error goes on up."""
    try:
        yield
    except OperationalError as error:
        cause = error.__cause__
        if getattr(cause, "sqlstate", None) != "55P03" and "database is locked" not in str(error):
            raise
        raise Busy(
            _("Many visitors are booking just now and nothing was booked; please try again.")
        ) from None


def _log(order: Order, action: str, *, user=None, **data) -> None:
    OrderLog.objects.create(order=order, action=action, user=user, data=data)


def _validate_contact(contact: Contact) -> Contact:
    """The contact as stored: name trimmed, phone in ``core.phones`` form, email optional."""
    name, phone, email = contact.name.strip(), contact.phone.strip(), contact.email.strip()
    if not name:
        raise BookingError(_("Please give the name the booking is under."), field="name")
    if len(name) > 100:
        raise BookingError(_("The name is too long."), field="name")
    try:
        phone = normalise_phone(phone)
    except ValidationError as error:
        raise BookingError(error.messages[0], field="phone") from None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise BookingError(_("Please give a valid email address."), field="email") from None
    return Contact(name=name, phone=phone, email=email)


def _bookable_slot(slot_id: int, *, now: datetime.datetime) -> Slot:
    slot = Slot.objects.filter(pk=slot_id).order_by().first()
    if slot is None:
        raise BookingError(_("That entry time does not exist."), field="slot")
    today = timezone.localdate(now)
    if slot.date < today:
        raise BookingError(_("That date has passed."), field="slot")
    if slot.date > today + datetime.timedelta(days=settings.TICKETS_BOOKING_HORIZON_DAYS):
        raise BookingError(
            _("Bookings open %(days)s days ahead.")
            % {"days": settings.TICKETS_BOOKING_HORIZON_DAYS},
            field="slot",
        )
    if (
        slot.date == today
        and slot.ends_at is not None
        and slot.ends_at <= timezone.localtime(now).time()
    ):
        raise BookingError(
            _("Entry for that time has closed; please choose a later time."), field="slot"
        )
    # From the cache (closing a day replaces its version); the take reads it again.
    if closed_on(slot.date):
        raise BookingError(_("The park is closed on that day."), field="slot")
    return slot


def _priced_lines(
    quantities: dict[int, int], date: datetime.date
) -> list[tuple[TicketType, int, Decimal]]:
    wanted = {int(k): int(v) for k, v in quantities.items() if int(v) != 0}
    if any(q < 0 for q in wanted.values()):
        raise BookingError(_("Quantities cannot be negative."), field="lines")
    if not wanted:
        raise BookingError(_("Choose at least one ticket."), field="lines")
    if sum(wanted.values()) > settings.TICKETS_MAX_PER_ORDER:
        raise BookingError(
            _("At most %(n)s tickets per order. For a larger group, please use the group booking.")
            % {"n": settings.TICKETS_MAX_PER_ORDER},
            field="lines",
        )
    # The types on sale and their prices on the date, from the cache (one query when not).
    priced = {t.pk: (t, price) for t, price in prices_on(date) if t.pk in wanted}
    if set(priced) != set(wanted):
        raise BookingError(_("One of the ticket types is not on sale."), field="lines")
    lines = []
    for pk, qty in sorted(wanted.items()):
        ticket_type, price = priced[pk]
        lines.append((ticket_type, qty, price))
    return lines


def _release_due(slot: Slot, *, now: datetime.datetime) -> int:
    """Release what expired holds and no-shows on ``slot`` still keep, before a booking
    counts what is left; returns how many orders gave places back.

    Each release commits on its own, before the booking's transaction begins: a release
    locks the slot's row, which a booking may lock only after the phone's.
    """
    from . import limits

    due = list(_holds_due(now=now, slot_id=slot.pk))
    expired = 0
    if due:
        with transaction.atomic():
            _lock_timeout()
            expired = _expire(due, now=now)
    return expired + limits.no_shows_release(now=now, slot_id=slot.pk)


@contextlib.contextmanager
def _booking(slot: Slot, quantity: int, *, now: datetime.datetime):
    """The transaction of a booking of ``quantity`` places in ``slot``; the block writes the
    order, and the places are taken after it, just before the commit.

    Taking places locks the slot's row until the commit, and every booking of a popular
    time waits for that row: taken last, it is held for the commit alone. Too few places
    at the take rolls back what the block wrote.

    Holds run out and no-shows due for release (which the queue releases every minute or
    five) are released here only when this booking needs their places: first, when the
    slot as read lacks them, and a slot still full is refused before anything is written;
    or after the take found too few, when the others took them meanwhile, and then
    ``_PlacesReleased`` asks the caller (``_booked``) to try once more. The booking of a
    time with room reads nothing more.
    """
    short = slot.taken + quantity > slot.capacity
    if short:
        with _busy_refused():
            if not _release_due(slot, now=now):
                # Full as the slot was read just now: the take at the end would refuse it too.
                raise SoldOut()
    try:
        with _busy_refused(), transaction.atomic():
            _lock_timeout()
            yield
            _take_places(slot, quantity, now=now)
    except SoldOut:
        if not short:
            with _busy_refused():
                if _release_due(slot, now=now):
                    raise _PlacesReleased() from None
        raise


class _PlacesReleased(SoldOut):
    """A booking found too few places, and releasing what was due gave some back:
    ``_booked`` tries once more; a second time it is the tourist's "sold out"."""


def _booked(attempt: Callable[[], Order]) -> Order:
    """``attempt()``, a booking through ``_booking``; once more when it found too few places
    only because holds due for release still kept them (released now)."""
    try:
        return attempt()
    except _PlacesReleased:
        return attempt()


def _take_places(slot: Slot, quantity: int, *, now: datetime.datetime) -> None:
    """Take ``quantity`` places of ``slot`` in the caller's transaction, or raise with nothing taken.

    One conditional UPDATE of ``taken``: two bookings racing for the last places cannot
    both pass it. Bookings take places through ``_booking``, which takes them last.
    """
    # The slot as the tourist chose it: staff moving it meanwhile makes this take nothing.
    taken = Slot.objects.filter(
        pk=slot.pk,
        date=slot.date,
        starts_at=slot.starts_at,
        taken__lte=F("capacity") - quantity,
    ).update(taken=F("taken") + quantity)
    if (
        not taken
        and not Slot.objects.filter(pk=slot.pk, date=slot.date, starts_at=slot.starts_at).exists()
    ):
        raise BookingError(
            _("That entry time has just been changed; please choose again."), field="slot"
        )
    # A day closed while this booking waited for the slot: checked after taking the
    # slot's row, which closing the day locks first.
    if taken and ClosedDay.objects.filter(date=slot.date).exists():
        raise BookingError(_("The park is closed on that day."), field="slot")
    if not taken:
        raise SoldOut()


def order_create(
    *,
    slot_id: int,
    quantities: dict[int, int],
    contact: Contact | None,
    language: str = "zh-hans",
    channel: str = "web",
    provider=None,
    now: datetime.datetime | None = None,
    visitors: list | None = None,
    on_created: Callable[[Order], None] | None = None,
) -> Order:
    """Take places in a slot and create the order that holds them.

    Raises ``SoldOut`` when fewer places are left than asked for, ``BookingError``
    for anything else wrong with the request; in both cases nothing is saved. A sale
    at the box office has no ``contact``: the visitor stands at the counter.
    ``visitors`` (``realname.VisitorIn``, one per ticket) name who each ticket is for;
    real-name tickets require them on the website and the partner API.
    ``on_created(order)`` runs inside the order's transaction, so what it writes stands or
    falls with the order without a savepoint of its own.
    """
    from .payments import get_provider
    from .rules import rules_held

    provider = provider or get_provider()
    now = now or timezone.now()
    with rules_held():
        return _booked(
            lambda: _order_create(
                slot_id=slot_id,
                quantities=quantities,
                contact=contact,
                language=language,
                channel=channel,
                provider=provider,
                now=now,
                visitors=visitors,
                on_created=on_created,
            )
        )


def _order_create(
    *, slot_id, quantities, contact, language, channel, provider, now, visitors, on_created
) -> Order:
    from . import limits
    from .realname import visitors_attach, visitors_for_booking

    contact = _validate_contact(contact) if contact is not None else Contact("", "", "")
    slot = _bookable_slot(slot_id, now=now)
    lines = _priced_lines(quantities, slot.date)
    checked = visitors_for_booking(
        visitors=visitors, lines=lines, visit_date=slot.date, channel=channel, now=now
    )
    quantity = sum(qty for _, qty, _ in lines)

    with _booking(slot, quantity, now=now):
        # The phone's row first, the slot's last: every booking locks them in that order.
        try:
            limits.booking_limits_check(
                contact=contact, slot=slot, quantity=quantity, provider=provider, now=now
            )
        except BookingError as refusal:
            # When the time lacks the places too, that is what the tourist hears first.
            _take_places(slot, quantity, now=now)
            raise refusal from None
        order = _order_open(
            slot=slot,
            lines=lines,
            contact=contact,
            provider=provider,
            language=language,
            channel=channel,
            now=now,
        )
        visitors_attach(order=order, checked=checked, now=now)
        _order_opened(order, provider, lines=lines, named=bool(checked))
        if on_created is not None:
            on_created(order)
    return order


def _order_open(
    *,
    slot: Slot,
    lines: list[tuple[TicketType, int, Decimal]],
    contact: Contact,
    provider,
    language: str,
    channel: str,
    now: datetime.datetime,
) -> Order:
    """The order and its lines, in the caller's transaction, which takes their places."""
    order = Order.objects.create(
        slot=slot,
        status=Order.Status.PENDING if provider.online else Order.Status.RESERVED,
        provider=provider.name,
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_email=contact.email,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        quantity=sum(qty for _, qty, _ in lines),
        total=sum((price * qty for _, qty, price in lines), Decimal("0")),
        channel=channel,
        hold_expires_at=now + provider.hold_duration() if provider.online else None,
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, ticket_type=t, quantity=qty, unit_price=price)
            for t, qty, price in lines
        ]
    )
    return order


def _order_opened(
    order: Order,
    provider,
    *,
    lines: list[tuple[TicketType, int, Decimal]] | None = None,
    named: bool = False,
    **log,
) -> None:
    """Finish a new order: tickets at once when paid at the gate, the log, the email after commit.

    ``lines`` (as ``_order_open`` was given them) and ``named`` (visitors were attached)
    spare reading back what the order was just given.
    """
    if not provider.online:
        if lines is None:
            _issue_tickets(order)
        else:
            _tickets_create(order, [(t.pk, qty) for t, qty, _price in lines], named=named)
    _log(
        order,
        "created",
        quantity=order.quantity,
        total=str(order.total),
        provider=provider.name,
        channel=order.channel,
        **log,
    )
    if not provider.online and order.contact_email:
        transaction.on_commit(lambda: _send_confirmation(order.pk))


def order_start_payment(*, order: Order, base_url: str) -> Payment | None:
    """Open the provider's payment for a pending order; cancels the order if that fails."""
    from .payments import PaymentUnavailable, provider_for

    provider = provider_for(order.provider)
    if order.status != Order.Status.PENDING or not provider.online:
        return None
    try:
        return provider.start_payment(order, base_url=base_url)
    except PaymentUnavailable:
        logger.exception("payment could not be started for %s", order.reference)
        _end(order, Order.Status.CANCELLED, action="payment_unavailable")
        raise PaymentsDown(
            _(
                "Online payment is unavailable just now; nothing was charged. Please try again shortly."
            )
        ) from None


def _issue_tickets(order: Order) -> None:
    if order.tickets.exists():
        return
    _tickets_create(
        order,
        [(line.ticket_type_id, line.quantity) for line in order.lines.all()],
        named=order.visitors.exists(),
    )


def _tickets_create(order: Order, quantities: list[tuple[int, int]], *, named: bool) -> None:
    """A ticket for each place of ``quantities`` (ticket type id, quantity), in one insert;
    ``named`` gives each of the order's visitors one of them."""
    Ticket.objects.bulk_create(
        [
            Ticket(order=order, ticket_type_id=type_id)
            for type_id, quantity in quantities
            for _ in range(quantity)
        ]
    )
    if named:
        from .realname import visitors_link_tickets

        visitors_link_tickets(order=order)


def _transition(order: Order, to: str, *, from_: tuple[str, ...], user=None, **fields) -> bool:
    """Move ``order`` to status ``to`` if it is still in one of ``from_``; True if this call moved it.

    The move lands in the order's history (the admin's), with the fields it set.
    """
    names = ["status", *fields]
    before = history.snapshot(order, names=names)
    if before.get("status") not in from_ and len(from_) == 1:
        before["status"] = from_[0]
    moved = Order.objects.filter(pk=order.pk, status__in=from_).update(status=to, **fields)
    if moved:
        order.refresh_from_db()
        history.log_change(
            order, before=before, after=history.snapshot(order, names=names), user=user
        )
    return bool(moved)


def _release(order: Order) -> None:
    from .realname import visitors_release

    Slot.objects.filter(pk=order.slot_id).update(taken=F("taken") - order.quantity)
    # Real-name tickets: the visitors' ID numbers may book this date again.
    visitors_release(order=order)


def _end(
    order: Order, to: str, *, action: str, user=None, now=None, from_=Order.HOLDING, **data
) -> bool:
    """Cancel, expire or refund an order that holds places, releasing them; once only."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_timeout()
        if not _transition(order, to, from_=from_, user=user, ended_at=now):
            return False
        _release(order)
        _log(order, action, user=user, **data)
    return True


def _holds_due(*, now: datetime.datetime, slot_id: int | None = None):
    due = Order.objects.filter(status=Order.Status.PENDING, hold_expires_at__lt=now)
    if slot_id is not None:
        due = due.filter(slot_id=slot_id)
    return due.only("pk", "slot_id", "quantity", "status")


def _expire(orders, *, now: datetime.datetime) -> int:
    """Expire ``orders`` still pending, releasing their places, in the caller's transaction."""
    expired = 0
    for order in orders:
        if _transition(order, Order.Status.EXPIRED, from_=(Order.Status.PENDING,), ended_at=now):
            _release(order)
            _log(order, "expired")
            expired += 1
    return expired


def orders_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Expire every pending order whose hold has run out, releasing its places."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_timeout()
        return _expire(_holds_due(now=now), now=now)


def order_mark_paid(*, order: Order, payment: Payment, now: datetime.datetime | None = None) -> str:
    """Record a successful payment; returns ``"paid"``, ``"already"`` or ``"refunded"``.

    A payment that arrives after its hold ended keeps the order only if the places can
    still be taken; otherwise the money goes back at once and the order says why.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _lock_timeout()
        Payment.objects.filter(pk=payment.pk).update(
            status=Payment.Status.SUCCEEDED, completed_at=now
        )
        if _transition(
            order,
            Order.Status.PAID,
            from_=(Order.Status.PENDING, Order.Status.RESERVED),
            paid_at=now,
        ):
            _issue_tickets(order)
            _log(order, "paid", provider=payment.provider, amount=str(payment.amount))
            transaction.on_commit(lambda: _send_confirmation(order.pk))
            return "paid"
        order.refresh_from_db()
        if order.status == Order.Status.PAID:
            return "already"
        if order.status == Order.Status.EXPIRED:
            retaken = Slot.objects.filter(
                pk=order.slot_id, taken__lte=F("capacity") - order.quantity
            ).update(taken=F("taken") + order.quantity)
            from .realname import visitors_retake

            # Its visitors' numbers may have booked the date meanwhile: then no places either.
            if (
                retaken
                and visitors_retake(order=order)
                and _transition(
                    order,
                    Order.Status.PAID,
                    from_=(Order.Status.EXPIRED,),
                    paid_at=now,
                    ended_at=None,
                )
            ):
                _issue_tickets(order)
                _log(order, "paid_after_expiry", amount=str(payment.amount))
                transaction.on_commit(lambda: _send_confirmation(order.pk))
                return "paid"
            if retaken:
                _release(order)
    # Expired on a full slot, or cancelled meanwhile: give the money back.
    reason = (
        "sold_out_after_hold_expired"
        if order.status == Order.Status.EXPIRED
        else f"payment_for_{order.status}_order"
    )
    _refund_payment(order=order, payment=payment, reason=reason)
    before = history.snapshot(order, names=["status"])
    if Order.objects.filter(
        pk=order.pk, status__in=(Order.Status.EXPIRED, Order.Status.CANCELLED)
    ).update(status=Order.Status.REFUNDED, ended_at=now):
        history.log_change(order, before=before, after={"status": Order.Status.REFUNDED.value})
    _log(order, "refunded_late_payment", reason=reason, amount=str(payment.amount))
    transaction.on_commit(lambda: _send_confirmation(order.pk))
    return "refunded"


def _refund_payment(*, order: Order, payment: Payment, reason: str) -> Refund:
    from .payments import provider_for

    # What is left after refunds made earlier (a ticket or an amount at the order desk):
    # a replay or a second cancellation finds nothing left and refunds nothing.
    refunds = list(payment.refunds.all())
    left = payment.amount - sum((r.amount for r in refunds), Decimal("0"))
    if left <= 0 and refunds:
        return refunds[-1]
    key = f"refund-{payment.pk}" if not refunds else f"refund-{payment.pk}-rest"
    provider_reference = provider_for(payment.provider).refund(
        payment, amount=left, idempotency_key=key
    )
    return Refund.objects.create(
        payment=payment,
        amount=left,
        reason=reason,
        provider_reference=provider_reference or "",
    )


def cancellation_deadline(order: Order) -> datetime.datetime:
    """The last moment the tourist may cancel: a configured number of hours before entry."""
    start = order.slot.starts_at or datetime.time(0, 0)
    visit = timezone.make_aware(datetime.datetime.combine(order.slot.date, start))
    return visit - datetime.timedelta(hours=settings.TICKETS_CANCEL_CUTOFF_HOURS)


def order_cancel(
    *, order: Order, user: AbstractBaseUser | None = None, now: datetime.datetime | None = None
) -> Order:
    """Cancel at the tourist's (or staff's) request: refund what was paid, release the places at once."""
    now = now or timezone.now()
    if not order.holds_places:
        raise NotAllowed(
            _("This order is already %(status)s.") % {"status": order.get_status_display()}
        )
    if user is None and now > cancellation_deadline(order):
        raise NotAllowed(
            _("Orders can be cancelled up to %(hours)s hours before the visit.")
            % {"hours": settings.TICKETS_CANCEL_CUTOFF_HOURS}
        )
    if order.tickets.filter(checked_in_at__isnull=False).exists():
        raise NotAllowed(_("A ticket of this order has already been used."))
    paid = order.status == Order.Status.PAID
    target = Order.Status.REFUNDED if paid else Order.Status.CANCELLED
    if paid:
        from .payments import PaymentUnavailable

        # Money back first: when the provider cannot refund just now, the booking stays
        # as it was and the tourist can try again, instead of losing the places unpaid.
        try:
            for payment in order.payments.filter(status=Payment.Status.SUCCEEDED):
                _refund_payment(
                    order=order,
                    payment=payment,
                    reason="cancelled_by_tourist" if user is None else "cancelled_by_staff",
                )
        except PaymentUnavailable:
            logger.exception("refund for %s could not be made", order.reference)
            raise NotAllowed(
                _(
                    "The refund could not be made just now, so your booking is unchanged. Please try again shortly."
                )
            ) from None
    if not _end(order, target, action="cancelled", user=user, now=now, refund=paid):
        raise NotAllowed(_("This order has just changed; please reload the page."))
    if not paid:
        from .payments import provider_for

        for payment in order.payments.filter(status=Payment.Status.OPEN):
            provider_for(payment.provider).abandon(payment)
    transaction.on_commit(lambda: _send_confirmation(order.pk))
    return order


def order_payment_failed(
    *, order: Order, payment: Payment, now: datetime.datetime | None = None
) -> bool:
    """An asynchronous payment failed: cancel the order that waited for it, releasing its places."""
    now = now or timezone.now()
    with transaction.atomic():
        failed = Payment.objects.filter(pk=payment.pk, status=Payment.Status.OPEN).update(
            status=Payment.Status.FAILED, completed_at=now
        )
        if not failed:
            return False
        if _end(
            order,
            Order.Status.CANCELLED,
            action="payment_failed",
            from_=(Order.Status.PENDING,),
            now=now,
            provider=payment.provider,
        ):
            transaction.on_commit(lambda: _send_confirmation(order.pk))
    return True


def order_payment_expired(
    *, order: Order, payment: Payment, now: datetime.datetime | None = None
) -> bool:
    """The payment page ran out unpaid: close the payment and expire the order still waiting for it."""
    with transaction.atomic():
        closed = Payment.objects.filter(pk=payment.pk, status=Payment.Status.OPEN).update(
            status=Payment.Status.EXPIRED
        )
        if order.payments.filter(status=Payment.Status.OPEN).exists():
            return bool(closed)
        ended = _end(
            order,
            Order.Status.EXPIRED,
            action="expired",
            from_=(Order.Status.PENDING,),
            now=now,
            provider=payment.provider,
        )
    return bool(closed) or ended


def order_refunded_externally(
    *,
    order: Order,
    payment: Payment,
    amount: Decimal,
    provider_reference: str = "",
    now: datetime.datetime | None = None,
) -> bool:
    """Money given back outside the site (e.g. in Stripe's dashboard): refund the order, release its places."""
    with transaction.atomic():
        if not _end(
            order,
            Order.Status.REFUNDED,
            action="refunded_externally",
            from_=(Order.Status.PAID,),
            now=now,
            amount=str(amount),
        ):
            return False
        # A refund the site made itself is already recorded.
        if not payment.refunds.exists():
            Refund.objects.create(
                payment=payment,
                amount=amount,
                reason="refunded_at_provider",
                provider_reference=provider_reference,
            )
        transaction.on_commit(lambda: _send_confirmation(order.pk))
    return True


def event_record_once(*, provider: str, event_id: str, event_type: str) -> bool:
    """Record a webhook event; False if it was seen before (a replay)."""
    _, created = ProcessedEvent.objects.get_or_create(
        provider=provider, event_id=event_id, defaults={"event_type": event_type}
    )
    return created


# --- the gate -------------------------------------------------------------------------


@dataclass
class CheckIn:
    result: str  # valid | used | wrong_date | forged | unknown | not_valid | no_ticket
    message: str
    ticket: Ticket | None = None
    collect: Decimal | None = None  # to take at the gate, for pay-at-gate orders
    group: object | None = None  # the GroupBooking a group code admitted (``groups.py``)

    RESULTS = {
        "valid": gettext_lazy("Valid: admit"),
        "used": gettext_lazy("Already used"),
        "wrong_date": gettext_lazy("Not for today"),
        "forged": gettext_lazy("Forged or unknown"),
        "not_valid": gettext_lazy("Not valid"),
        # An ID number typed or read at the gate with no ticket for today.
        "no_ticket": gettext_lazy("No ticket today"),
    }


def ticket_check_in(*, payload: str, user, now: datetime.datetime | None = None) -> CheckIn:
    """Admit the visitor whose ticket says ``payload``, once; say why not otherwise."""
    now = now or timezone.now()
    code, signed = verify_payload(payload)
    if code is None or ("." in (payload or "") and not signed):
        return CheckIn("forged", _("This code was not issued by the park."))
    ticket = (
        Ticket.objects.select_related("order__slot", "ticket_type", "checked_in_by")
        .filter(code=code)
        .first()
    )
    if ticket is None:
        from .groups import group_check_in, group_for_code

        # A group leader's code admits the whole group.
        group = group_for_code(code)
        if group is not None:
            return group_check_in(group=group, user=user, now=now)
        return CheckIn("forged", _("No ticket has this code."))
    order = ticket.order
    if ticket.refunded_at is not None:
        return CheckIn("not_valid", _("This ticket was refunded."), ticket)
    if order.status not in (Order.Status.PAID, Order.Status.RESERVED):
        return CheckIn(
            "not_valid",
            _("This ticket's order is %(status)s.") % {"status": order.get_status_display()},
            ticket,
        )
    if order.slot.date != timezone.localdate(now):
        return CheckIn(
            "wrong_date",
            _("This ticket is for %(date)s.")
            % {"date": date_format(order.slot.date, "DATE_FORMAT")},
            ticket,
        )
    with transaction.atomic():
        _lock_timeout()
        admitted = Ticket.objects.filter(pk=ticket.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=user
        )
        if not admitted:
            ticket.refresh_from_db()
            who = ticket.checked_in_by.get_username() if ticket.checked_in_by else "?"
            return CheckIn(
                "used",
                _("Already admitted at %(time)s by %(user)s.")
                % {
                    "time": timezone.localtime(ticket.checked_in_at).strftime("%H:%M:%S"),
                    "user": who,
                },
                ticket,
            )
        ticket.refresh_from_db()
        collect = None
        if order.status == Order.Status.RESERVED:
            collect = order.total
            payment = Payment.objects.create(
                order=order,
                provider="gate",
                amount=order.total,
                status=Payment.Status.SUCCEEDED,
                completed_at=now,
                taken_by=user,
            )
            _transition(order, Order.Status.PAID, from_=(Order.Status.RESERVED,), paid_at=now)
            _log(order, "paid_at_gate", user=user, amount=str(payment.amount))
        _log(order, "checked_in", user=user, ticket=ticket.code)
    message = _("Admit one: %(type)s.") % {"type": ticket.ticket_type.display_name}
    if collect is not None:
        message += " " + _("Collect ¥%(amount)s for the whole order (%(n)s visitors).") % {
            "amount": collect,
            "n": order.quantity,
        }
    return CheckIn("valid", message, ticket, collect)


def _send_confirmation(order_id: int, *, notice: dict | None = None) -> None:
    """Put the order's email on the task queue; a worker renders and sends it (and retries
    while the mail server is down), so the tourist's request never waits for mail."""
    from tourism.tasks import notice_to_message, order_email_send

    try:
        order_email_send.delay(order_id, notice=notice_to_message(notice))
    except Exception:  # a queue that is down must not undo a booking
        logger.exception("the email of order %s could not be queued", order_id)


def slots_open(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    weekdays: set[int],
    first_entry: datetime.time | None,
    last_entry: datetime.time | None,
    every_minutes: int | None,
    capacity: int,
) -> dict[str, int]:
    """Open slots over a run of dates, skipping closed days and slots that already exist.

    With no entry times, each date gets one whole-day slot.
    """
    closed = set(
        ClosedDay.objects.filter(date__range=(date_from, date_to)).values_list("date", flat=True)
    )
    dates = [
        date_from + datetime.timedelta(days=n)
        for n in range((date_to - date_from).days + 1)
        if (date_from + datetime.timedelta(days=n)).weekday() in weekdays
    ]
    times: list[tuple[datetime.time | None, datetime.time | None]] = [(None, None)]
    if first_entry is not None:
        times = []
        step = datetime.timedelta(minutes=every_minutes)
        moment = datetime.datetime.combine(date_from, first_entry)
        last = datetime.datetime.combine(date_from, last_entry)
        while moment <= last and moment.date() == date_from:
            end = min(moment + step, datetime.datetime.combine(date_from, datetime.time(23, 59)))
            times.append((moment.time(), end.time()))
            moment += step
    existing = set(Slot.objects.filter(date__in=dates).values_list("date", "starts_at"))
    new = [
        Slot(date=day, starts_at=start, ends_at=end, capacity=capacity)
        for day in dates
        if day not in closed
        for start, end in times
        if (day, start) not in existing
    ]
    with transaction.atomic():
        Slot.objects.bulk_create(new, batch_size=500)
        if new:
            # One entry in the history for the run, on a bulk write of its own.
            history.log_bulk(
                BulkWrite.objects.create(what=_("Entry slots opened")),
                objects=new,
                describe=str,
            )
    open_dates = [d for d in dates if d not in closed]
    return {
        "created": len(new),
        "existing": len(open_dates) * len(times) - len(new),
        "closed": len(dates) - len(open_dates),
    }
