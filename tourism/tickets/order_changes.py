"""Staff changes to an order at the order desk: refund, move, change quantities, resend, mark paid.

Every change runs in one transaction that first locks the order's row
(``SELECT … FOR UPDATE``), so two staff acting on one order at once are served one
after the other and the second sees what the first did: money goes back once, and
never more than was paid. Places move between slots by the same conditional UPDATEs
the booking uses, so nothing here can oversell a slot. Each change is logged with
who made it and what it changed.
"""

import datetime
import logging
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Order, OrderLine, Payment, Refund, Slot, Ticket
from .realname import visitors_move, visitors_release
from .selectors import price_for
from .services import (
    BookingError,
    NotAllowed,
    SoldOut,
    _bookable_slot,
    _end,
    _issue_tickets,
    _lock_timeout,
    _log,
    _priced_lines,
    _send_confirmation,
    _take_places,
    _transition,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


class _Busy(NotAllowed):
    pass


def _locked(order: Order) -> Order:
    """The order re-read under a row lock held to the end of the caller's transaction."""
    _lock_timeout()
    try:
        return Order.objects.select_for_update().select_related("slot").get(pk=order.pk)
    except OperationalError:
        # PostgreSQL's lock_timeout ran out: another change of this order is taking long.
        raise _Busy(
            _("Someone else is changing this order just now; please try again in a moment.")
        ) from None


def order_paid_amount(order: Order) -> Decimal:
    """Money taken for the order (succeeded payments)."""
    total = order.payments.filter(status=Payment.Status.SUCCEEDED).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0")


def order_refunded_amount(order: Order) -> Decimal:
    """Money given back for the order so far."""
    total = Refund.objects.filter(payment__order=order).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0")


def order_refundable_amount(order: Order) -> Decimal:
    return max(order_paid_amount(order) - order_refunded_amount(order), Decimal("0"))


def _give_back(order: Order, amount: Decimal, *, user, reason: str) -> list[Refund]:
    """Refund ``amount`` over the order's succeeded payments, newest first, through each provider.

    Must run under the order's lock. Raises ``NotAllowed`` when the provider cannot
    refund just now; the caller's transaction then saves nothing.
    """
    from .payments import PaymentUnavailable, provider_for

    refunds = []
    left = amount
    payments = order.payments.filter(status=Payment.Status.SUCCEEDED).order_by("-created_at")
    for payment in payments:
        if left <= 0:
            break
        already = payment.refunds.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        share = min(payment.amount - already, left)
        if share <= 0:
            continue
        # Numbered by the refunds the payment already has, which the lock keeps stable: a
        # retry after a lost answer reuses the key and the provider refunds once.
        key = f"refund-{payment.pk}-desk-{payment.refunds.count() + 1}"
        try:
            reference = provider_for(payment.provider).refund(
                payment, amount=share, idempotency_key=key
            )
        except PaymentUnavailable:
            logger.exception("desk refund for %s could not be made", order.reference)
            raise NotAllowed(
                _(
                    "The payment provider could not make the refund just now, so nothing was "
                    "changed. Please try again shortly."
                )
            ) from None
        refunds.append(
            Refund.objects.create(
                payment=payment,
                amount=share,
                reason=reason,
                provider_reference=reference or "",
                made_by=user,
            )
        )
        left -= share
    return refunds


def _refund_words(order: Order, refunds: list[Refund]) -> dict:
    amount = sum((r.amount for r in refunds), Decimal("0"))
    cash = any(r.payment.provider == "gate" for r in refunds)
    return {"amount": str(amount), "cash": cash}


def order_refund_all(*, order: Order, user, reason: str = "") -> Order:
    """Cancel the order and give back everything paid and not yet refunded; its places are released."""
    with transaction.atomic():
        order = _locked(order)
        if not order.holds_places:
            raise NotAllowed(
                _("This order is already %(status)s.") % {"status": order.get_status_display()}
            )
        if order.tickets.filter(checked_in_at__isnull=False, refunded_at__isnull=True).exists():
            raise NotAllowed(
                _(
                    "A visitor of this order has already been admitted; refund the other "
                    "tickets one by one instead."
                )
            )
        refunds = _give_back(
            order, order_refundable_amount(order), user=user, reason="cancelled_at_desk"
        )
        paid = order.status == Order.Status.PAID
        target = Order.Status.REFUNDED if paid else Order.Status.CANCELLED
        if not _end(
            order,
            target,
            action="cancelled_at_desk",
            user=user,
            note=reason,
            **_refund_words(order, refunds),
        ):
            raise NotAllowed(_("This order has just changed; please reload the page."))
        for payment in order.payments.filter(status=Payment.Status.OPEN):
            from .payments import provider_for

            transaction.on_commit(
                lambda payment=payment: provider_for(payment.provider).abandon(payment)
            )
        transaction.on_commit(lambda: _send_confirmation(order.pk))
    return order


def order_refund_tickets(*, order: Order, user, ticket_ids: list[int], reason: str = "") -> Order:
    """Refund chosen tickets: each is no longer valid, its place is released, its price goes back.

    Refunding the last valid tickets refunds the whole order.
    """
    ticket_ids = sorted({int(pk) for pk in ticket_ids})
    if not ticket_ids:
        raise BookingError(_("Choose at least one ticket to refund."), field="tickets")
    now = timezone.now()
    with transaction.atomic():
        order = _locked(order)
        if not order.holds_places:
            raise NotAllowed(
                _("This order is already %(status)s.") % {"status": order.get_status_display()}
            )
        tickets = list(
            order.tickets.filter(pk__in=ticket_ids).select_related("ticket_type").order_by("pk")
        )
        if len(tickets) != len(ticket_ids):
            raise BookingError(_("One of the tickets is not part of this order."), field="tickets")
        if any(t.refunded_at for t in tickets):
            raise NotAllowed(_("One of these tickets has already been refunded."))
        if any(t.checked_in_at for t in tickets):
            raise NotAllowed(_("One of these tickets has already been used at the gate."))
        valid_left = order.tickets.filter(refunded_at__isnull=True).count() - len(tickets)
        lines = {line.ticket_type_id: line for line in order.lines.all()}
        price = sum((lines[t.ticket_type_id].unit_price for t in tickets), Decimal("0"))
        paid = order.status == Order.Status.PAID
        # Never more than is left of what was paid (an amount refunded earlier counts).
        money = min(price, order_refundable_amount(order)) if paid else Decimal("0")
        refunds = _give_back(order, money, user=user, reason="tickets_refunded_at_desk")
        codes = [t.code for t in tickets]
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(refunded_at=now)
        visitors_release(tickets=tickets, now=now)
        if valid_left == 0:
            # Nothing left to admit: the order ends and releases all its places.
            target = Order.Status.REFUNDED if paid else Order.Status.CANCELLED
            _end(
                order,
                target,
                action="tickets_refunded",
                user=user,
                tickets=codes,
                note=reason,
                **_refund_words(order, refunds),
            )
        else:
            _reduce_lines(order, Counter(t.ticket_type_id for t in tickets))
            _log(
                order,
                "tickets_refunded",
                user=user,
                tickets=codes,
                note=reason,
                **_refund_words(order, refunds),
            )
        transaction.on_commit(lambda: _send_confirmation(order.pk))
    order.refresh_from_db()
    return order


def _reduce_lines(order: Order, fewer: Counter) -> None:
    """Take ``fewer`` visitors (by ticket type) off the order's lines, total and slot."""
    count = sum(fewer.values())
    amount = Decimal("0")
    for line in order.lines.filter(ticket_type_id__in=fewer):
        amount += line.unit_price * fewer[line.ticket_type_id]
        if line.quantity == fewer[line.ticket_type_id]:
            line.delete()
        else:
            OrderLine.objects.filter(pk=line.pk).update(
                quantity=F("quantity") - fewer[line.ticket_type_id]
            )
    Order.objects.filter(pk=order.pk).update(
        quantity=F("quantity") - count, total=F("total") - amount
    )
    Slot.objects.filter(pk=order.slot_id).update(taken=F("taken") - count)
    order.refresh_from_db()


def order_refund_amount(*, order: Order, user, amount: Decimal, reason: str = "") -> Order:
    """Give part of the money back (a goodwill refund); the tickets stay valid."""
    try:
        amount = Decimal(amount).quantize(CENT)
    except (ArithmeticError, TypeError, ValueError):
        raise BookingError(_("Enter an amount in yuan."), field="amount") from None
    if amount <= 0:
        raise BookingError(_("The amount must be more than zero."), field="amount")
    with transaction.atomic():
        order = _locked(order)
        if order.status != Order.Status.PAID:
            raise NotAllowed(_("Only a paid order can have money refunded."))
        left = order_refundable_amount(order)
        if amount > left:
            raise BookingError(
                _("At most ¥%(left)s of this order can still be refunded.")
                % {"left": f"{left:.2f}"},
                field="amount",
            )
        refunds = _give_back(order, amount, user=user, reason="amount_refunded_at_desk")
        _log(order, "amount_refunded", user=user, note=reason, **_refund_words(order, refunds))
    return order


def order_move(*, order: Order, user, slot_id: int) -> Order:
    """Move the order to another date or entry time, taking places there and releasing the old ones.

    Refused, with nothing changed, when the new slot has fewer places left than the
    order needs.
    """
    now = timezone.now()
    try:
        slot_id = int(slot_id)
    except (TypeError, ValueError):
        raise BookingError(_("Choose an entry time."), field="slot") from None
    with transaction.atomic():
        order = _locked(order)
        if not order.holds_places:
            raise NotAllowed(
                _("This order is already %(status)s.") % {"status": order.get_status_display()}
            )
        if order.slot_id == slot_id:
            raise BookingError(_("The order is already for that entry time."), field="slot")
        if order.tickets.filter(checked_in_at__isnull=False).exists():
            raise NotAllowed(_("A visitor of this order has already been admitted."))
        new = _bookable_slot(slot_id, now=now)
        old = order.slot
        # As a booking takes them: a slot moved or a day closed meanwhile is refused too.
        try:
            _take_places(new, order.quantity, now=now)
        except SoldOut:
            new.refresh_from_db()
            raise SoldOut(
                ngettext(
                    "Only %(left)s place is left at that time; this order needs %(n)s.",
                    "Only %(left)s places are left at that time; this order needs %(n)s.",
                    new.places_left,
                )
                % {"left": new.places_left, "n": order.quantity},
                field="slot",
            ) from None
        Slot.objects.filter(pk=old.pk).update(taken=F("taken") - order.quantity)
        Order.objects.filter(pk=order.pk).update(slot=new)
        if new.date != old.date:
            visitors_move(order=order, visit_date=new.date)
        _log(
            order,
            "moved",
            user=user,
            old={"date": f"{old.date:%Y-%m-%d}", "time": _slot_time(old)},
            new={"date": f"{new.date:%Y-%m-%d}", "time": _slot_time(new)},
        )
        transaction.on_commit(lambda: _send_confirmation(order.pk))
    order.refresh_from_db()
    return order


def _slot_time(slot: Slot) -> str:
    # Kept language-neutral in the log; the desk words it in the reader's language.
    return "" if slot.starts_at is None else f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"


def order_change_quantities(*, order: Order, user, quantities: dict[int, int]) -> Order:
    """Set how many tickets of each type the order has.

    Allowed while the order is paid at the gate (reserved): places are taken or
    released in its slot, tickets issued or withdrawn, the total repriced (lines
    kept at the price booked, new types at today's price for the visit date). A paid
    order can only shrink, by refunding tickets, so the money follows.
    """
    with transaction.atomic():
        order = _locked(order)
        if not order.holds_places:
            raise NotAllowed(
                _("This order is already %(status)s.") % {"status": order.get_status_display()}
            )
        current = Counter(
            order.tickets.filter(refunded_at__isnull=True).values_list("ticket_type_id", flat=True)
        )
        wanted = {int(k): int(v) for k, v in quantities.items()}
        if any(v < 0 for v in wanted.values()):
            raise BookingError(_("Quantities cannot be negative."), field="lines")
        # Types already booked keep their place even when no longer on sale.
        new_types = {k: v for k, v in wanted.items() if v and k not in current}
        if new_types:
            _priced_lines(new_types, order.slot.date)
        final = sum(wanted.get(k, current[k]) for k in set(current) | set(wanted))
        if final == 0:
            raise BookingError(
                _("An order needs at least one ticket; cancel it instead."), field="lines"
            )
        if final > settings.TICKETS_MAX_PER_ORDER:
            raise BookingError(
                _("At most %(n)s tickets per order.") % {"n": settings.TICKETS_MAX_PER_ORDER},
                field="lines",
            )
        more = {k: v - current[k] for k, v in wanted.items() if v > current[k]}
        fewer = Counter({k: current[k] - v for k, v in wanted.items() if v < current[k]})
        if not more and not fewer:
            raise BookingError(_("The quantities are unchanged."), field="lines")
        if order.status == Order.Status.PENDING:
            raise NotAllowed(
                _("The visitor is paying for this order just now; change it once it is paid.")
            )
        if order.status == Order.Status.PAID and more:
            raise NotAllowed(
                _(
                    "A paid order cannot take more tickets here; book the extra visitors as a "
                    "new order."
                )
            )
        removable = _removable_tickets(order, fewer)
        before = dict(current)
    if order.status == Order.Status.PAID:
        return order_refund_tickets(
            order=order, user=user, ticket_ids=[t.pk for t in removable], reason=""
        )
    return _reshape_reserved(order, user=user, more=more, fewer=fewer, before=before)


def _removable_tickets(order: Order, fewer: Counter) -> list[Ticket]:
    chosen = []
    for type_id, n in fewer.items():
        unused = list(
            order.tickets.filter(
                ticket_type_id=type_id, refunded_at__isnull=True, checked_in_at__isnull=True
            ).order_by("-pk")[:n]
        )
        if len(unused) < n:
            raise NotAllowed(
                _("Visitors of this order have already been admitted; those tickets stay.")
            )
        chosen += unused
    return chosen


def _reshape_reserved(order: Order, *, user, more: dict, fewer: Counter, before: dict) -> Order:
    with transaction.atomic():
        order = _locked(order)
        if order.status != Order.Status.RESERVED:
            raise NotAllowed(_("This order has just changed; please reload the page."))
        removable = _removable_tickets(order, fewer)
        added = sum(more.values())
        if added:
            taken = Slot.objects.filter(pk=order.slot_id, taken__lte=F("capacity") - added).update(
                taken=F("taken") + added
            )
            if not taken:
                slot = Slot.objects.get(pk=order.slot_id)
                raise SoldOut(
                    ngettext(
                        "Only %(left)s more place is left at this time.",
                        "Only %(left)s more places are left at this time.",
                        slot.places_left,
                    )
                    % {"left": slot.places_left},
                    field="lines",
                )
            amount = Decimal("0")
            lines = {line.ticket_type_id: line for line in order.lines.all()}
            from tourism.models import TicketType

            types = TicketType.objects.in_bulk(list(more))
            for type_id, n in more.items():
                line = lines.get(type_id)
                if line is None:
                    line = OrderLine.objects.create(
                        order=order,
                        ticket_type_id=type_id,
                        quantity=n,
                        unit_price=price_for(types[type_id], order.slot.date),
                    )
                else:
                    OrderLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + n)
                amount += line.unit_price * n
                Ticket.objects.bulk_create(
                    [Ticket(order=order, ticket_type_id=type_id) for _ in range(n)]
                )
            Order.objects.filter(pk=order.pk).update(
                quantity=F("quantity") + added, total=F("total") + amount
            )
        if fewer:
            visitors_release(tickets=removable)
            Ticket.objects.filter(pk__in=[t.pk for t in removable]).delete()
            _reduce_lines(order, fewer)
        order.refresh_from_db()
        after = Counter(order.tickets.values_list("ticket_type_id", flat=True))
        _log(
            order,
            "quantities_changed",
            user=user,
            old=_type_counts(before),
            new=_type_counts(after),
            total=str(order.total),
        )
        transaction.on_commit(lambda: _send_confirmation(order.pk))
    return order


