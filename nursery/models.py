"""The nursery: species, zones, lots, specimen trees and the events that happen to them.

Things hold little state; what happened to them is a log (stock entries, plantings,
survival checks, reservations) and current state is derived from it (``selectors.py``).
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core import geo
from core.labels import labelled
from core.months import MonthSetField, months_label
from core.park_map import ParkMap

from .validators import LOT_CODE_MAX_LENGTH, TAG_MAX_LENGTH, validate_code

SQUARE_METRES_PER_MU = Decimal("666.67")

logger = logging.getLogger(__name__)


class Zone(models.Model):
    """An area of the base: a nursery field, display garden, greenhouse or flower sea."""

    class Use(models.TextChoices):
        NURSERY_FIELD = "nursery_field", _("Nursery field")
        DISPLAY_GARDEN = "display_garden", _("Display garden")
        GREENHOUSE = "greenhouse", _("Greenhouse")
        FLOWER_SEA = "flower_sea", _("Flower sea")

    code = models.SlugField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short code painted on the zone's signs, e.g. A1."),
    )
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    area_mu = models.DecimalField(
        _("area (mu)"),
        max_digits=8,
        decimal_places=2,
        help_text=_("1 mu = 666.67 m²."),
    )
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        validators=[geo.validate_polygon],
        help_text=_("The zone's outline on the park map, inside the park boundary."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.CheckConstraint(condition=models.Q(area_mu__gt=0), name="zone_area_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    @labelled(_("area (m²)"))
    def area_m2(self) -> Decimal:
        return (self.area_mu * SQUARE_METRES_PER_MU).quantize(Decimal("1"))

    def clean(self):
        super().clean()
        ParkMap.load().check_inside(self.boundary, "boundary")


class Species(models.Model):
    """A plant of the catalogue: what a lot or a specimen tree is."""

    class Form(models.TextChoices):
        TREE = "tree", _("Tree")
        SHRUB = "shrub", _("Shrub")
        FLOWER = "flower", _("Flower")
        GROUNDCOVER = "groundcover", _("Groundcover")
        BAMBOO = "bamboo", _("Bamboo")
        CLIMBER = "climber", _("Climber")
        AQUATIC = "aquatic", _("Aquatic")

    class LeafHabit(models.TextChoices):
        EVERGREEN = "evergreen", _("Evergreen")
        DECIDUOUS = "deciduous", _("Deciduous")
        SEMI_EVERGREEN = "semi_evergreen", _("Semi-evergreen")

    scientific_name = models.CharField(_("scientific name"), max_length=150, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    family = models.CharField(_("family"), max_length=100, blank=True)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    leaf_habit = models.CharField(_("leaf habit"), max_length=20, choices=LeafHabit.choices)
    bloom_months = MonthSetField(_("bloom months"), blank=True)

    class Meta:
        ordering = ["scientific_name"]
        verbose_name = _("species")
        verbose_name_plural = _("species")

    def __str__(self):
        return f"{self.display_name} ({self.scientific_name})"

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    @labelled(_("bloom months"))
    def bloom_months_label(self) -> str:
        return months_label(self.bloom_months)


class Supplier(models.Model):
    """A nursery or dealer the base buys from."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    contact = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self):
        return self.name


