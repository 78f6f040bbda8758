"""`manage.py load_demo` builds the reference park in both languages, and a second run changes nothing."""

import io
import itertools
import math
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.html import escape
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Revision, Site

from nursery.models import Zone
from tourism.models import AttractionPage, HomePage, NewsPage, SiteSettings, TicketType

pytestmark = pytest.mark.demo

SEASONS = {
    "spring": {3, 4, 5},
    "summer": {6, 7, 8},
    "autumn": {9, 10, 11},
    "winter": {12, 1, 2},
}
ROLES = {
    "editor": "Editors",
    "manager": "Farm managers",
    "gate": "Gate staff",
    "official": "Officials",
}


def snapshot(media_root: Path) -> dict:
    """Everything load_demo makes, in a form two runs can be compared by."""
    users = get_user_model().objects.order_by("username")
    return {
        "pages": list(
            Page.objects.order_by("path").values_list(
                "id",
                "path",
                "title",
                "slug",
                "locale__language_code",
                "content_type__model",
                "live",
                "translation_key",
                "alias_of_id",
            )
        ),
        "sites": list(
            Site.objects.values_list("id", "hostname", "port", "root_page_id", "is_default_site")
        ),
        "images": list(
            get_image_model()
            .objects.order_by("id")
            .values_list("id", "title", "file", "width", "height")
        ),
        "image_files": sorted(
            str(path.relative_to(media_root))
            for path in media_root.rglob("*")
            if path.is_file() and "original_images" in path.parts
        ),
        "users": [
            (
                u.id,
                u.username,
                u.email,
                u.is_staff,
                u.is_superuser,
                u.is_active,
                sorted(u.groups.values_list("name", flat=True)),
            )
            for u in users
        ],
        "zones": list(
            Zone.objects.order_by("code").values_list(
                "id", "code", "name", "name_en", "area_mu", "use"
            )
        ),
        "ticket_types": list(
            TicketType.objects.values_list("id", "name", "name_en", "audience", "price")
        ),
    }


@pytest.fixture
def first_run_output(demo, db):
    """What the first load_demo of this module printed; the test runs in a savepoint after it."""
    return demo.output


def test_second_run_leaves_the_same_pages_images_users_and_zones(
    first_run_output, load_demo_command, media_root
):
    before = snapshot(media_root)

    load_demo_command(stdout=io.StringIO(), verbosity=1)

    after = snapshot(media_root)
    for kind in before:
        assert after[kind] == before[kind], f"a second load_demo changed the {kind}"
    assert before["pages"] and before["images"] and before["users"] and before["zones"]


def test_second_run_publishes_no_new_revisions(first_run_output, load_demo_command):
    revisions = Revision.objects.count()

    load_demo_command(stdout=io.StringIO(), verbosity=1)

    assert Revision.objects.count() == revisions


def test_passwords_printed_by_the_first_run_still_work_after_the_second(
    first_run_output, load_demo_command
):
    load_demo_command(stdout=io.StringIO(), verbosity=1)

    for username in ["admin", *ROLES]:
        user = get_user_model().objects.get(username=username)
        lines = [line for line in first_run_output.splitlines() if username in line]
        assert lines, f"load_demo printed nothing about {username}"
        tokens = {token.strip("'\"`,;:()[]") for line in lines for token in line.split()}
        assert any(user.check_password(token) for token in tokens if token), (
            f"none of the words printed on {username}'s line is their password: {lines}"
        )


def test_the_chinese_home_is_the_default_site_root(first_run_output):
    site = Site.objects.get(is_default_site=True)
    root = site.root_page.specific
    assert isinstance(root, HomePage)
    assert root.locale.language_code == "zh-hans"
    assert root.live


def test_every_chinese_page_has_a_live_english_translation(first_run_output):
    zh = Locale.objects.get(language_code="zh-hans")
    en = Locale.objects.get(language_code="en")
    home = Site.objects.get(is_default_site=True).root_page
    chinese = Page.objects.live().descendant_of(home, inclusive=True).filter(locale=zh)
    assert chinese.count() > 5
    missing = [
        f"{page.title} ({page.url_path})"
        for page in chinese
        if not page.get_translations().filter(locale=en, live=True, alias_of__isnull=True).exists()
    ]
    assert not missing, f"no live English translation of: {missing}"


def test_english_pages_are_translated_not_copied(first_run_output):
    en = Locale.objects.get(language_code="en")
    same = [
        page.title
        for page in AttractionPage.objects.filter(locale=en)
        if page.title == page.get_translation(Locale.objects.get(language_code="zh-hans")).title
    ]
    assert not same, f"English attraction titles left in Chinese: {same}"


