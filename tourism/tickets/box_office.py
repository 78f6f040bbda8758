"""The box office at the gate: today's tickets sold to walk-in visitors, and the day's takings.

A sale takes its places through the booking service (``services.order_create``), under
the same lock and the same database CHECK as an online order, so the box office can
never sell a place the website has sold, nor the other way round. The order, its
payment (cash, or WeChat Pay or Alipay scanned at the counter, with the payment's
reference) and, when the visitors walk in at once, their admission are written in one
transaction: a sale refused for any reason leaves nothing behind.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import Order, Payment, Refund, Slot, Ticket
from .payments.box_office import BoxOfficeProvider
from .selectors import day_availability, gate_day_summary
from .services import BookingError

SELL_PERMISSION = "tourism.sell_at_box_office"

# Payments whose reference the counter must record: the transaction number the
# visitor's WeChat Pay or Alipay shows, or the merchant's app after the scan.
SCANNED = (Payment.Method.WECHAT, Payment.Method.ALIPAY)
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{6,64}$")

# Money taken at the gate: box office sales, and pay-at-gate bookings collected at check-in.
GATE_PROVIDERS = ("box_office", "gate")
COLLECTED_AT_CHECK_IN = "collected"


def box_office_slots(*, now: datetime.datetime | None = None) -> list[Slot]:
    """Today's entry slots still open for entry, in order, each with ``remaining`` places.

    Slots whose entry time has passed are left out; full ones stay, shown as full.
    """
    now = now or timezone.now()
    day = day_availability(timezone.localdate(now), now=now)
    if day.closed:
        return []
    local_time = timezone.localtime(now).time()
    return [s for s in day.slots if s.ends_at is None or s.ends_at > local_time]


def box_office_default_slot(slots: list[Slot]) -> Slot | None:
    """The current or next slot with places left (the first open one when all are full)."""
    for slot in slots:
        if slot.remaining > 0:
            return slot
    return slots[0] if slots else None


def box_office_sell(
    *,
    slot_id: int,
    quantities: dict[int, int],
    method: str,
    user,
    reference: str = "",
    admit: bool = False,
    sale_key: str = "",
    now: datetime.datetime | None = None,
) -> Order:
    """Sell today's tickets at the counter; returns the paid order.

    ``method`` is cash, WeChat Pay or Alipay; the last two need the payment's
    ``reference``, and a reference is recorded once only. ``admit`` checks every
    ticket in at once. ``sale_key`` (one per sale form) makes a repeated tap return
    the sale already made instead of selling twice. Raises ``BookingError`` (``SoldOut``
    when places are short); then nothing is saved.
    """
    now = now or timezone.now()
    if method not in Payment.Method.values:
        raise BookingError(_("Choose how the visitor pays."), field="method")
    reference = (reference or "").strip()
    if method in SCANNED:
        if not reference:
            raise BookingError(
                _("Type the payment's transaction number from the %(method)s receipt.")
                % {"method": Payment.Method(method).label},
                field="reference",
            )
        if not REFERENCE_PATTERN.match(reference):
            raise BookingError(
                _("A transaction number is 6 to 64 letters, digits, dashes or underscores."),
                field="reference",
            )
    else:
        reference = ""  # cash leaves no reference to record
    if not Slot.objects.filter(pk=slot_id, date=timezone.localdate(now)).exists():
        raise BookingError(_("The box office sells today's tickets only."), field="slot")
    key = f"box_office:{sale_key}" if sale_key else None
    if key:
        already = _sale_made_with(key)
        if already is not None:
            return already
    if reference:
        _refuse_recorded_reference(method, reference)

    try:
        with transaction.atomic():
            order = services.order_create(
                slot_id=slot_id,
                quantities=quantities,
                contact=None,
                channel=Order.Channel.BOX_OFFICE,
                provider=BoxOfficeProvider(),
                now=now,
            )
            Payment.objects.create(
                order=order,
                provider=BoxOfficeProvider.name,
                provider_reference=key,
                provider_payment_id=reference,
                method=method,
                amount=order.total,
                status=Payment.Status.SUCCEEDED,
                completed_at=now,
                taken_by=user,
            )
            Order.objects.filter(pk=order.pk, status=Order.Status.RESERVED).update(
                status=Order.Status.PAID, paid_at=now
            )
            services._log(
                order,
                "paid_at_box_office",
                user=user,
                method=method,
                amount=str(order.total),
                reference=reference,
            )
            if admit:
                admitted = Ticket.objects.filter(order=order, checked_in_at__isnull=True).update(
                    checked_in_at=now, checked_in_by=user
                )
                services._log(order, "admitted_at_box_office", user=user, tickets=admitted)
    except IntegrityError:
        # Another tap of the same form, or the same payment recorded at the next counter,
        # won the race: the constraint kept it to one sale.
        if key:
            already = _sale_made_with(key)
            if already is not None:
                return already
        _refuse_recorded_reference(method, reference)
        raise
    order.refresh_from_db()
    return order


def _sale_made_with(key: str) -> Order | None:
    payment = Payment.objects.filter(provider_reference=key).select_related("order").first()
    return payment.order if payment else None


def _refuse_recorded_reference(method: str, reference: str) -> None:
    recorded = (
        Payment.objects.filter(method=method, provider_payment_id=reference)
        .select_related("order")
        .first()
    )
    if recorded is not None:
        raise BookingError(
            _("This payment is already recorded, for order %(ref)s.")
            % {"ref": recorded.order.reference},
            field="reference",
        )


# --- reads --------------------------------------------------------------------------


def walk_ins_on(date: datetime.date) -> int:
    """Visitors sold tickets at the box office for ``date`` (orders still valid)."""
    return Ticket.objects.filter(
        order__channel=Order.Channel.BOX_OFFICE,
        order__slot__date=date,
        order__status__in=(Order.Status.PAID, Order.Status.RESERVED),
    ).count()


def gate_today(*, date: datetime.date | None = None) -> dict:
    """The gate's day in figures: visitors expected, arrived, and sold at the box office."""
    date = date or timezone.localdate()
    summary = gate_day_summary(date)
    return {
        "date": date,
        "expected": summary["expected"],
        "arrived": summary["arrived"],
        "waiting": summary["waiting"],
        "walk_ins": walk_ins_on(date),
    }


