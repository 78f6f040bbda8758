"""The nursery base: its zones (the rest of the nursery arrives with its own issue)."""

from decimal import Decimal

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

SQUARE_METRES_PER_MU = Decimal("666.67")


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
    def area_m2(self) -> Decimal:
        return (self.area_mu * SQUARE_METRES_PER_MU).quantize(Decimal("1"))