def test_at_least_eight_attractions_cover_all_four_seasons(first_run_output):
    attractions = AttractionPage.objects.live().filter(locale__language_code="zh-hans")
    assert attractions.count() >= 8
    months = {month for page in attractions for month in page.bloom_months}
    for season, season_months in SEASONS.items():
        assert months & season_months, f"nothing in bloom in {season}"
    assert all(page.listing_image_id for page in attractions), "an attraction has no picture"


def test_news_tells_of_the_200_trees_planted_in_december_2020(first_run_output):
    articles = NewsPage.objects.live().filter(
        locale__language_code="zh-hans", date__year=2020, date__month=12
    )
    assert any("200" in f"{a.title} {a.summary}" for a in articles), [a.title for a in articles]


def test_demo_users_hold_their_roles(first_run_output):
    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for username, group in ROLES.items():
        user = users.get(username=username)
        assert user.groups.filter(name=group).exists(), f"{username} is not in {group}"
        assert not user.is_superuser, f"{username} must not be a superuser"
    assert Group.objects.filter(name__in=ROLES.values()).count() == len(ROLES)


def test_demo_images_are_real_pictures(first_run_output):
    images = get_image_model().objects.all()
    assert images.exists()
    for image in images:
        assert image.width >= 600 and image.height >= 400, (
            f"{image.title} is {image.width}x{image.height}"
        )
        assert image.title


def test_the_demo_partners_printed_api_key_works_and_a_second_run_issues_no_other(
    first_run_output, load_demo_command
):
    from tourism.demo.partners import DEMO_PARTNER
    from tourism.tickets.partner_keys import api_key_authenticate
    from tourism.tickets.partners import ApiKey

    load_demo_command(stdout=io.StringIO(), verbosity=1)

    (line,) = [line for line in first_run_output.splitlines() if line.startswith("API key of")]
    api_key = api_key_authenticate(line.rsplit(" ", 1)[-1])
    assert api_key.partner.name == DEMO_PARTNER
    assert ApiKey.objects.filter(partner__name=DEMO_PARTNER).count() == 1


def test_every_demo_zone_is_a_valid_shape_inside_the_park_sized_by_its_area(first_run_output):
    from core import geo
    from core.park_map import ParkMap

    park = ParkMap.load()
    geo.validate_polygon(park.boundary)
    for zone in Zone.objects.all():
        geo.validate_polygon(zone.boundary)
        assert geo.polygon_within(zone.boundary, park.boundary), zone.code
        ring = geo.polygon_rings(zone.boundary)[0]
        # Shoelace area in square metres on a local flat grid: the zone's area in mu.
        lat = math.radians(ring[0][1])
        xy = [(lon * 111_320 * math.cos(lat), lat_ * 111_132) for lon, lat_ in ring]
        area = abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(xy))) / 2
        assert 0.97 < area / float(zone.area_m2) < 1.03, (zone.code, area, zone.area_m2)


def test_every_public_tree_and_attraction_stands_inside_its_zone(first_run_output):
    from core import geo
    from nursery.models import SpecimenTree

    trees = SpecimenTree.objects.filter(public=True).select_related("zone")
    assert trees.count() > 50
    for tree in trees:
        assert tree.location and not tree.outside_its_zone, tree.tag
    for page in AttractionPage.objects.select_related("zone"):
        assert page.location, page.title
        if page.zone and page.zone.boundary:
            assert geo.contains(page.zone.boundary, geo.point_of(page.location)), page.title


def test_the_park_has_an_entrance_facilities_and_a_plan_with_four_edges(first_run_output):
    from core import geo
    from core.park_map import Facility, ParkMap

    park = ParkMap.load()
    assert geo.contains(park.boundary, geo.point_of(park.entrance))
    assert park.plan_image_id is not None
    (south, west), (north, east) = park.plan_bounds
    assert south < north and west < east
    for lon, lat in geo.positions(park.boundary):
        assert west <= lon <= east and south <= lat <= north
    settings = SiteSettings.objects.get()
    assert geo.distance_m((float(settings.longitude), float(settings.latitude)), (lon, lat)) < 2000
    kinds = {f.kind: f for f in Facility.objects.all()}
    assert set(kinds) == set(Facility.Kind.values)
    assert kinds["accessible_path"].location["type"] == "LineString"
    for facility in Facility.objects.all():
        assert all(geo.contains(park.boundary, p) for p in geo.positions(facility.location))


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_demo_visit_page_gives_hours_and_address_once(first_run_output, client, prefix):
    from tourism.demo import content

    html = client.get(f"{prefix}/visit/").content.decode()
    assert html.count('<table class="hours">') == 1
    address = escape(content.PARK["address_en" if prefix else "address"])
    assert html.count(address) == 1
    assert "uri.amap.com/navigation" in html and "api.map.baidu.com/marker" in html
