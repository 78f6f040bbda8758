"""A small park drawn on a map, for the park map's tests (unit and browser).

Six zones in a 0.02° square near Guang'an, each with something standing in it whose bloom
months are written here, so a test can work out which zones flower this month without
asking the code under test. Nothing depends on the demo park.
"""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from core import geo
from core.park_map import Facility, ParkMap
from nursery.models import Planting, Species, SpecimenTree, StockLot, Zone
from tests.conftest import add_published, publish_translation
from tourism.models import AttractionIndexPage, AttractionPage

WEST, SOUTH, EAST, NORTH = 106.60, 30.40, 106.62, 30.42


def square(west, south, east, north):
    return geo.polygon([(west, south), (east, south), (east, north), (west, north)])


def zone_square(column: int, row: int):
    """The zone boxes: three columns, two rows, each 0.006° with a gap between."""
    west = WEST + 0.001 + column * 0.0065
    south = SOUTH + 0.001 + row * 0.009
    return square(west, south, west + 0.006, south + 0.008)


def inside(column: int, row: int, dx=0.003, dy=0.004):
    west = WEST + 0.001 + column * 0.0065
    south = SOUTH + 0.001 + row * 0.009
    return geo.point(round(west + dx, 6), round(south + dy, 6))


def build_park(*, home, locales, make_image, extra_trees: int = 0):
    """The park, its zones, species, trees, an attraction (in Chinese and English), facilities.

    ``extra_trees`` more public trees stand in zone B1 (for the query-count test).
    """
    this = timezone.localdate().month
    other = this % 12 + 1
    plan = make_image("公园平面图", name="plan.jpg", size=(800, 800), colour=(170, 205, 170))
    park = ParkMap.load()
    park.boundary = square(WEST, SOUTH, EAST, NORTH)
    park.entrance = geo.point(106.61, 30.4003)
    park.plan_image = plan
    park.plan_north, park.plan_south, park.plan_west, park.plan_east = NORTH, SOUTH, WEST, EAST
    park.save()

    zones = {}
    for code, name, name_en, column, row in [
        ("A1", "玫瑰园区", "Rose zone", 0, 0),
        ("B1", "银杏林", "Ginkgo grove", 1, 0),
        ("C1", "山茶苗圃", "Camellia nursery", 2, 0),
        ("E1", "杜鹃坡", "Azalea slope", 0, 1),
        ("F1", "月季田", "Rose field", 1, 1),
    ]:
        zones[code] = Zone.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            area_mu=10,
            use="display_garden",
            boundary=zone_square(column, row),
        )
    # A zone with no outline yet: not on the map.
    zones["G1"] = Zone.objects.create(code="G1", name="未画区", area_mu=5, use="nursery_field")

    # What blooms when, as the fixture declares it (the tests' independent truth).
    months = {
        "rose": [this],
        "ginkgo": [],
        "camellia": [other],
        "azalea": [this],
    }
    species = {
        "rose": Species.objects.create(
            scientific_name="Rosa chinensis",
            name="月季",
            name_en="China rose",
            form="shrub",
            leaf_habit="deciduous",
            bloom_months=months["rose"],
        ),
        "ginkgo": Species.objects.create(
            scientific_name="Ginkgo biloba",
            name="银杏",
            name_en="Ginkgo",
            form="tree",
            leaf_habit="deciduous",
            bloom_months=months["ginkgo"],
        ),
        "camellia": Species.objects.create(
            scientific_name="Camellia japonica",
            name="山茶",
            name_en="Camellia",
            form="shrub",
            leaf_habit="evergreen",
            bloom_months=months["camellia"],
        ),
        "azalea": Species.objects.create(
            scientific_name="Rhododendron simsii",
            name="杜鹃",
            name_en="Azalea",
            form="shrub",
            leaf_habit="evergreen",
            bloom_months=months["azalea"],
        ),
    }

    photo = make_image("银杏王", name="ginkgo.jpg", size=(600, 400), colour=(220, 190, 60))
    trees = {
        "T001": SpecimenTree.objects.create(
            tag="T001",
            species=species["ginkgo"],
            zone=zones["B1"],
            public=True,
            story="千年银杏，从河南移栽而来。",
            story_en="A thousand-year ginkgo from Henan.",
            photo=photo,
            location=inside(1, 0),
            location_accuracy_m=4,
        ),
        "T002": SpecimenTree.objects.create(
            tag="T002",
            species=species["camellia"],
            zone=zones["C1"],
            public=True,
            location=inside(2, 0),
        ),
        # Dead, and of a species flowering now: neither on the map nor making B1 bloom.
        "T003": SpecimenTree.objects.create(
            tag="T003",
            species=species["azalea"],
            zone=zones["B1"],
            public=True,
            status=SpecimenTree.Status.DEAD,
            location=inside(1, 0, dx=0.001),
        ),
        # Not public: not on the map.
        "T004": SpecimenTree.objects.create(
            tag="T004",
            species=species["ginkgo"],
            zone=zones["B1"],
            location=inside(1, 0, dy=0.002),
        ),
        # Public but not placed: in no map.
        "T005": SpecimenTree.objects.create(
            tag="T005",
            species=species["ginkgo"],
            zone=zones["B1"],
            public=True,
        ),
    }
    for n in range(extra_trees):
        SpecimenTree.objects.create(
            tag=f"X{n:03d}",
            species=species["ginkgo"],
            zone=zones["B1"],
            public=True,
            location=inside(1, 0, dx=0.0005 + 0.00005 * n, dy=0.0005),
        )
    # A sold-out lot of a flowering species does not make C1 bloom; a stocked one makes F1.
    StockLot.objects.create(code="L-AZ-1", species=species["azalea"], zone=zones["C1"], on_hand=0)
    StockLot.objects.create(code="L-RO-1", species=species["rose"], zone=zones["F1"], on_hand=40)
    Planting.objects.create(
        planted_on=datetime.date(2025, 3, 1),
        zone=zones["E1"],
        species=species["azalea"],
        quantity=30,
    )

    # The attraction flowers this month; it stands in A1, where nothing else grows.
    index = add_published(
        home, AttractionIndexPage(title="景点", slug="attractions", summary="花谷里的景点。")
    )
    attraction = add_published(
        index,
        AttractionPage(
            title="玫瑰园",
            slug="roses",
            summary="五月玫瑰满园。",
            bloom_months=[this],
            zone=zones["A1"],
            location=inside(0, 0),
            listing_image=make_image("玫瑰", name="roses.jpg"),
        ),
    )
    # An attraction of another month, in C1: C1 still does not bloom.
    later = add_published(
        index,
        AttractionPage(
            title="山茶花廊",
            slug="camellias",
            summary="山茶花开的长廊。",
            bloom_months=[other],
            zone=zones["C1"],
            location=inside(2, 0, dy=0.006),
        ),
    )
    publish_translation(index, locales.en, title="Attractions")
    attraction_en = publish_translation(
        attraction, locales.en, title="Rose garden", summary="Roses all month."
    )
    later_en = publish_translation(later, locales.en, title="Camellia walk")

    facilities = {
        "toilet": Facility.objects.create(
            kind="toilet",
            name="东厕所",
            name_en="East toilets",
            location=geo.point(106.619, 30.419),
        ),
        "parking": Facility.objects.create(
            kind="parking",
            name="游客停车场",
            name_en="Visitor car park",
            location=geo.point(106.612, 30.4008),
        ),
        "food": Facility.objects.create(
            kind="food", name="花间茶室", name_en="Tea room", location=geo.point(106.6185, 30.418)
        ),
        "first_aid": Facility.objects.create(
            kind="first_aid",
            name="医务室",
            name_en="First-aid post",
            location=geo.point(106.6175, 30.4185),
        ),
        "accessible_path": Facility.objects.create(
            kind="accessible_path",
            name="无障碍环线",
            name_en="Step-free loop",
            location={
                "type": "LineString",
                "coordinates": [[106.601, 30.4005], [106.619, 30.4005]],
            },
        ),
    }
    return SimpleNamespace(
        this=this,
        other=other,
        park=park,
        zones=zones,
        species=species,
        months=months,
        trees=trees,
        attraction=attraction,
        attraction_en=attraction_en,
        later=later,
        later_en=later_en,
        facilities=facilities,
        # What stands in each zone, by the names above, for the tests' own bloom reckoning.
        standing={
            "A1": {"attractions": [[this]]},
            "B1": {"species": ["ginkgo"]},  # T003 (azalea) is dead
            "C1": {"species": ["camellia"], "attractions": [[other]]},  # the azalea lot is empty
            "E1": {"species": ["azalea"]},
            "F1": {"species": ["rose"]},
        },
    )
