"""A group booking (团队票): one order for a whole tour group, with its leader and agency.

The order holds the places, the price and one ticket per person like any other order (its
channel is ``group``); this record adds who leads the group, the travel agency behind it,
and the group's own code, whose QR admits everyone not yet admitted in one scan.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Order, new_ticket_code


class GroupBooking(models.Model):
    """The group details of an order booked through the group form or the partner API."""

    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="group"
    )
    code = models.CharField(
        _("group code"),
        max_length=16,
        unique=True,
        default=new_ticket_code,
        help_text=_("On the leader's QR code: admits the whole group at the gate."),
    )
    leader_name = models.CharField(_("group leader's name"), max_length=100)
    leader_phone = models.CharField(_("group leader's phone"), max_length=30)
    agency = models.CharField(_("travel agency"), max_length=200, blank=True)
    agency_licence = models.CharField(_("travel agency licence number"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("group booking")
        verbose_name_plural = _("group bookings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency="") | ~models.Q(agency_licence=""),
                name="group_agency_has_licence",
            ),
        ]

    def __str__(self):
        return f"{self.order.reference} {self.leader_name}"
