"""The park's booking rules: real-name tickets, limits against hoarding, pay-at-gate no-shows, groups.

One record per site, edited under Settings → Booking rules. Services read the rules of the
default site through ``BookingRules.current()``; the per-order maximum stays the
``TICKETS_MAX_PER_ORDER`` setting, which also caps what these rules allow.
"""

import contextlib
import contextvars

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site


@register_setting(icon="key")
class BookingRules(BaseSiteSetting):
    """How the park sells tickets: "booked, real-name, limited" (预约、实名、限量)."""

    real_name = models.BooleanField(
        _("real-name tickets"),
        default=False,
        help_text=_(
            "Each ticket carries its visitor's name and identity document, checked at the gate."
        ),
    )
    id_retention_days = models.PositiveIntegerField(
        _("keep ID numbers for (days after the visit)"),
        default=30,
        validators=[MaxValueValidator(3650)],
        help_text=_("Visitors' ID numbers are erased this many days after their visit date."),
    )
    max_tickets_per_phone = models.PositiveIntegerField(
        _("tickets per phone number per date"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("At most this many tickets for one visit date under one phone number."),
    )
    release_unpaid_after_minutes = models.PositiveIntegerField(
        _("release unpaid pay-at-gate tickets after (minutes)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_(
            "Pay-at-gate reservations not checked in this many minutes after their entry time "
            "starts go back on sale. Leave blank to keep them all day."
        ),
    )
    offer_pay_at_gate = models.BooleanField(
        _("offer paying at the gate when online payment is on"),
        default=False,
        help_text=_(
            "With an online payment provider configured, tourists may still choose to reserve "
            "and pay at the gate. Without one, every booking is paid at the gate."
        ),
    )
    no_shows_before_pay_online = models.PositiveIntegerField(
        _("no-shows before paying online is required"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A phone number with this many released pay-at-gate reservations in 90 days must "
            "pay online. Leave blank never to require it."
        ),
    )
    group_minimum = models.PositiveIntegerField(
        _("smallest group"),
        default=10,
        validators=[MinValueValidator(2)],
        help_text=_("A group booking is for at least this many people."),
    )
    group_list_cutoff_hours = models.PositiveIntegerField(
        _("group visitor list due (hours before the visit)"),
        default=24,
        help_text=_("Group leaders may add or change their visitor list until this long before."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("real_name"), FieldPanel("id_retention_days")],
            heading=_("Real-name tickets"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("max_tickets_per_phone"),
                FieldPanel("release_unpaid_after_minutes"),
                FieldPanel("offer_pay_at_gate"),
                FieldPanel("no_shows_before_pay_online"),
            ],
            heading=_("Limits"),
        ),
        MultiFieldPanel(
            [FieldPanel("group_minimum"), FieldPanel("group_list_cutoff_hours")],
            heading=_("Group bookings"),
        ),
    ]

    class Meta:
        verbose_name = _("booking rules")

    @classmethod
    def current(cls) -> "BookingRules":
        """The default site's rules (unsaved defaults before anyone has edited them); inside
        ``rules_held()``, the ones read when it began."""
        held = _held.get()
        if held is not None:
            return held
        from tourism.page_cache import page_cache_get_or_set

        # From the cache, under the page cache's version, which saving the rules or a site
        # replaces (``tourism/signal_handlers.py``): every booking reads them.
        return page_cache_get_or_set(key="booking-rules", compute=cls._read)

    @classmethod
    def _read(cls) -> "BookingRules":
        # One query, the site joined, where the rules have been saved once (every park
        # that has opened the settings, and the demo).
        saved = cls.objects.filter(site__is_default_site=True).first()
        if saved is not None:
            return saved
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            return cls()
        return cls.for_site(site)


# A booking reads its rules (limits, real names, hold times) in several places; inside one
# booking they are read once, which spares six queries an order on the booking path.
_held: contextvars.ContextVar["BookingRules | None"] = contextvars.ContextVar(
    "booking_rules_held", default=None
)


@contextlib.contextmanager
def rules_held():
    """``BookingRules.current()`` answers from one read for the duration of the block (the
    read of an enclosing block, when there is one)."""
    token = _held.set(BookingRules.current())
    try:
        yield
    finally:
        _held.reset(token)