METHOD_LABELS = {
    **{value: label for value, label in Payment.Method.choices},
    COLLECTED_AT_CHECK_IN: gettext_lazy("Pay-at-gate bookings collected"),
}
METHOD_ORDER = [*Payment.Method.values, COLLECTED_AT_CHECK_IN]


@dataclass
class TakingsRow:
    """One line of the day's takings: a payment method, a staff member, or the total."""

    kind: str  # method | staff | total
    key: str
    label: str
    sales: int = 0
    tickets: int = 0
    amount: Decimal = Decimal("0.00")
    # Refunds are known by payment method, not by who gave the money back.
    refunded: Decimal | None = Decimal("0.00")

    @property
    def group(self) -> str:
        return str(
            {
                "method": _("Payment method"),
                "staff": _("Staff member"),
                "total": _("Total"),
            }[self.kind]
        )

    @property
    def net(self) -> Decimal | None:
        return None if self.refunded is None else self.amount - self.refunded


def _method_key(provider: str, method: str) -> str:
    return method if provider == "box_office" and method else COLLECTED_AT_CHECK_IN


def box_office_takings(*, date: datetime.date) -> list[TakingsRow]:
    """The day's takings at the gate per payment method, then per staff member, then the total.

    Counts succeeded payments taken at the gate on ``date`` (local time): box office
    sales by how they were paid, and pay-at-gate bookings collected at check-in. Refunds
    made that day on such payments are taken off by payment method. Three queries.
    """
    start = timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    payments = Payment.objects.filter(
        status=Payment.Status.SUCCEEDED,
        provider__in=GATE_PROVIDERS,
        completed_at__gte=start,
        completed_at__lt=end,
    )
    grouped = payments.values("provider", "method", "taken_by").annotate(
        sales=Count("pk"), tickets=Sum("order__quantity"), amount=Sum("amount")
    )
    by_method = {key: TakingsRow("method", key, str(METHOD_LABELS[key])) for key in METHOD_ORDER}
    by_staff: dict[int | None, TakingsRow] = {}
    total = TakingsRow("total", "total", _("All payments"))
    for row in grouped:
        for target in (
            by_method[_method_key(row["provider"], row["method"])],
            by_staff.setdefault(row["taken_by"], TakingsRow("staff", str(row["taken_by"]), "")),
            total,
        ):
            target.sales += row["sales"]
            target.tickets += row["tickets"] or 0
            target.amount += row["amount"] or 0
    refunds = (
        Refund.objects.filter(
            payment__provider__in=GATE_PROVIDERS, created_at__gte=start, created_at__lt=end
        )
        .values("payment__provider", "payment__method")
        .annotate(amount=Sum("amount"))
    )
    for row in refunds:
        by_method[_method_key(row["payment__provider"], row["payment__method"])].refunded += row[
            "amount"
        ]
        total.refunded += row["amount"]
    users = get_user_model().objects.in_bulk([pk for pk in by_staff if pk is not None])
    for pk, row in by_staff.items():
        user = users.get(pk)
        row.label = (user.get_full_name() or user.get_username()) if user else _("(no one)")
        row.refunded = None
    staff_rows = sorted(by_staff.values(), key=lambda row: row.label)
    return [*by_method.values(), *staff_rows, total]
