"""Villages, households, villagers, their work and wages, and the land the base leases from them.

Models hold fields, constraints and small properties; writes go through
``workforce/services.py`` and reads for reports through ``workforce/reports.py``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.identity import mask_id_number
from core.labels import labelled

ZERO = Decimal("0")


class Village(models.Model):
    """A village (村) whose people work at the base or lease it land."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self):
        return self.name


class VillageGroup(models.Model):
    """A villagers' group (组) within a village."""

    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="groups"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["village__code", "number"]
        verbose_name = _("village group")
        verbose_name_plural = _("village groups")
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="villagegroup_unique_number")
        ]

    def __str__(self):
        return self.name or f"{self.village} {self.number}组"


class PovertyStatus(models.TextChoices):
    NONE = "none", _("None")
    LIFTED = "lifted", _("Lifted out of poverty (脱贫户)")
    UNSTABLE = "unstable", _("Monitored: unstable after lifting (脱贫不稳定户)")
    MARGINAL = "marginal", _("Monitored: marginal, prone to poverty (边缘易致贫户)")
    HARDSHIP = "hardship", _("Monitored: sudden severe hardship (突发严重困难户)")


class Household(models.Model):
    """A household (户) of a village group; its poverty status is dated in ``HouseholdStatus``."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    group = models.ForeignKey(
        VillageGroup,
        verbose_name=_("village group"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    head_name = models.CharField(_("head of household"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return f"{self.code} {self.head_name}"


class HouseholdStatus(models.Model):
    """The household's poverty status from ``since`` until the next dated change."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="statuses"
    )
    status = models.CharField(_("status"), max_length=20, choices=PovertyStatus.choices)
    since = models.DateField(_("since"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["household", "-since"]
        verbose_name = _("household status")
        verbose_name_plural = _("household statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "since"], name="householdstatus_one_change_a_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PovertyStatus.values), name="householdstatus_known_status"
            ),
        ]

    def __str__(self):
        return f"{self.household}: {self.get_status_display()} ({self.since})"


class Villager(models.Model):
    """A person of a household. The ID number is stored whole and shown masked."""

    class Gender(models.TextChoices):
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(
        _("ID number"), max_length=18, unique=True, null=True, blank=True, default=None
    )

    class Meta:
        ordering = ["household__code", "pk"]
        verbose_name = _("villager")
        verbose_name_plural = _("villagers")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900, birth_year__lte=2100),
                name="villager_birth_year_plausible",
            ),
            models.CheckConstraint(condition=Q(gender__in=["f", "m"]), name="villager_gender"),
        ]

    def __str__(self):
        return self.name

    @property
    @labelled(_("ID number"))
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")


class EmploymentKind(models.TextChoices):
    PERMANENT = "permanent", pgettext_lazy("employment", "Permanent")
    SEASONAL = "seasonal", _("Seasonal")
    CASUAL = "casual", _("Casual")


class Employment(models.Model):
    """A period in which a villager is employed by the base, in a role."""

    villager = models.ForeignKey(
        Villager, verbose_name=_("villager"), on_delete=models.PROTECT, related_name="employments"
    )
    role = models.CharField(_("role"), max_length=100)
    kind = models.CharField(_("type"), max_length=20, choices=EmploymentKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["villager", "-starts_on"]
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="employment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EmploymentKind.values), name="employment_known_kind"
            ),
        ]

    def __str__(self):
        return f"{self.villager} · {self.role}"


class Basis(models.TextChoices):
    DAY = "day", _("per day")
    HOUR = "hour", _("per hour")
    PIECE = "piece", _("per piece")


def days_by_the_day(basis: str, quantity) -> Decimal:
    """The days ``quantity`` counts when work is paid by the day; nothing for hours or pieces."""
    return Decimal(quantity) if basis == Basis.DAY else Decimal("0")


class Task(models.Model):
    """A kind of work: planting, weeding, watering, pruning, harvesting, guiding visitors …"""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = pgettext_lazy("kind of work", "task")
        verbose_name_plural = pgettext_lazy("kinds of work", "tasks")

    def __str__(self):
        return self.name


class Rate(models.Model):
    """What a task pays per day, hour or piece from ``effective_from`` until the next rate."""

    task = models.ForeignKey(
        Task,
        verbose_name=pgettext_lazy("kind of work", "task"),
        on_delete=models.PROTECT,
        related_name="rates",
    )
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    amount = models.DecimalField(
        _("rate (CNY)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["task", "basis", "-effective_from"]
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "basis", "effective_from"], name="rate_one_per_day"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="rate_positive"),
            models.CheckConstraint(condition=Q(basis__in=Basis.values), name="rate_known_basis"),
        ]

    def __str__(self):
        return f"{self.task} {self.amount} {self.get_basis_display()} ({self.effective_from})"


