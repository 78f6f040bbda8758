"""What each day's reconciliation with a payment provider found.

Only the disagreements are stored, one row each: the lines that agree are counted, so a
busy day's result stays a handful of rows that someone has to look at.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Order


class Reconciliation(models.Model):
    """One provider's statement of one day set against Huagu's payments and refunds."""

    # Not content: Wagtail's reference index would add queries to every run.
    wagtail_reference_index_ignore = True

    provider = models.CharField(_("provider"), max_length=20)
    day = models.DateField(_("day"))
    run_at = models.DateTimeField(_("run at"), default=timezone.now)
    matched_payments = models.PositiveIntegerField(_("matched payments"), default=0)
    matched_refunds = models.PositiveIntegerField(_("matched refunds"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)

    class Meta:
        ordering = ["-day", "provider"]
        verbose_name = _("payment reconciliation")
        verbose_name_plural = _("payment reconciliations")
        constraints = [
            # Running a day again replaces its result rather than adding a second one.
            models.UniqueConstraint(
                fields=["provider", "day"], name="one_reconciliation_per_provider_and_day"
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.day}"


class ReconciliationProblem(models.Model):
    """A payment or refund the statement and Huagu disagree on."""

    wagtail_reference_index_ignore = True

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")

    class Problem(models.TextChoices):
        MISSING_HERE = "missing_here", _("In the statement, not in Huagu")
        MISSING_THERE = "missing_there", _("In Huagu, not in the statement")
        AMOUNT_DIFFERS = "amount_differs", _("Amounts differ")

    reconciliation = models.ForeignKey(
        Reconciliation,
        verbose_name=_("reconciliation"),
        on_delete=models.CASCADE,
        related_name="problems",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    problem = models.CharField(_("problem"), max_length=20, choices=Problem.choices)
    # The provider's name for the line: the trade number, PaymentIntent or refund id.
    reference = models.CharField(_("reference"), max_length=255)
    statement_amount = models.DecimalField(
        _("statement amount (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    our_amount = models.DecimalField(
        _("Huagu's amount (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["reconciliation", "kind", "problem", "reference"]
        verbose_name = _("reconciliation problem")
        verbose_name_plural = _("reconciliation problems")

    def __str__(self):
        return f"{self.get_problem_display()}: {self.reference}"
