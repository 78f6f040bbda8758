"""``{% small_map item %}``: where a tree or an attraction stands, with a link to the park map."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from core.map_base import map_base
from tourism.park_map import small_map_points

register = template.Library()


@register.inclusion_tag("tourism/includes/park_map/small_map.html")
def small_map(items, interactive=False, label=""):
    """A small map of one item (a SpecimenTree or an AttractionPage) or of a list of them.

    Shows nothing when none of them has a location. One item's map links to the park map
    opened on it; a list's map links to the park map as a whole.
    """
    many = isinstance(items, list | tuple) or hasattr(items, "model")
    if hasattr(items, "prefetch_related"):
        # A list page's queryset fetches its cards' photos; the map needs none of them.
        items = items.prefetch_related(None)
    points = small_map_points(items if many else [items])
    if not points:
        return {"points": []}
    url = reverse("park_map")
    if not many:
        url += "?" + urlencode({"at": points[0]["at"]})
    kind = points[0]["at"].split(":", 1)[0]
    return {
        "points": points,
        "url": url,
        "label": label,
        "script_id": "small-map-" + ("list" if many else points[0]["at"].replace(":", "-")),
        "data": {
            "base": map_base(),
            "points": points,
            "kind": kind,
            "interactive": bool(interactive),
        },
    }