class Customer(models.Model):
    """A landscape-engineering company that reserves and buys stock."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    contact = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return self.name


class Acquisition(models.Model):
    """A purchase: its lines, and the transport, crane and root-balling costs spread over them."""

    class Allocation(models.TextChoices):
        QUANTITY = "quantity", _("By quantity")
        VALUE = "value", _("By value")

    reference = models.CharField(_("reference"), max_length=50, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="acquisitions"
    )
    origin_province = models.CharField(_("origin province"), max_length=50, blank=True)
    acquired_on = models.DateField(_("date"))
    transport_cost = models.DecimalField(
        _("transport cost (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    crane_cost = models.DecimalField(
        _("crane cost (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    root_ball_cost = models.DecimalField(
        _("root-balling cost (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    allocation = models.CharField(
        _("spread extra costs"),
        max_length=10,
        choices=Allocation.choices,
        default=Allocation.VALUE,
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-acquired_on", "reference"]
        verbose_name = _("acquisition")
        verbose_name_plural = _("acquisitions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(transport_cost__gte=0, crane_cost__gte=0, root_ball_cost__gte=0),
                name="acquisition_costs_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.supplier}"

    @property
    def extra_cost(self) -> Decimal:
        return self.transport_cost + self.crane_cost + self.root_ball_cost


class AcquisitionLine(models.Model):
    """One species bought in an acquisition, with its share of the extra costs."""

    acquisition = models.ForeignKey(
        Acquisition, verbose_name=_("acquisition"), on_delete=models.CASCADE, related_name="lines"
    )
    species = models.ForeignKey(Species, verbose_name=_("species"), on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=12, decimal_places=2)
    allocated_cost = models.DecimalField(
        _("allocated extra cost (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        ordering = ["acquisition", "pk"]
        verbose_name = _("acquisition line")
        verbose_name_plural = _("acquisition lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, unit_price__gte=0, allocated_cost__gte=0),
                name="acquisition_line_amounts_valid",
            ),
        ]

    def __str__(self):
        return f"{self.acquisition.reference}: {self.species.name} × {self.quantity}"

    @property
    def landed_total(self) -> Decimal:
        return self.quantity * self.unit_price + self.allocated_cost

    @property
    @labelled(_("landed unit cost (CNY)"))
    def landed_unit_cost(self) -> Decimal:
        return (self.landed_total / self.quantity).quantize(Decimal("0.01"))


class StemHeight(models.TextChoices):
    """Where a stem diameter is measured: 胸径 at 1.3 m (or 1.2 m), 米径 at 1.0 m in the south-west."""

    BREAST_13 = "1.3", _("胸径 at 1.3 m")
    BREAST_12 = "1.2", _("胸径 at 1.2 m")
    METRE_10 = "1.0", _("米径 at 1.0 m")


def _plain(number: Decimal) -> str:
    """32.0 → "32", 8.5 → "8.5": a size as a nursery writes it."""
    return format(Decimal(number).normalize(), "f")


class NurserySpec(models.Model):
    """The size of a plant in the Chinese nursery convention (all lengths in cm)."""

    stem_diameter_cm = models.DecimalField(
        _("stem diameter 胸径/米径 (cm)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    stem_measured_at = models.CharField(
        _("stem measured at"),
        max_length=3,
        choices=StemHeight.choices,
        default=StemHeight.BREAST_13,
        blank=True,
    )
    ground_diameter_cm = models.DecimalField(
        _("ground diameter 地径 (cm)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    height_cm = models.PositiveIntegerField(_("height 苗高 H (cm)"), null=True, blank=True)
    crown_cm = models.PositiveIntegerField(_("crown 冠幅 P (cm)"), null=True, blank=True)
    branching_height_cm = models.PositiveIntegerField(
        _("branching point 分枝点 (cm)"), null=True, blank=True
    )
    root_ball_diameter_cm = models.PositiveIntegerField(
        _("root ball 土球 diameter (cm)"), null=True, blank=True
    )
    root_ball_depth_cm = models.PositiveIntegerField(
        _("root ball 土球 depth (cm)"), null=True, blank=True
    )

    class Meta:
        abstract = True

    @property
    @labelled(_("specification"))
    def spec_label(self) -> str:
        """The spec as a nursery writes it: 胸径18cm(1.3m) H500 P350 分枝点180 土球80×60."""
        parts = []
        if self.stem_diameter_cm is not None:
            word = "米径" if self.stem_measured_at == StemHeight.METRE_10 else "胸径"
            parts.append(
                f"{word}{_plain(self.stem_diameter_cm)}cm({self.stem_measured_at or StemHeight.BREAST_13}m)"
            )
        if self.ground_diameter_cm is not None:
            parts.append(f"地径{_plain(self.ground_diameter_cm)}cm")
        if self.height_cm:
            parts.append(f"H{self.height_cm}")
        if self.crown_cm:
            parts.append(f"P{self.crown_cm}")
        if self.branching_height_cm:
            parts.append(f"分枝点{self.branching_height_cm}")
        if self.root_ball_diameter_cm:
            ball = f"土球{self.root_ball_diameter_cm}"
            if self.root_ball_depth_cm:
                ball += f"×{self.root_ball_depth_cm}"
            parts.append(ball)
        return " ".join(parts)


class StockLot(NurserySpec):
    """A batch of like plants: one species, one spec, one zone.

    ``on_hand`` and ``reserved`` are kept by the services in the same transaction as
    the ledger entries and reservations they sum, under a lock on this row; the
    ledger is the truth and the selectors derive any past date from it.
    """

    class Grown(models.TextChoices):
        FIELD = "field", _("Field grown")
        CONTAINER = "container", _("Container grown")

    code = models.CharField(
        _("lot code"),
        max_length=LOT_CODE_MAX_LENGTH,
        unique=True,
        validators=[validate_code],
        help_text=_("Letters (Chinese too), digits and - _ . only; no spaces or slashes."),
    )
    species = models.ForeignKey(
        Species, verbose_name=_("species"), on_delete=models.PROTECT, related_name="lots"
    )
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="lots"
    )
    grown = models.CharField(_("grown"), max_length=10, choices=Grown.choices, default=Grown.FIELD)
    seedling_age_years = models.PositiveSmallIntegerField(
        _("seedling age (years)"), null=True, blank=True
    )
    unit_cost = models.DecimalField(
        _("unit cost (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    sale_price = models.DecimalField(
        _("sale price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    source_line = models.ForeignKey(
        AcquisitionLine,
        verbose_name=_("bought in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lots",
    )
    on_hand = models.IntegerField(_("on hand"), default=0, editable=False)
    reserved = models.IntegerField(_("reserved"), default=0, editable=False)
    reorder_level = models.PositiveIntegerField(
        _("reorder level"),
        null=True,
        blank=True,
        help_text=_(
            "The lot shows as low on stock on the managers' home screen when fewer plants "
            "than this are available (on hand less reserved). Blank: the park's default "
            "level, and only while plants are on hand; 0: never shown as low."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock lots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0), name="lot_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0), name="lot_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0), name="lot_unit_cost_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.species.name} {self.spec_label}".strip()

    @property
    @labelled(_("available"))
    def available(self) -> int:
        return self.on_hand - self.reserved


class SpecimenTree(models.Model):
    """One individually tagged, high-value tree, with its public passport."""

    class Status(models.TextChoices):
        HEALTHY = "healthy", _("Healthy")
        WEAK = "weak", _("Weak")
        DEAD = "dead", _("Dead")
        SOLD = "sold", _("Sold")
        REMOVED = "removed", _("Removed")

    tag = models.CharField(
        pgettext_lazy("of a tree", "tag"),
        max_length=TAG_MAX_LENGTH,
        unique=True,
        validators=[validate_code],
        help_text=_(
            "The number on the tree's tag, e.g. T001 or 银杏01: letters (Chinese too), digits "
            "and - _ . only; no spaces or slashes."
        ),
    )
    species = models.ForeignKey(
        Species, verbose_name=_("species"), on_delete=models.PROTECT, related_name="specimens"
    )
    origin_province = models.CharField(_("origin province"), max_length=50, blank=True)
    origin_province_en = models.CharField(_("origin province (English)"), max_length=50, blank=True)
    acquisition_line = models.ForeignKey(
        AcquisitionLine,
        verbose_name=_("bought in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="specimens",
    )
    cost = models.DecimalField(
        _("landed cost (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    estimated_age_years = models.PositiveSmallIntegerField(
        _("estimated age (years)"), null=True, blank=True
    )
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="specimens",
    )
    planted_on = models.DateField(_("planted on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HEALTHY
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    story = models.TextField(_("story (Chinese)"), blank=True)
    story_en = models.TextField(_("story (English)"), blank=True)
    public = models.BooleanField(_("public passport"), default=False)
    location = models.JSONField(
        _("location"),
        null=True,
        blank=True,
        validators=[geo.validate_point],
        help_text=_("Where the tree stands on the park map (from the phone's GPS or drawn)."),
    )
    location_accuracy_m = models.DecimalField(
        _("location accuracy (m)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("How far off the phone said its GPS position might be; empty when drawn."),
    )

    class Meta:
        ordering = ["tag"]
        verbose_name = _("specimen tree")
        verbose_name_plural = _("specimen trees")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost__gte=0), name="specimen_cost_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.tag} {self.species.name}"

    # A tree that is gone keeps its record and passport, but leaves the public lists and maps.
    GONE = (Status.DEAD, Status.SOLD, Status.REMOVED)

    @property
    def is_gone(self) -> bool:
        return self.status in self.GONE

    @property
    def outside_its_zone(self) -> bool:
        """Whether the tree's point lies outside its zone's outline (worth a second look)."""
        if not (self.location and self.zone_id and self.zone.boundary):
            return False
        try:
            return not geo.contains(self.zone.boundary, geo.point_of(self.location))
        except ValidationError:
            return False

    def clean(self):
        super().clean()
        ParkMap.load().check_inside(self.location, "location")

    @property
    def passport_url(self) -> str:
        """The passport's address in the current language, or "" for a tag no URL can carry.

        A tag saved before the rule (or written around it) must not break the pages that
        list the tree: it is logged and shown without a link.
        """
        try:
            return reverse("nursery_tree_detail", args=[self.tag])
        except NoReverseMatch:
            logger.warning(
                "Specimen tree %s has a tag no URL can carry: %r; shown without a link.",
                self.pk,
                self.tag,
            )
            return ""

    @property
    def label_url(self) -> str:
        try:
            return reverse("nursery_tree_label", args=[self.tag])
        except NoReverseMatch:
            return ""

    @property
    def display_story(self) -> str:
        if get_language() == "en" and self.story_en:
            return self.story_en
        return self.story

    @property
    def display_origin(self) -> str:
        if get_language() == "en" and self.origin_province_en:
            return self.origin_province_en
        return self.origin_province


class SpecimenMeasurement(NurserySpec):
    """The size of a specimen tree on a day: its spec over time."""

    tree = models.ForeignKey(
        SpecimenTree, verbose_name=_("tree"), on_delete=models.CASCADE, related_name="measurements"
    )
    measured_on = models.DateField(_("measured on"))

    class Meta:
        ordering = ["tree", "-measured_on"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(fields=["tree", "measured_on"], name="one_measurement_a_day"),
        ]

    def __str__(self):
        return f"{self.tree.tag} {self.measured_on}: {self.spec_label}"


class SpecimenPhoto(models.Model):
    tree = models.ForeignKey(
        SpecimenTree, verbose_name=_("tree"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        ordering = ["tree", "-taken_on", "pk"]
        verbose_name = _("specimen photo")
        verbose_name_plural = _("specimen photos")

    def __str__(self):
        return f"{self.tree.tag} {self.caption or self.image.title}"


class Planting(models.Model):
    """A transplant into a zone, from a lot or of specimen trees; opens a year of care."""

    planted_on = models.DateField(_("planted on"))
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="plantings"
    )
    species = models.ForeignKey(
        Species, verbose_name=_("species"), on_delete=models.PROTECT, related_name="plantings"
    )
    supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plantings",
    )
    lot = models.ForeignKey(
        StockLot,
        verbose_name=_("from lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plantings",
    )
    specimens = models.ManyToManyField(
        SpecimenTree, verbose_name=_("specimen trees"), blank=True, related_name="plantings"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    crew = models.CharField(
        _("crew"),
        max_length=200,
        blank=True,
        help_text=_(
            "The crew that planted, from the list under Workforce › Crews, so the crew's "
            "work can be recorded against this planting."
        ),
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaces = models.ForeignKey(
        "SurvivalCheck",
        verbose_name=_("replaces the losses of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-planted_on", "-pk"]
        verbose_name = _("planting")
        verbose_name_plural = _("plantings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="planting_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.planted_on} {self.zone.code} {self.species.name} × {self.quantity}"


class SurvivalCheck(models.Model):
    """A scheduled look at a planting during its care year: how many alive, weak, dead."""

    planting = models.ForeignKey(
        Planting, verbose_name=_("planting"), on_delete=models.CASCADE, related_name="checks"
    )
    months_after = models.PositiveSmallIntegerField(_("months after planting"))
    due_on = models.DateField(_("due on"))
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    alive = models.PositiveIntegerField(_("alive"), null=True, blank=True)
    weak = models.PositiveIntegerField(_("weak"), null=True, blank=True)
    dead = models.PositiveIntegerField(_("dead"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("survival check")
        verbose_name_plural = _("survival checks")
        constraints = [
            models.UniqueConstraint(
                fields=["planting", "months_after"], name="one_check_per_planting_and_month"
            ),
            models.CheckConstraint(
                condition=models.Q(checked_on__isnull=True)
                | models.Q(alive__isnull=False, weak__isnull=False, dead__isnull=False),
                name="checked_survival_has_counts",
            ),
        ]

    def __str__(self):
        return f"{self.planting} +{self.months_after}"

    @property
    def surviving(self) -> int | None:
        if self.checked_on is None:
            return None
        return self.alive + self.weak


class Reservation(models.Model):
    """Stock held for a customer's landscape project until it is delivered or released."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="reservations"
    )
    lot = models.ForeignKey(
        StockLot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="reservations"
    )
    project = models.CharField(_("project"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("reserved"))
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    unit_price = models.DecimalField(
        _("unit price (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("reserved at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, delivered__lte=models.F("quantity")),
                name="reservation_delivered_within_reserved",
            ),
        ]

    def __str__(self):
        return f"{self.customer} {self.lot.code} × {self.quantity}"

    @property
    def outstanding(self) -> int:
        return self.quantity - self.delivered


