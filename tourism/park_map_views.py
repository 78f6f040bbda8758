"""The public park map at /map/ (and /en/map/): the map, its filters and its list."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.park_map import Facility

from .park_map import LAYERS, MapFilters, park_map_features
from .security.permissions_policy import HEADER, permissions_policy


def _script_text() -> dict:
    """The words the map script shows, in the reader's language."""
    return {
        "passport": _("Tree passport"),
        "attraction": _("About this place"),
        "locating": _("Finding where you are…"),
        "here": _("The blue dot is you, within about %(metres)s m."),
        "outside": _(
            "You seem to be outside the park, so the map cannot show you. "
            "The visit page says how to get here."
        ),
        "refused": _(
            "Your position was not shared. To see yourself on the map, allow this site "
            "to use your location in the browser's settings, then tap again."
        ),
        "unavailable": _("Your phone could not find its position. Try again in the open."),
    }


def park_map(request):
    """The park on a map, with the same places listed below it for readers without the map.

    Filters arrive as GET parameters so the list works without JavaScript; the map script
    reads the same form and applies it in place.
    """
    features = park_map_features(month=timezone.localdate().month, request=request)
    filters = MapFilters.from_query(request.GET)
    at = request.GET.get("at", "")
    selected = features.find(at) if at else None
    if selected is not None and not filters.shows(selected):
        # A link to one place shows it, whatever the filters hid.
        selected = None
    kinds = dict(Facility.Kind.choices)
    layer_choices = [("trees", _("Specimen trees"))] + [
        (kind, kinds[kind]) for kind in LAYERS if kind in kinds
    ]
    groups = [
        ("zones", _("Zones"), features.zones),
        ("attractions", _("Attractions"), features.attractions),
        ("trees", _("Specimen trees"), features.trees),
        *(
            (kind, label, [f for f in features.facilities if f.layer == kind])
            for kind, label in layer_choices[1:]
        ),
        ("entrance", _("Entrance"), [features.entrance] if features.entrance else []),
    ]
    # Every item is listed; those the filters hide carry ``hidden``, so the map script
    # can show them again in place and the list always holds what the map draws.
    sections = []
    for slug, heading, items in groups:
        if not items:
            continue
        rows = [{"item": item, "shown": filters.shows(item)} for item in items]
        sections.append(
            {"slug": slug, "heading": heading, "rows": rows, "shown": any(r["shown"] for r in rows)}
        )
    response = render(
        request,
        "tourism/park_map.html",
        {
            "features": features,
            "map_data": {
                **features.for_script(),
                "selected": selected.key if selected else "",
                "text": _script_text(),
            },
            "filters": filters,
            "layer_choices": layer_choices,
            "sections": sections,
            "selected": selected,
        },
    )
    # "You are here" asks for the phone's position on this page only, and only on a tap.
    response[HEADER] = permissions_policy(request).replace("geolocation=()", "geolocation=(self)")
    return response
