"""The nursery's shapes drawn faintly under the admin's map widget (core/map_widget.py)."""

from core.map_widget import Reference, park_reference


def zones_reference() -> list[Reference]:
    """The park boundary and every zone's outline, labelled with the zone's code and name."""
    from .models import Zone  # models' admin forms use this module

    return park_reference() + [
        {"geometry": zone.boundary, "label": str(zone), "kind": "zone"}
        for zone in Zone.objects.exclude(boundary=None).order_by("code")
    ]
