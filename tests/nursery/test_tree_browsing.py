"""/trees/: search, filters and pages give what an independent filter of the fixture gives.

Gone trees (dead, sold, removed) leave the list while their passport says what became of
them; whatever the query string holds, the list answers and never fails; its queries
stay the same in number from 20 trees to 200.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nursery import selectors
from nursery.models import SpecimenPhoto, SpecimenTree
from tourism.page_cache import page_cache_invalidate

from .factories import SpeciesFactory, ZoneFactory

pytestmark = pytest.mark.django_db

THIS_MONTH = timezone.localdate().month
OTHER_MONTH = THIS_MONTH % 12 + 1
PASSPORT_LINK = re.compile(r'href="/en/trees/([^/"]+)/"')


@pytest.fixture
def park():
    """45 trees of three species in two zones, with ages across the bands; some gone, some private."""
    pine = SpeciesFactory(
        name="罗汉松",
        name_en="Buddhist pine",
        scientific_name="Podocarpus macrophyllus",
        bloom_months=[OTHER_MONTH],
    )
    ginkgo = SpeciesFactory(
        name="银杏", name_en="Ginkgo", scientific_name="Ginkgo biloba", bloom_months=[THIS_MONTH]
    )
    osmanthus = SpeciesFactory(
        name="桂花",
        name_en="Sweet osmanthus",
        scientific_name="Osmanthus fragrans",
        bloom_months=[THIS_MONTH, OTHER_MONTH],
    )
    garden = ZoneFactory(code="B2", name="名贵古树园", name_en="Specimen-Tree Garden")
    field = ZoneFactory(code="C1", name="苗圃一区", name_en="Nursery field 1")
    kinds = [pine, ginkgo, osmanthus]
    ages = [None, 12, 49, 50, 99, 100, 150, 299, 300, 800]
    statuses = [SpecimenTree.Status.HEALTHY] * 6 + [
        SpecimenTree.Status.WEAK,
        SpecimenTree.Status.DEAD,
        SpecimenTree.Status.SOLD,
        SpecimenTree.Status.REMOVED,
    ]
    trees = [
        SpecimenTree(
            tag=f"T{n:03d}",
            species=kinds[n % 3],
            zone=garden if n % 4 else field,
            estimated_age_years=ages[n % len(ages)],
            status=statuses[(n * 7) % len(statuses)],
            public=n % 11 != 5,
        )
        for n in range(1, 46)
    ]
    SpecimenTree.objects.bulk_create(trees)
    return {"trees": list(SpecimenTree.objects.select_related("species", "zone"))}


def listed(client, url: str) -> list[str]:
    """The tags the English list shows over all its pages, following its own page links."""
    tags, seen = [], set()
    while url and url not in seen:
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        tags += PASSPORT_LINK.findall(html)
        following = re.search(r'<a href="(\?[^"]*)" rel="next">', html)
        url = "/en/trees/" + following.group(1).replace("&amp;", "&") if following else None
    return tags


def expected(trees, *, text="", species=None, zone=None, band=None, bloom=False) -> list[str]:
    kept = []
    for tree in trees:
        if not tree.public or tree.status in ("dead", "sold", "removed"):
            continue
        names = [tree.tag, tree.species.name, tree.species.name_en, tree.species.scientific_name]
        if text and not any(text.lower() in name.lower() for name in names):
            continue
        if species and tree.species_id != species.pk:
            continue
        if zone and tree.zone_id != zone.pk:
            continue
        if band:
            low, high = band
            age = tree.estimated_age_years
            if age is None or (low is not None and age < low) or (high is not None and age >= high):
                continue
        if bloom and THIS_MONTH not in tree.species.bloom_months:
            continue
        kept.append(tree.tag)
    return sorted(kept)


def test_the_full_list_is_the_public_standing_trees_twenty_to_a_page(client, park):
    want = expected(park["trees"])
    first = client.get("/en/trees/").content.decode()
    assert PASSPORT_LINK.findall(first) == want[:20]
    assert listed(client, "/en/trees/") == want
    assert len(want) > 20 and f"{len(want)} trees" in first
    assert f"page 1 of {(len(want) + 19) // 20}" in first


@pytest.mark.parametrize(
    "query, criteria",
    [
        ("q=pine", {"text": "pine"}),
        ("q=%E9%93%B6%E6%9D%8F", {"text": "银杏"}),
        ("q=fragrans", {"text": "fragrans"}),
        ("q=T01", {"text": "T01"}),
        ("q=+ginkgo+", {"text": "ginkgo"}),
        ("age=0-50", {"band": (None, 50)}),
        ("age=50-100", {"band": (50, 100)}),
        ("age=100-300", {"band": (100, 300)}),
        ("age=300-", {"band": (300, None)}),
        ("bloom=1", {"bloom": True}),
        ("zone=C1", {"zone": "C1"}),
        ("zone=B2&age=100-300&bloom=1", {"zone": "B2", "band": (100, 300), "bloom": True}),
        ("q=osmanthus&zone=B2", {"text": "osmanthus", "zone": "B2"}),
    ],
)
def test_search_and_filters_keep_what_an_independent_filter_keeps(client, park, query, criteria):
    trees = park["trees"]
    if "zone" in criteria:
        criteria["zone"] = next(t.zone for t in trees if t.zone.code == criteria["zone"])
    want = expected(trees, **criteria)
    assert want, "each case should match some trees"
    assert listed(client, f"/en/trees/?{query}") == want


def test_the_species_filter_keeps_that_species_and_page_links_keep_the_filters(client, park):
    trees = park["trees"]
    pine = next(t.species for t in trees if t.species.name_en == "Buddhist pine")
    want = expected(trees, species=pine)
    assert listed(client, f"/en/trees/?species={pine.pk}") == want
    html = client.get("/en/trees/?bloom=1&age=0-50&zone=B2&q=o&page=1").content.decode()
    for link in re.findall(r'href="\?([^"]*page=\d+)"', html):
        assert "bloom=1" in link and "age=0-50" in link and "zone=B2" in link and "q=o" in link


def test_gone_trees_leave_the_list_but_their_passport_says_what_became_of_them(client, park):
    gone = {t.status: t for t in park["trees"] if t.public and t.is_gone}
    assert set(gone) == {"dead", "sold", "removed"}
    standing = set(selectors.public_trees().values_list("tag", flat=True))
    assert not standing & {t.tag for t in gone.values()}
    listed_tags = set(listed(client, "/en/trees/"))
    wording = {
        "dead": "This tree has died.",
        "sold": "This tree has been sold",
        "removed": "This tree has been removed from the park.",
    }
    for status, tree in gone.items():
        assert tree.tag not in listed_tags
        response = client.get(f"/en/trees/{tree.tag}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert wording[status] in html
        assert '<meta name="robots" content="noindex">' in html
    zh = client.get(f"/trees/{gone['dead'].tag}/").content.decode()
    assert "这棵树已经死亡" in zh
    alive = client.get(f"/en/trees/{sorted(standing)[0]}/").content.decode()
    assert "noindex" not in alive and "This tree has" not in alive


def test_a_search_that_matches_nothing_says_so_plainly(client, park):
    html = client.get("/en/trees/?q=no-such-tree").content.decode()
    assert "No trees match" in html and "0 trees" in html
    assert 'href="/en/trees/"' in html  # the way back to every tree
    assert not PASSPORT_LINK.findall(html)


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=99999",
        "page=-1",
        "page=1e9",
        "species=99999",
        "species=abc",
        "zone=nope",
        "age=ancient",
        "bloom=maybe",
        "q=" + "x" * 5000,
        "q=%00",
        "q=%ED%A0%80",
        "species=1&species=2",
        "page=",
    ],
)
def test_hostile_query_strings_get_a_page_not_an_error(client, park, query):
    response = client.get(f"/en/trees/?{query}")
    if query == "q=%00":
        # The site refuses a NUL byte in any query string before the view is reached.
        assert response.status_code == 400
        return
    assert response.status_code == 200
    html = response.content.decode()
    if query.startswith(("species=9", "species=a", "zone=", "age=", "q=xxx")):
        assert 'class="field-error"' in html
    if query in ("page=99999", "page=-1"):
        # The last page: what is left after the full pages.
        want = expected(park["trees"])
        last = len(want) - (len(want) - 1) // 20 * 20
        assert PASSPORT_LINK.findall(html) == want[-last:]
    if query in ("page=abc", "page=1e9", "page=", "species=abc"):
        assert PASSPORT_LINK.findall(html) == expected(park["trees"])[:20]


def test_an_unknown_species_is_refused_and_the_other_filters_still_apply(client, park):
    html = client.get("/en/trees/?species=99999&zone=C1").content.decode()
    zone = next(t.zone for t in park["trees"] if t.zone.code == "C1")
    assert "Select a valid choice" in html
    assert PASSPORT_LINK.findall(html) == expected(park["trees"], zone=zone)[:20]


def make_trees(count: int, start: int, species, zone, make_image) -> None:
    """``count`` public trees, half with their own photo and half with only a gallery photo."""
    for n in range(start, start + count):
        image = make_image(f"tree {n}", name=f"t{n}.jpg", size=(40, 30))
        tree = SpecimenTree.objects.create(
            tag=f"P{n:03d}",
            species=species,
            zone=zone,
            public=True,
            estimated_age_years=n,
            photo=image if n % 2 else None,
        )
        if not n % 2:
            SpecimenPhoto.objects.create(tree=tree, image=image, taken_on=datetime.date(2024, 5, 1))


def queries_for(client, url: str) -> int:
    # Renditions are made on the first view, and the header and footer are cached after the
    # second: what is counted is a view like any later one.
    client.get(url)
    client.get(url)
    # The cards are cached once rendered; what is counted is their rendering.
    page_cache_invalidate()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_two_trees_20_or_200(client, make_image):
    # Two cards (one with its own photo, one with a gallery photo: each kind of picture is
    # fetched) against a full page catch a query per card; 20 trees against 200 a query
    # that grows with the list.
    species, zone = SpeciesFactory(), ZoneFactory(code="B2")
    make_trees(2, 0, species, zone, make_image)
    one = queries_for(client, "/en/trees/")
    one_filtered = queries_for(client, f"/en/trees/?zone=B2&species={species.pk}&bloom=1")
    make_trees(18, 2, species, zone, make_image)
    few = queries_for(client, "/en/trees/")
    few_filtered = queries_for(client, f"/en/trees/?zone=B2&species={species.pk}&bloom=1")
    make_trees(180, 20, species, zone, make_image)
    many = queries_for(client, "/en/trees/")
    last_page = queries_for(client, "/en/trees/?page=10")
    many_filtered = queries_for(client, f"/en/trees/?zone=B2&species={species.pk}&bloom=1")
    assert one == few == many == last_page, (one, few, many, last_page)
    assert one_filtered == few_filtered == many_filtered
    html = client.get("/en/trees/?page=10").content.decode()
    # Every card on the page shows its picture: the tree's own or its gallery's.
    assert html.count("<picture") == 20


def test_a_change_to_a_tree_its_species_or_its_photos_shows_on_the_cached_list(
    client, park, make_image
):
    tree = SpecimenTree.objects.get(tag=expected(park["trees"])[0])
    assert tree.tag in listed(client, "/en/trees/")
    tree.status = SpecimenTree.Status.DEAD
    tree.save()
    assert tree.tag not in listed(client, "/en/trees/")
    other = SpecimenTree.objects.get(tag=expected(park["trees"])[1])
    other.species.name_en = "Renamed pine"
    other.species.save()
    assert "Renamed pine" in client.get("/en/trees/").content.decode()
    assert "<picture" not in client.get("/en/trees/").content.decode()
    SpecimenPhoto.objects.create(tree=other, image=make_image("new", size=(40, 30)))
    assert "<picture" in client.get("/en/trees/").content.decode()
