"""Visitor tickets: capacity by date and entry slot, orders, tickets, payments and refunds.

Capacity is a counter on the slot (``taken``) that only a conditional UPDATE moves,
inside the transaction that creates or releases the order; a database CHECK keeps
``taken`` within ``capacity`` whatever the code does.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from core.labels import labelled
from tourism.models import TicketType, localized_text

# Crockford-style alphabet without look-alikes (no I, L, O, U, 0, 1): read aloud at the gate.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_order_reference() -> str:
    return f"HG-{random_code(4)}-{random_code(4)}"


def new_order_token() -> str:
    return secrets.token_urlsafe(24)


def new_ticket_code() -> str:
    return random_code(10)


class ClosedDay(models.Model):
    """A date the park does not open: no slots are opened and nothing can be booked."""

    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason (Chinese)"), max_length=200, blank=True)
    reason_en = models.CharField(_("reason (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {localized_text(self, 'reason')}".strip()


class Slot(models.Model):
    """Places for one visit date, for the whole day or for one entry time window."""

    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True

    date = models.DateField(_("visit date"), db_index=True)
    starts_at = models.TimeField(
        _("entry from"), null=True, blank=True, help_text=_("Leave empty for a whole-day ticket.")
    )
    ends_at = models.TimeField(_("entry until"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("Visitors admitted in this slot.")
    )
    taken = models.PositiveIntegerField(
        _("places taken"),
        default=0,
        editable=False,
        help_text=_("Held by pending, reserved and paid orders."),
    )

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("entry slot")
        verbose_name_plural = _("entry slots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("capacity")), name="slot_never_oversold"
            ),
            models.UniqueConstraint(
                fields=["date", "starts_at"],
                condition=models.Q(starts_at__isnull=False),
                name="one_slot_per_date_and_time",
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(starts_at__isnull=True),
                name="one_whole_day_slot_per_date",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True, ends_at__isnull=True)
                | models.Q(
                    starts_at__isnull=False,
                    ends_at__isnull=False,
                    ends_at__gt=models.F("starts_at"),
                ),
                name="slot_times_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.time_label}"

    def clean(self):
        # The database CHECK would refuse this at save with an IntegrityError; say it first.
        if self.capacity is not None and self.capacity < self.taken:
            raise ValidationError(
                {
                    "capacity": ngettext(
                        "%(n)s place is already taken; the capacity cannot be less.",
                        "%(n)s places are already taken; the capacity cannot be less.",
                        self.taken,
                    )
                    % {"n": self.taken}
                }
            )

    @property
    @labelled(_("entry time"))
    def time_label(self) -> str:
        if self.starts_at is None:
            return str(_("all day"))
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    @labelled(_("places left"))
    def places_left(self) -> int:
        """Capacity less what orders hold (expired holds included until they are expired)."""
        return max(self.capacity - self.taken, 0)


class SeasonPrice(models.Model):
    """A price for a ticket type over a run of dates, e.g. the peak bloom weeks."""

    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("ticket type"),
        on_delete=models.CASCADE,
        related_name="season_prices",
    )
    name = models.CharField(_("season"), max_length=80, help_text=_("E.g. peak rose season."))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    price = models.DecimalField(_("price (CNY)"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("season price")
        verbose_name_plural = _("season prices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="season_dates_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="season_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.ticket_type} {self.name} {self.starts_on}–{self.ends_on}: ¥{self.price}"


class Order(models.Model):
    """A tourist's booking for one slot; holds its places from creation until it ends."""

    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        RESERVED = "reserved", _("Reserved, pay at the gate")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")

    class Channel(models.TextChoices):
        WEB = "web", _("Website")
        API = "api", _("Partner API")
        BOX_OFFICE = "box_office", _("Box office")
        GROUP = "group", _("Group booking")

    # Statuses whose places count against the slot's capacity.
    HOLDING = (Status.PENDING, Status.RESERVED, Status.PAID)

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, default=new_order_reference
    )
    token = models.CharField(max_length=64, unique=True, default=new_order_token, editable=False)
    slot = models.ForeignKey(
        Slot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    provider = models.CharField(_("payment method"), max_length=20)
    # A person's name: 姓名 in Chinese, not 名称 (a thing's name).
    contact_name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    contact_phone = models.CharField(
        _("phone"), max_length=30, help_text=_("Mainland mobile, or international form.")
    )
    contact_email = models.EmailField(
        _("email"), blank=True, help_text=_("Optional: confirmations go here when given.")
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    quantity = models.PositiveIntegerField(_("visitors"))
    total = models.DecimalField(_("total (CNY)"), max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    hold_expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True, db_index=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    ended_at = models.DateTimeField(_("cancelled, expired or refunded"), null=True, blank=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            # Every booking counts the tickets its phone holds for the day (limits.py), and
            # "find my tickets" looks orders up by phone: without it, each is a scan of
            # every order ever made, and bookings slow down as orders accumulate.
            models.Index(fields=["contact_phone"], name="order_contact_phone"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_has_visitors"),
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="order_total_not_negative"
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def holds_places(self) -> bool:
        return self.status in self.HOLDING

    @property
    def visit_date(self) -> datetime.date:
        return self.slot.date


class OrderLine(models.Model):
    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("order line")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["order", "ticket_type"], name="one_line_per_ticket_type"
            ),
        ]

    def __str__(self):
        return f"{self.ticket_type} × {self.quantity}"

    @property
    def amount(self):
        return self.unit_price * self.quantity


class Ticket(models.Model):
    """One visitor's admission: a code on a QR, admitted once."""

    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tickets")
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=16, unique=True, default=new_ticket_code)
    checked_in_at = models.DateTimeField(_("admitted at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A ticket refunded on its own at the order desk: no longer valid at the gate, its
    # place released; the rest of the order stands.
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [
            ("check_in_ticket", _("Can admit visitors at the gate")),
            ("sell_at_box_office", _("Can sell tickets at the box office")),
        ]

    def __str__(self):
        return self.code


class Payment(models.Model):
    """Money taken for an order, online or at the gate."""

    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True

    class Method(models.TextChoices):
        """How money taken at the box office was paid; online payments leave it empty."""

        CASH = "cash", _("Cash")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    provider = models.CharField(_("provider"), max_length=20)
    # The provider's id of the attempt (a Stripe Checkout Session id); unique so that
    # a webhook maps to exactly one payment.
    provider_reference = models.CharField(
        _("provider reference"), max_length=255, unique=True, null=True, blank=True
    )
    provider_payment_id = models.CharField(_("provider payment id"), max_length=255, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    redirect_url = models.URLField(_("payment page"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(
        _("paid by"), max_length=10, choices=Method.choices, blank=True, default=""
    )
    # What the provider handed out for this attempt (WeChat Pay: the kind of payment and
    # its QR code link, cashier link or prepay id), to show it again on the next visit.
    details = models.JSONField(_("provider details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            # A WeChat Pay or Alipay transaction scanned at the counter pays for one sale only.
            models.UniqueConstraint(
                fields=["method", "provider_payment_id"],
                condition=models.Q(method__in=["wechat", "alipay"]),
                name="counter_payment_recorded_once",
            ),
        ]

    def __str__(self):
        return f"{self.provider} ¥{self.amount} ({self.get_status_display()})"


class Refund(models.Model):
    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    provider_reference = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Who gave the money back: for a gate order, the staff member who handed back the cash.
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("refunded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self):
        return f"¥{self.amount}: {self.reason}"


class ProcessedEvent(models.Model):
    """A payment provider's webhook event, recorded once so that a replay changes nothing."""

    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("processed payment event")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="event_processed_once")
        ]

    def __str__(self):
        return f"{self.provider} {self.event_id}"


class OrderLog(models.Model):
    """What happened to an order, when, and who did it."""

    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.order_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class PhoneDay(models.Model):
    """One row per phone number and visit date, locked while a booking counts that phone's tickets.

    The per-phone limit counts the phone's orders for the date; two bookings of one phone
    for one date (on different slots) would each count before the other commits. Each
    takes this row ``FOR UPDATE`` first, so the second counts after the first has
    committed. Rows for past dates carry no meaning and are deleted by ``release_no_shows``.
    """

    wagtail_reference_index_ignore = True

    phone = models.CharField(_("phone"), max_length=30)
    date = models.DateField(_("visit date"))

    class Meta:
        verbose_name = _("phone booking lock")
        constraints = [
            models.UniqueConstraint(
                fields=["phone", "date"], name="one_lock_row_per_phone_and_date"
            )
        ]

    def __str__(self):
        return f"{self.phone} {self.date}"
