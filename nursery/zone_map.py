"""The manager's map: the zones coloured by a chosen measure, with the trees on them.

Each measure is read from the same selector its report uses (survival from
``survival_rates``, stock value from ``stock_by_zone``, checks from ``checks_due``), so
the map and the reports give the same figure for a zone. The table under the map holds
every figure, for readers without JavaScript or a screen.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core import geo
from core.admin import AdminPageMixin
from core.map_base import map_base
from core.park_map import ParkMap

from . import selectors
from .admin_views import forbidden
from .models import Planting, SpecimenTree, Zone

#: Colours from low to high; a measure where more is worse reads them the other way.
PALETTE = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"]
GOOD_PALETTE = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"]
NO_FIGURE = "#d9d9d9"
CLASSES = len(PALETTE)


@dataclass(frozen=True)
class Measure:
    """One way to colour the zones: its label, unit and whether more is better."""

    key: str
    label: str
    unit: str
    more_is_better: bool


MEASURES = {
    "survival": Measure(
        "survival", gettext_lazy("Survival rate of this year's plantings"), "%", True
    ),
    "value": Measure("value", gettext_lazy("Stock value"), "CNY", True),
    "checks": Measure("checks", gettext_lazy("Survival checks due and not done"), "", False),
}


def year_start(today: datetime.date) -> datetime.date:
    return today.replace(month=1, day=1)


def zone_figures(*, measure: str, today: datetime.date) -> dict[int, Decimal | int | None]:
    """``{zone id: figure}`` for ``measure``; a zone with nothing to measure is left out."""
    if measure == "survival":
        rows = selectors.survival_rates(by="zone", planted_from=year_start(today))
        return {row["zone_id"]: row["survival_rate"] for row in rows}
    if measure == "value":
        return {row["zone_id"]: row["value"] for row in selectors.stock_by_zone()}
    if measure == "checks":
        return dict(Counter(check.planting.zone_id for check in selectors.checks_due(on=today)))
    raise ValueError(measure)


def classes(values: list) -> list[tuple]:
    """Equal steps from the lowest figure to the highest: ``[(low, high), ...]``."""
    if not values:
        return []
    low, high = min(values), max(values)
    if low == high:
        return [(low, high)]
    step = (Decimal(high) - Decimal(low)) / CLASSES
    bounds = [Decimal(low) + step * i for i in range(CLASSES + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(CLASSES)]


def class_of(value, steps: list[tuple]) -> int:
    for index, (_low, high) in enumerate(steps):
        if Decimal(value) <= high:
            return index
    return len(steps) - 1


def _format(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "CNY":
        return f"¥{Decimal(value):,.2f}"
    if unit == "%":
        return f"{Decimal(value):.1f}%"
    return f"{value:,}" if isinstance(value, int) else f"{Decimal(value):,.1f}"


def zone_map(*, measure_key: str, today: datetime.date | None = None) -> dict:
    """Everything the map and its table show, for ``measure_key``."""
    today = today or timezone.localdate()
    measure = MEASURES.get(measure_key) or MEASURES["survival"]
    figures = zone_figures(measure=measure.key, today=today)
    steps = classes([v for v in figures.values() if v is not None])
    palette = GOOD_PALETTE if measure.more_is_better else PALETTE
    # One figure for every zone is one class: the darkest, as the figure is all there is.
    colours = [palette[-1]] if len(steps) == 1 else palette
    planted = {
        row["zone_id"]: row
        for row in Planting.objects.filter(planted_on__gte=year_start(today))
        .values("zone_id")
        .annotate(plantings=Count("pk"), plants=Sum("quantity"))
    }
    zones = []
    for zone in Zone.objects.order_by("code"):
        figure = figures.get(zone.pk)
        colour = NO_FIGURE if figure is None else colours[class_of(figure, steps)]
        this_year = planted.get(zone.pk, {})
        zones.append(
            {
                "id": zone.pk,
                "code": zone.code,
                "name": str(zone),
                "url": reverse("wagtailsnippets_nursery_zone:edit", args=[zone.pk]),
                "boundary": zone.boundary,
                "figure": figure,
                "figure_label": _format(figure, measure.unit),
                "colour": colour,
                "plantings": this_year.get("plantings", 0),
                "plants": this_year.get("plants") or 0,
            }
        )
    legend = [
        {
            "colour": colours[i],
            "label": f"{_format(low, measure.unit)} – {_format(high, measure.unit)}"
            if low != high
            else _format(low, measure.unit),
        }
        for i, (low, high) in enumerate(steps)
    ]
    legend.append({"colour": NO_FIGURE, "label": _("Nothing to measure")})
    trees = [
        {
            "tag": tree.tag,
            "name": f"{tree.tag} {tree.species.name}",
            "position": geo.point_of(tree.location),
            "url": reverse("nursery_specimentree:edit", args=[tree.pk]),
        }
        for tree in SpecimenTree.objects.exclude(status__in=SpecimenTree.GONE)
        .exclude(location=None)
        .select_related("species")
        .order_by("tag")
    ]
    return {"measure": measure, "zones": zones, "legend": legend, "trees": trees}


class ZoneMapView(AdminPageMixin, TemplateView):
    """The zones on the park map coloured by survival, stock value or checks due; a table below."""

    template_name = "nursery/admin/zone_map.html"
    page_title = gettext_lazy("Zone map")
    header_icon = "site"
    # What the stock and survival reports ask: the map shows both.
    permissions = ("nursery.view_stocklot", "nursery.view_planting")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perms(self.permissions):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = zone_map(measure_key=self.request.GET.get("measure", "survival"))
        context.update(data)
        context["measures"] = MEASURES.values()
        context["map_data"] = {
            "base": map_base(ParkMap.load()),
            "park": ParkMap.load().boundary,
            "zones": [
                {k: z[k] for k in ("code", "name", "url", "boundary", "figure_label", "colour")}
                | {"plantings": z["plantings"], "plants": z["plants"]}
                for z in data["zones"]
                if z["boundary"]
            ],
            "trees": data["trees"],
            "labels": {
                "plantings": _("This year: %(plantings)s plantings, %(plants)s plants"),
            },
        }
        return context