def _type_counts(counts: dict) -> dict[str, int]:
    return {str(k): int(v) for k, v in sorted(counts.items()) if v}


def order_resend_confirmation(*, order: Order, user) -> Order:
    """Send the order's email again, in the language the tourist booked in.

    The email goes on the task queue, as a booking's does: the desk does not wait for the
    mail server, and a worker retries while it is down. Only a queue that cannot be reached
    is refused here, so the clerk knows to try again.
    """
    from tourism.tasks import order_email_send

    if order.status == Order.Status.PENDING:
        raise NotAllowed(_("The order is not paid yet; there is nothing to confirm."))
    if order.status == Order.Status.EXPIRED:
        raise NotAllowed(_("The order expired unpaid; there is nothing to confirm."))
    try:
        order_email_send.delay(order.pk)
    except Exception:
        logger.exception("resending the confirmation of %s failed", order.reference)
        raise NotAllowed(_("The email could not be sent just now; please try again.")) from None
    _log(order, "confirmation_resent", user=user, email=order.contact_email)
    return order


def order_mark_paid_at_gate(*, order: Order, user, now: datetime.datetime | None = None) -> Order:
    """Record that the visitor paid a pay-at-gate order in full at the ticket office."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked(order)
        if order.status != Order.Status.RESERVED:
            raise NotAllowed(
                _(
                    "Only an order reserved to pay at the gate can be marked paid; this one is %(status)s."
                )
                % {"status": order.get_status_display()}
            )
        payment = Payment.objects.create(
            order=order,
            provider="gate",
            amount=order.total,
            status=Payment.Status.SUCCEEDED,
            completed_at=now,
            taken_by=user,
        )
        _transition(order, Order.Status.PAID, from_=(Order.Status.RESERVED,), paid_at=now)
        _issue_tickets(order)
        _log(order, "paid_at_gate", user=user, amount=str(payment.amount))
        transaction.on_commit(lambda: _send_confirmation(order.pk))
    return order
