"""What the public park map shows: zones, attractions, specimen trees and facilities.

One selector (``park_map_features``) builds every item once; the map page hands them to
``park-map.js`` as JSON and renders the same items as its list, so the two cannot
disagree. Geometry leaves here already in the base layer's datum
(``core.map_base.geometry_for_display``); the browser only swaps to Leaflet's [lat, lng].

A zone is in bloom this month when a live attraction in it flowers this month, or a
species that flowers this month stands in it: a specimen tree, a stock lot with plants on
hand, or a planting. Those are asked in a fixed number of queries, however many items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.text import Truncator
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.images.models import SourceImageIOError
from wagtail.models import Locale

from core import geo
from core.map_base import display_datum, geometry_for_display, map_base
from core.months import blooming_in, month_name
from core.park_map import Facility, ParkMap
from nursery.models import Planting, SpecimenTree, StockLot, Zone
from nursery.selectors import public_trees

from .models import AttractionPage

# One rendition for every card's photo: the cards' own size, so it is usually made already.
CARD_PHOTO = "format-webp|fill-400x260"

# The layers a visitor can switch on and off; "bloom" narrows rather than adds.
LAYERS = ("trees", *Facility.Kind.values)


@dataclass
class MapItem:
    """One thing on the park map and in its list."""

    key: str  # "zone:A1", "attraction:12", "tree:T001", "facility:3", "entrance"
    kind: str  # zone, attraction, tree, facility, entrance
    name: str
    geometry: dict
    line: str = ""
    url: str = ""
    photo: str = ""
    in_bloom: bool = False
    layer: str = ""  # the filter that hides it: "trees" or a facility kind
    symbol: str = ""
    blooming: list[str] = field(default_factory=list)


@dataclass
class ParkMapFeatures:
    """Everything the map draws, in drawing order, with the base layer and this month."""

    base: dict
    month: int
    month_label: str
    zones: list[MapItem]
    attractions: list[MapItem]
    trees: list[MapItem]
    facilities: list[MapItem]
    entrance: MapItem | None
    boundary: dict | None

    def items(self) -> list[MapItem]:
        entrance = [self.entrance] if self.entrance else []
        return [*self.zones, *self.attractions, *self.trees, *self.facilities, *entrance]

    def find(self, key: str) -> MapItem | None:
        return next((item for item in self.items() if item.key == key), None)

    def for_script(self) -> dict:
        return {
            "base": self.base,
            "boundary": self.boundary,
            "items": [asdict(item) for item in self.items()],
        }


@dataclass(frozen=True)
class MapFilters:
    """What the visitor chose to see: only what is in bloom, and which layers."""

    bloom: bool = False
    layers: frozenset[str] = frozenset(LAYERS)

    @classmethod
    def from_query(cls, query) -> MapFilters:
        """Read the filter form's GET parameters; anything unknown is ignored.

        The form sends ``f=1`` with its checkboxes, so an unticked box (sent as nothing)
        can be told from a first visit, where every layer shows.
        """
        bloom = query.get("bloom") == "1"
        if query.get("f") != "1":
            return cls(bloom=bloom)
        return cls(bloom=bloom, layers=frozenset(v for v in query.getlist("show") if v in LAYERS))

    def shows(self, item: MapItem) -> bool:
        if item.layer and item.layer not in self.layers:
            return False
        return not (self.bloom and item.kind in ("zone", "attraction") and not item.in_bloom)


def _facility_symbols() -> dict[str, str]:
    return {
        Facility.Kind.TOILET: pgettext("map symbol for toilets", "WC"),
        Facility.Kind.PARKING: pgettext("map symbol for parking", "P"),
        Facility.Kind.FOOD: pgettext("map symbol for food and drink", "Food"),
        Facility.Kind.FIRST_AID: pgettext("map symbol for first aid", "+"),
        Facility.Kind.ACCESSIBLE_PATH: "",
    }


def map_link(item) -> str:
    """The ``at`` value that opens the park map on ``item`` (a tree or an attraction)."""
    if isinstance(item, SpecimenTree):
        return f"tree:{item.tag}"
    return f"attraction:{item.pk}"


def _photo_url(image) -> str:
    if image is None:
        return ""
    try:
        return image.get_rendition(CARD_PHOTO).url
    except SourceImageIOError:
        return ""  # a missing photo file leaves the card without it, not a broken map


def _blooming_species_by_zone(month: int) -> dict[int, list[str]]:
    """Zone id -> names (reader's language) of the species flowering there in ``month``."""
    english = get_language() == "en"
    found: dict[int, dict[str, str]] = defaultdict(dict)
    sources = [
        SpecimenTree.objects.exclude(status__in=SpecimenTree.GONE).filter(zone__isnull=False),
        StockLot.objects.filter(on_hand__gt=0),
        Planting.objects.all(),
    ]
    for rows in sources:
        for zone_id, scientific, name, name_en in (
            rows.filter(blooming_in(month, "species__bloom_months"))
            .values_list("zone_id", "species__scientific_name", "species__name", "species__name_en")
            .distinct()
        ):
            found[zone_id][scientific] = (name_en if english and name_en else name) or scientific
    return {zone_id: sorted(names.values()) for zone_id, names in found.items()}


def _attractions(request) -> list[AttractionPage]:
    """Live public attractions with a location, each once, in the reader's language if it has one."""
    active = Locale.get_active()
    pages = (
        AttractionPage.objects.live()
        .public()
        .filter(location__isnull=False)
        .select_related("locale")
        .prefetch_related(
            Prefetch(
                "listing_image",
                queryset=get_image_model().objects.prefetch_renditions(CARD_PHOTO),
            )
        )
        .order_by("path")
    )
    chosen: dict = {}
    for page in pages:
        if page.translation_key not in chosen or page.locale_id == active.pk:
            chosen[page.translation_key] = page
    return list(chosen.values())


def park_map_features(*, month: int, request=None) -> ParkMapFeatures:
    """Every zone, attraction, tree and facility the public map shows, for ``month``."""
    park = ParkMap.load()
    base = map_base(park)
    datum = base["datum"]

    attraction_pages = _attractions(request)
    attractions = []
    bloom_by_attraction_zone: dict[int, list[str]] = defaultdict(list)
    for page in attraction_pages:
        in_bloom = month in page.bloom_months
        if in_bloom and page.zone_id:
            bloom_by_attraction_zone[page.zone_id].append(page.title)
        attractions.append(
            MapItem(
                key=f"attraction:{page.pk}",
                kind="attraction",
                name=page.title,
                line=Truncator(page.summary).chars(80),
                url=page.get_url(request) or "",
                photo=_photo_url(page.listing_image),
                in_bloom=in_bloom,
                geometry=geometry_for_display(page.location, datum),
            )
        )

    species_by_zone = _blooming_species_by_zone(month)
    zones = []
    for zone in Zone.objects.filter(boundary__isnull=False).order_by("code"):
        blooming = [*bloom_by_attraction_zone.get(zone.pk, []), *species_by_zone.get(zone.pk, [])]
        zones.append(
            MapItem(
                key=f"zone:{zone.code}",
                kind="zone",
                name=zone.display_name,
                line=(
                    _("In bloom now: %(names)s")
                    % {"names": pgettext("separator between items of a list", ", ").join(blooming)}
                    if blooming
                    else _("Nothing in flower this month.")
                ),
                in_bloom=bool(blooming),
                blooming=blooming,
                geometry=geometry_for_display(zone.boundary, datum),
            )
        )

    trees = []
    tree_rows = (
        public_trees()
        .exclude(status__in=SpecimenTree.GONE)
        .filter(location__isnull=False)
        .prefetch_related(
            Prefetch("photo", queryset=get_image_model().objects.prefetch_renditions(CARD_PHOTO))
        )
    )
    for tree in tree_rows:
        story = tree.display_story
        line = Truncator(story).chars(60) if story else tree.species.scientific_name
        trees.append(
            MapItem(
                key=f"tree:{tree.tag}",
                kind="tree",
                name=f"{tree.species.display_name} {tree.tag}",
                line=line,
                url=tree.passport_url,
                photo=_photo_url(tree.photo),
                in_bloom=month in tree.species.bloom_months,
                layer="trees",
                geometry=geometry_for_display(tree.location, datum),
            )
        )

    symbols = _facility_symbols()
    facilities = [
        MapItem(
            key=f"facility:{facility.pk}",
            kind="facility",
            name=facility.display_name,
            line=facility.display_note or str(facility.get_kind_display()),
            layer=facility.kind,
            symbol=symbols.get(facility.kind, ""),
            geometry=geometry_for_display(facility.location, datum),
        )
        for facility in Facility.objects.order_by("kind", "name")
    ]

    entrance = None
    if park.entrance:
        entrance = MapItem(
            key="entrance",
            kind="entrance",
            name=_("Main entrance"),
            line=_("Where visitors arrive and tickets are checked."),
            symbol=pgettext("map symbol for the entrance", "In"),
            geometry=geometry_for_display(park.entrance, datum),
        )

    return ParkMapFeatures(
        base=base,
        month=month,
        month_label=month_name(month),
        zones=zones,
        attractions=attractions,
        trees=trees,
        facilities=facilities,
        entrance=entrance,
        boundary=geometry_for_display(park.boundary, datum),
    )


def small_map_points(items) -> list[dict]:
    """Display-datum points for a small map of one or more trees or attractions."""
    datum = display_datum()
    points = []
    for item in items:
        if not getattr(item, "location", None) or getattr(item, "is_gone", False):
            continue  # a tree that is gone is off the park map, so off its small map too
        try:
            geo.point_of(item.location)
        except ValidationError:
            continue  # a point saved around the checks is left off, not a broken page
        if isinstance(item, SpecimenTree):
            name, url = f"{item.species.display_name} {item.tag}", item.passport_url
        else:
            name, url = item.title, item.url or ""
        points.append(
            {
                "name": name,
                "url": url,
                "at": map_link(item),
                "geometry": geometry_for_display(item.location, datum),
            }
        )
    return points
