"""Real-name tickets: the visitor each ticket is for, with an identity document.

A visitor belongs to the order (an online order gets its tickets only when paid, so
the visitor exists first) and is linked to its ticket once tickets are issued. The
document number is stored encrypted, with a keyed hash for lookups
(``core/id_crypto.py``); a partial unique index lets one number hold one active
ticket per visit date. Ending an order or refunding a ticket releases its visitor,
freeing the number to book again; ``erase_visitor_ids`` blanks numbers once the
retention period after the visit has passed.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.id_crypto import decrypt_id_number
from core.identity import DocumentType, mask_id_number, shown_id_number
from core.labels import labelled
from tourism.models import TicketType

from .models import Order, Ticket


class Visitor(models.Model):
    """One named person on an order, with the document they show at the gate."""

    # Not content: Wagtail's reference index would add queries to every booking.
    wagtail_reference_index_ignore = True

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="visitors"
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visitor",
    )
    name = models.CharField(_("full name"), max_length=100)
    document_type = models.CharField(
        pgettext_lazy("identity document", "document"),
        max_length=24,
        choices=DocumentType.choices,
        default=DocumentType.ID_CARD,
    )
    # Fernet token of the normalised number; empty once erased.
    number_encrypted = models.TextField(_("document number (encrypted)"), blank=True)
    # HMAC-SHA256 of the normalised number; NULL (not "") once erased, so that erased
    # visitors drop out of the unique index instead of colliding in it.
    number_hash = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )
    # The order's visit date, kept here so the database can hold the one-per-date rule.
    visit_date = models.DateField(_("visit date"), db_index=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    released_at = models.DateTimeField(
        _("released"),
        null=True,
        blank=True,
        help_text=_("Set when the order or this ticket ends; the number may then book again."),
    )
    erased_at = models.DateTimeField(_("number erased"), null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        constraints = [
            models.UniqueConstraint(
                fields=["number_hash", "visit_date"],
                condition=models.Q(released_at__isnull=True),
                name="one_ticket_per_id_per_date",
            ),
        ]
        indexes = [models.Index(fields=["number_hash"], name="visitor_number_hash")]

    def __str__(self):
        return f"{self.name} {self.masked_number}"

    @property
    def number(self) -> str:
        """The whole document number (decrypted); empty once erased."""
        return decrypt_id_number(self.number_encrypted)

    @property
    @labelled(_("document number"))
    def masked_number(self) -> str:
        if self.erased_at is not None or not self.number_encrypted:
            return str(_("erased"))
        return mask_id_number(self.number)

    def shown_number(self, user) -> str:
        """The number as ``user`` may see it: whole for superusers, masked for everyone else."""
        if self.erased_at is not None or not self.number_encrypted:
            return str(_("erased"))
        return shown_id_number(self.number, user)

    @property
    @labelled(pgettext_lazy("identity document", "document"))
    def document_label(self) -> str:
        return self.get_document_type_display()