class StockEntry(models.Model):
    """One change to a lot's stock: the ledger every on-hand figure is derived from."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        PROPAGATION = "propagation", _("Propagation")
        PLANTING = "planting", _("Planting")
        SALE = "sale", _("Sale")
        LOSS = "loss", _("Loss")
        ADJUSTMENT = "adjustment", _("Count adjustment")

    lot = models.ForeignKey(
        StockLot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive in, negative out."))
    unit_cost = models.DecimalField(_("unit cost (CNY)"), max_digits=12, decimal_places=2)
    occurred_at = models.DateTimeField(_("when"))
    acquisition_line = models.ForeignKey(
        AcquisitionLine,
        verbose_name=_("acquisition line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    planting = models.ForeignKey(
        Planting,
        verbose_name=_("planting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    reservation = models.ForeignKey(
        Reservation,
        verbose_name=_("reservation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["lot", "occurred_at", "pk"]
        verbose_name = _("stock entry")
        verbose_name_plural = _("stock entries")
        indexes = [models.Index(fields=["lot", "occurred_at"], name="stockentry_lot_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0), name="entry_unit_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["purchase", "propagation"], quantity__gt=0)
                    | models.Q(kind__in=["planting", "sale", "loss"], quantity__lt=0)
                    | (models.Q(kind="adjustment") & ~models.Q(quantity=0))
                ),
                name="entry_sign_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.lot.code} {self.get_kind_display()} {self.quantity:+d}"

    @property
    @labelled(_("value (CNY)"))
    def value(self) -> Decimal:
        return self.quantity * self.unit_cost
