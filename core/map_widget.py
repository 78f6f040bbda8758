"""The admin's map widget: draw or move a point, an outline or a path on the park's map.

The widget is the GeoJSON field's own textarea (kept, folded, for a surveyor who has
coordinates to paste) with a Leaflet map above it. ``js/map-widget.js`` draws the stored
shape, shifted into the base layer's datum, lets the editor draw, move and reshape it
with Leaflet-Geoman, and writes what is drawn back into the textarea in WGS-84. The
other shapes of the park (its boundary, the zones) are drawn faintly underneath so a new
outline can be placed against them. The checks stay on the server: the model's field
validators and ``clean()`` refuse an open ring, a crossing edge or a shape outside the park.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

POINT = "point"
POLYGON = "polygon"
LINE = "line"
POINT_OR_LINE = "point_or_line"

HINTS = {
    POINT: _("Place the marker with the marker tool, or drag it to move it."),
    POLYGON: _(
        "Draw the outline with the polygon tool, clicking each corner and the first one again "
        "to close it; the edit tool moves corners."
    ),
    LINE: _("Draw the path with the line tool; double-click its last point to finish."),
    POINT_OR_LINE: _(
        "Place a marker for a facility, or draw a line for an accessible path "
        "(double-click its last point to finish)."
    ),
}

#: A reference feature: a GeoJSON geometry and the label shown when hovering it.
Reference = dict


def park_reference() -> list[Reference]:
    """The park's boundary, for drawing under any shape."""
    from .park_map import ParkMap  # the park's own fields use this widget

    park = ParkMap.load()
    if not park.boundary:
        return []
    return [{"geometry": park.boundary, "label": str(_("Park boundary")), "kind": "park"}]


class MapWidget(forms.Textarea):
    """Edits a GeoJSON field on the park map (``geometry``: point, polygon, line or point_or_line).

    ``reference`` returns the shapes drawn faintly underneath; by default the park boundary.
    A shape equal to the one being edited is left out of them, so a zone's own outline is
    not drawn twice.
    """

    template_name = "core/widgets/map_widget.html"

    def __init__(
        self,
        geometry: str = POINT,
        *,
        reference: Callable[[], list[Reference]] | None = None,
        attrs=None,
    ):
        super().__init__(attrs={"rows": 4, "spellcheck": "false", **(attrs or {})})
        self.geometry = geometry
        self.reference = reference or park_reference

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.geometry, copy.reference = self.geometry, self.reference
        return copy

    class Media:
        css = {
            "all": [
                "vendor/leaflet/leaflet.css",
                "vendor/leaflet-geoman/leaflet-geoman.css",
                "css/map-widget.css",
            ]
        }
        js = [
            "vendor/leaflet/leaflet.js",
            "vendor/leaflet-geoman/leaflet-geoman.min.js",
            "js/map-base.js",
            "js/map-widget.js",
        ]

    def _current(self, value):
        if not value:
            return None
        try:
            return json.loads(value) if isinstance(value, str) else value
        except ValueError:
            return None

    def get_context(self, name, value, attrs):
        from .map_base import map_base  # reads ParkMap, whose fields use this widget

        context = super().get_context(name, value, attrs)
        current = self._current(value)
        references = [r for r in self.reference() if r["geometry"] != current]
        context["map"] = {
            "id": f"{context['widget']['attrs'].get('id') or name}-map-config",
            "config": {
                "geometry": self.geometry,
                "base": map_base(),
                "reference": references,
                "language": "zh" if (get_language() or "").startswith("zh") else "en",
                "messages": {
                    "badJson": str(
                        _("The coordinates are not valid GeoJSON; the map was not changed.")
                    ),
                    "cleared": str(_("Removed: the position will be empty once saved.")),
                },
            },
            "hint": HINTS[self.geometry],
        }
        return context