class Crew(models.Model):
    """A work crew, usually led from one village; its members may come from several."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("crew")
        verbose_name_plural = _("crews")

    def __str__(self):
        return self.name


class WageBatch(models.Model):
    """A payment run: the work of a period, approved, then paid on a date under a bank reference.

    A batch moves draft → approved → paid (``workforce/services.py``); the work entries of an
    approved or paid batch are locked, and a database trigger refuses any change to them.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")

    # Statuses whose entries may no longer change: money depends on them.
    LOCKED = (Status.APPROVED, Status.PAID)

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("wage batch")
        verbose_name_plural = _("wage batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="wagebatch_period_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "approved", "paid"]),
                name="wagebatch_known_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="wagebatch_paid_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.period_start} – {self.period_end}"

    @property
    def locked(self) -> bool:
        return self.status in self.LOCKED


class WageBatchLog(models.Model):
    """A wage batch's step: created, approved, reopened or paid; when, and by whom."""

    batch = models.ForeignKey(WageBatch, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(_("action"), max_length=20)
    at = models.DateTimeField(_("at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("wage batch step")
        verbose_name_plural = _("wage batch steps")

    def __str__(self):
        return f"{self.batch} {self.action} {self.at:%Y-%m-%d %H:%M}"


LOCKED_MESSAGE = _(
    "This work entry is in a wage batch that is %(status)s, so it cannot be changed or deleted; "
    "record a correction instead."
)


def locked_message(batch: "WageBatch") -> str:
    return str(LOCKED_MESSAGE) % {"status": batch.get_status_display().lower()}


class WorkEntryQuerySet(models.QuerySet):
    """Bulk writes refuse entries of approved or paid batches, as single saves do."""

    def unlocked(self):
        return self.exclude(batch__status__in=WageBatch.LOCKED)

    def month_totals_sql(self) -> tuple[str, list]:
        """SQL selecting ``villager_id, month, days, wages`` of these entries, a row per villager and month.

        A day worked is a date whose entries (corrections included) pay the villager more
        than nothing: a correction of the amount adds no day, and one that takes a day's
        pay back entirely removes it.
        """
        from django.db.models import Sum
        from django.db.models.functions import TruncMonth

        per_day = (
            self.annotate(month=TruncMonth("date"))
            .values("villager_id", "month", "date")
            .annotate(pay=Sum("amount"))
            .values_list("villager_id", "month", "pay")
            .order_by()
        )
        sql, params = per_day.query.sql_with_params()
        days = "SUM(CASE WHEN per_day.pay > 0 THEN 1 ELSE 0 END)"
        return (
            f"SELECT per_day.villager_id, per_day.month, {days} AS days, "
            f"SUM(per_day.pay) AS wages FROM ({sql}) AS per_day "
            f"GROUP BY per_day.villager_id, per_day.month HAVING {days} > 0",
            list(params),
        )

    def _refuse_locked(self):
        locked = self.filter(batch__status__in=WageBatch.LOCKED).select_related("batch").first()
        if locked is not None:
            raise ValidationError(locked_message(locked.batch), code="locked")

    def update(self, **kwargs):
        self._refuse_locked()
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        self._refuse_locked()
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class WorkEntry(models.Model):
    """A villager's work on a date: ``amount`` = ``quantity`` × ``rate`` rounded to the fen, fixed when recorded.

    A correction of work already in an approved or paid batch is a new entry that
    ``corrects`` it: same villager, date and task, the change in quantity and amount
    (either may be negative), unbatched so that a later batch pays or recovers it.
    """

    date = models.DateField(_("date"))
    villager = models.ForeignKey(
        Villager, verbose_name=_("villager"), on_delete=models.PROTECT, related_name="work"
    )
    task = models.ForeignKey(
        Task, verbose_name=pgettext_lazy("kind of work", "task"), on_delete=models.PROTECT
    )
    crew = models.ForeignKey(
        Crew, verbose_name=_("crew"), on_delete=models.SET_NULL, null=True, blank=True
    )
    zone = models.ForeignKey(
        "nursery.Zone",
        verbose_name=_("zone"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    planting = models.ForeignKey(
        "nursery.Planting",
        verbose_name=_("planting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_entries",
        help_text=_("The planting this work was for, when it was a planting crew's work."),
    )
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    rate = models.DecimalField(_("rate (CNY)"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    batch = models.ForeignKey(
        WageBatch,
        verbose_name=_("wage batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text=_("The locked entry this one corrects."),
    )
    note = models.CharField(_("reason for the correction"), max_length=200, blank=True)

    objects = WorkEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("work entry")
        verbose_name_plural = _("work entries")
        # The report reads (villager, date, amount) of a period's entries: covering indexes
        # let PostgreSQL answer from the index alone.
        indexes = [
            models.Index(fields=["date", "villager", "amount"], name="workentry_date_villager"),
            models.Index(fields=["villager", "date", "amount"], name="workentry_villager_date"),
        ]
        constraints = [
            # Work is positive; only a correction may take quantity or money away.
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | Q(corrects__isnull=False),
                name="workentry_quantity_positive",
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="workentry_rate_positive"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | (Q(corrects__isnull=False) & ~Q(amount=0)),
                name="workentry_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(basis__in=Basis.values), name="workentry_known_basis"
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.villager} {self.task}"

    def save(self, *args, **kwargs):
        self.refuse_if_locked()
        if self.batch_id is not None and self.pk is None:
            batch = WageBatch.objects.filter(pk=self.batch_id).only("status").first()
            if batch is not None and batch.locked:
                raise ValidationError(locked_message(batch), code="locked")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_locked()
        return super().delete(*args, **kwargs)

    @property
    def days_by_the_day(self) -> Decimal:
        """The days this entry counts when paid by the day; nothing for hours or pieces."""
        return days_by_the_day(self.basis, self.quantity)

    @property
    def locked(self) -> bool:
        """In an approved or paid batch: money depends on it, so it cannot change."""
        return self.batch_id is not None and self.batch.locked

    def stored_batch(self) -> "WageBatch | None":
        """The batch the saved row is in now (not what this instance may have been given)."""
        if self.pk is None:
            return None
        return WageBatch.objects.filter(entries__pk=self.pk).only("pk", "status").first()

    def refuse_if_locked(self) -> None:
        """``ValidationError`` when the saved entry is in an approved or paid batch."""
        batch = self.stored_batch()
        if batch is not None and batch.locked:
            raise ValidationError(locked_message(batch), code="locked")


class WorkMonth(models.Model):
    """A villager's days worked and wages in one calendar month, summed from the work entries.

    The job-creation report reads these instead of scanning every entry of a year; the
    services keep them true on every write of a work entry (``work_months_refresh``).
    """

    villager = models.ForeignKey(
        Villager, verbose_name=_("villager"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    days = models.PositiveSmallIntegerField(_("days worked"))
    wages = models.DecimalField(_("wages (CNY)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("month of work")
        verbose_name_plural = _("months of work")
        constraints = [
            models.UniqueConstraint(fields=["villager", "month"], name="workmonth_one_per_month"),
            models.CheckConstraint(condition=Q(days__gt=0), name="workmonth_days_positive"),
        ]
        indexes = [
            models.Index(
                fields=["month", "villager"],
                include=["days", "wages"],
                name="workmonth_month_villager",
            ),
        ]

    def __str__(self):
        return f"{self.villager} {self.month:%Y-%m}"


class LandLease(models.Model):
    """Land a household leases to the base: area, yearly rent per mu, term."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="leases"
    )
    area_mu = models.DecimalField(
        _("area (mu)"), max_digits=8, decimal_places=2, help_text=_("1 mu = 666.67 m².")
    )
    rent_per_mu_year = models.DecimalField(
        _("rent per mu per year (CNY)"), max_digits=10, decimal_places=2
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["household", "starts_on"]
        verbose_name = _("land lease")
        verbose_name_plural = _("land leases")
        constraints = [
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="landlease_area_positive"),
            models.CheckConstraint(
                condition=Q(rent_per_mu_year__gte=0), name="landlease_rent_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="landlease_term_order"
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.area_mu} mu"

    @property
    @labelled(_("area (m²)"))
    def area_m2(self) -> Decimal:
        return (self.area_mu * Decimal("666.67")).quantize(Decimal("1"))


class RentPayment(models.Model):
    """Rent paid to the household for a lease."""

    lease = models.ForeignKey(
        LandLease, verbose_name=_("lease"), on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-paid_on"]
        verbose_name = _("rent payment")
        verbose_name_plural = _("rent payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="rentpayment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.lease} {self.amount} ({self.paid_on})"
