"""The park's own geography: its boundary, entrance, park plan and the facilities on it.

Zones (nursery), attractions (tourism) and specimen trees (nursery) carry their own shapes;
what they are checked against, and what every map draws under them, lives here, where
both apps can read it without importing each other.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from . import geo
from .map_widget import POINT, POINT_OR_LINE, POLYGON, MapWidget


def _coordinate(label, low: int, high: int):
    return models.DecimalField(
        label,
        max_digits=10,
        decimal_places=7,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(low)), MaxValueValidator(Decimal(high))],
    )


@register_setting(icon="site")
class ParkMap(BaseGenericSetting):
    """Where the park is: its boundary, entrance and the illustrated plan maps draw on.

    All coordinates are WGS-84 (what GPS gives); maps on a Chinese tile service shift them
    to GCJ-02 for display (see ``core.geo``).
    """

    boundary = models.JSONField(
        _("park boundary"),
        null=True,
        blank=True,
        validators=[geo.validate_polygon],
        help_text=_(
            "The park's outline, drawn on the map. Zones and attractions must lie inside it."
        ),
    )
    entrance = models.JSONField(
        _("main entrance"),
        null=True,
        blank=True,
        validators=[geo.validate_point],
        help_text=_("Where visitors arrive: the navigation links on the visit page lead here."),
    )
    plan_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("park plan image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "An illustrated plan of the park, drawn north up. It is the map's base layer when "
            "no tile service is configured; give the latitude and longitude of its edges below."
        ),
    )
    plan_north = _coordinate(_("plan's top edge (latitude)"), -90, 90)
    plan_south = _coordinate(_("plan's bottom edge (latitude)"), -90, 90)
    plan_west = _coordinate(_("plan's left edge (longitude)"), -180, 180)
    plan_east = _coordinate(_("plan's right edge (longitude)"), -180, 180)

    panels = [
        FieldPanel("boundary", widget=MapWidget(POLYGON)),
        FieldPanel("entrance", widget=MapWidget(POINT)),
        MultiFieldPanel(
            [
                FieldPanel("plan_image"),
                FieldPanel("plan_north"),
                FieldPanel("plan_south"),
                FieldPanel("plan_west"),
                FieldPanel("plan_east"),
            ],
            heading=_("Park plan"),
        ),
    ]

    class Meta:
        verbose_name = _("park map")

    def clean(self):
        super().clean()
        edges = [self.plan_north, self.plan_south, self.plan_west, self.plan_east]
        if any(e is not None for e in edges) and any(e is None for e in edges):
            raise ValidationError(_("Give all four edges of the park plan, or none."))
        if all(e is not None for e in edges):
            if self.plan_north <= self.plan_south:
                raise ValidationError(
                    {"plan_north": _("The top edge must lie north of the bottom edge.")}
                )
            if self.plan_east <= self.plan_west:
                raise ValidationError(
                    {"plan_east": _("The right edge must lie east of the left edge.")}
                )
        if self.boundary and self.entrance:
            try:
                inside = geo.contains(self.boundary, geo.point_of(self.entrance))
            except ValidationError:
                return  # the field validators report the shape itself
            if not inside and not self.near_boundary(geo.point_of(self.entrance)):
                raise ValidationError(
                    {"entrance": _("The entrance must lie on or inside the park boundary.")}
                )

    @property
    def plan_bounds(self) -> list[list[float]] | None:
        """[[south, west], [north, east]] of the plan image, as Leaflet takes them."""
        edges = [self.plan_south, self.plan_west, self.plan_north, self.plan_east]
        if self.plan_image_id is None or any(e is None for e in edges):
            return None
        south, west, north, east = (float(e) for e in edges)
        return [[south, west], [north, east]]

    def near_boundary(self, position: geo.Position, metres: float = 30) -> bool:
        """Whether ``position`` is within ``metres`` of a boundary corner (a gate on the fence)."""
        if not self.boundary:
            return False
        return any(geo.distance_m(position, c) <= metres for c in geo.positions(self.boundary))

    def check_inside(self, value, field: str) -> None:
        """Refuse a shape (``value``, GeoJSON) that leaves the park boundary."""
        if not self.boundary or not value:
            return
        try:
            corners = geo.positions(value)
        except ValidationError:
            return  # the field's own validator reports it
        if not all(geo.contains(self.boundary, c) for c in corners):
            raise ValidationError({field: _("This lies outside the park boundary.")})


class Facility(models.Model):
    """A toilet, car park, food stall, first-aid post or accessible path on the park map."""

    class Kind(models.TextChoices):
        TOILET = "toilet", _("Toilets")
        PARKING = "parking", _("Parking")
        FOOD = "food", _("Food and drink")
        FIRST_AID = "first_aid", _("First aid")
        ACCESSIBLE_PATH = "accessible_path", _("Accessible path")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    note = models.CharField(_("note (Chinese)"), max_length=200, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=200, blank=True)
    location = models.JSONField(
        _("location"),
        validators=[geo.validate_point_or_line],
        help_text=_("A point on the map; an accessible path is a line along it."),
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("note"),
        FieldPanel("note_en"),
        FieldPanel("location", widget=MapWidget(POINT_OR_LINE)),
    ]

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    def display_note(self) -> str:
        if get_language() == "en" and self.note_en:
            return self.note_en
        return self.note

    def clean(self):
        super().clean()
        if self.location:
            is_line = isinstance(self.location, dict) and self.location.get("type") == "LineString"
            if is_line != (self.kind == self.Kind.ACCESSIBLE_PATH):
                raise ValidationError(
                    {"location": _("An accessible path is a line; every other facility a point.")}
                )
            ParkMap.load().check_inside(self.location, "location")
