"""A passport's photo gallery, its growth charts and table, and its labels in both languages.

The chart's points are checked against the measurements scaled independently here: later
dates lie further right, larger values higher up, and the table carries the same figures.
"""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from nursery import growth
from nursery.models import SpecimenPhoto, SpecimenTree

from .factories import SpeciesFactory

pytestmark = pytest.mark.django_db

MEASURES = [
    # measured on, height cm, crown cm, stem diameter cm
    (datetime.date(2020, 12, 3), 450, 270, Decimal("27.5")),
    (datetime.date(2021, 12, 20), 470, 295, Decimal("29")),
    (datetime.date(2023, 6, 1), 520, None, Decimal("31.2")),
]


@pytest.fixture
def tree(site_tree, make_image):
    species = SpeciesFactory(
        name="罗汉松", name_en="Buddhist pine", scientific_name="Podocarpus macrophyllus"
    )
    tree = SpecimenTree.objects.create(
        tag="T001",
        species=species,
        zone=site_tree.zone,
        public=True,
        planted_on=datetime.date(2020, 12, 18),
        estimated_age_years=33,
    )
    for day, height, crown, stem in MEASURES:
        tree.measurements.create(
            measured_on=day, height_cm=height, crown_cm=crown, stem_diameter_cm=stem
        )
    SpecimenPhoto.objects.create(
        tree=tree,
        image=make_image("新叶", name="spring.jpg", size=(300, 200)),
        taken_on=datetime.date(2023, 4, 2),
        caption="春天的新叶",
    )
    SpecimenPhoto.objects.create(
        tree=tree, image=make_image("冬", name="winter.jpg", size=(300, 200)), caption=""
    )
    return tree


def chart_points(html: str, key: str) -> list[tuple[float, float]]:
    figure = re.search(rf'growth-chart--{key}">(.*?)</figure>', html, re.S).group(1)
    return [(float(x), float(y)) for x, y in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', figure)]


def test_the_charts_place_each_measurement_by_its_date_and_value(client, tree):
    html = client.get("/en/trees/T001/").content.decode()
    left, right = growth.LEFT, growth.WIDTH - growth.RIGHT
    span = (MEASURES[-1][0] - MEASURES[0][0]).days
    for key, column in (("height_cm", 1), ("stem_diameter_cm", 3)):
        points = chart_points(html, key)
        assert len(points) == 3
        for (x, _y), measure in zip(points, MEASURES, strict=True):
            want = left + (right - left) * (measure[0] - MEASURES[0][0]).days / span
            assert x == pytest.approx(want, abs=0.1)
        values = [float(m[column]) for m in MEASURES]
        ys = [y for _x, y in points]
        # Larger values are drawn higher (smaller y), in proportion to their differences.
        assert ys == sorted(ys, reverse=True)
        assert (ys[0] - ys[1]) / (ys[1] - ys[2]) == pytest.approx(
            (values[1] - values[0]) / (values[2] - values[1]), rel=0.02
        )
        assert all(growth.TOP <= y <= growth.HEIGHT - growth.BOTTOM for y in ys)
    # The crown was measured twice only: two points, not three.
    assert len(chart_points(html, "crown_cm")) == 2


def test_the_table_behind_the_charts_holds_every_measurement_with_units(client, tree):
    html = client.get("/en/trees/T001/").content.decode()
    table = re.search(r'<table class="growth-table">(.*?)</table>', html, re.S).group(1)
    headings = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert headings == ["Measured", "Height (cm)", "Crown spread (cm)", "Stem diameter (cm)"]
    rows = re.findall(r"<tr><th scope=\"row\">.*?>([\d-]+)</time></th>(.*?)</tr>", table)
    assert [day for day, _cells in rows] == [m[0].isoformat() for m in MEASURES]
    cells = [re.findall(r"<td>([^<]*)</td>", row) for _day, row in rows]
    assert cells == [["450", "270", "27.5"], ["470", "295", "29"], ["520", "—", "31.2"]]
    # Each chart names its figures for a screen reader.
    assert 'aria-label="Height: 450 cm on 2020-12-03, 520 cm on 2023-06-01"' in html


def test_the_chart_speaks_chinese_on_the_chinese_passport(client, tree):
    html = client.get("/trees/T001/").content.decode()
    assert "树高（厘米）" in html and "生长记录" in html
    assert 'aria-label="树高：2020-12-03 为 450 厘米，2023-06-01 为 520 厘米"' in html


def test_the_gallery_shows_each_photo_with_its_caption_and_date(client, tree):
    html = client.get("/en/trees/T001/").content.decode()
    gallery = re.search(r'<section class="tree-gallery".*?</section>', html, re.S).group(0)
    assert gallery.count("<figure>") == 2
    assert "春天的新叶" in gallery and '<time datetime="2023-04-02">2023-04-02</time>' in gallery
    # Thumbnails are renditions in WebP with a JPEG fallback; each links to a larger picture.
    assert gallery.count('type="image/webp"') == 2
    assert len(re.findall(r'<a href="[^"]+\.max-1200x900\.format-jpeg\.jpg">', gallery)) == 2


def test_one_measurement_draws_no_chart():
    one = SimpleNamespace(
        measured_on=datetime.date(2021, 1, 1),
        height_cm=300,
        crown_cm=None,
        stem_diameter_cm=None,
        stem_measured_at="1.3",
    )
    assert growth.growth_charts([one]) is None


def test_the_chinese_passport_says_planting_date_and_where_the_stem_is_measured(client, tree):
    html = client.get("/trees/T001/").content.decode()
    assert "<dt>种植日期</dt><dd>2020-12-18</dd>" in html
    assert "种植数" not in html
    assert "<dt>干径</dt><dd>31.2 厘米（离地 1.3 米处测量）</dd>" in html


def test_the_english_passport_explains_the_stem_diameter(client, tree):
    html = client.get("/en/trees/T001/").content.decode()
    assert "<dt>Planting date</dt>" in html
    assert "<dd>31.2 cm, measured 1.3 m above the ground</dd>" in html


def test_the_english_passport_links_to_the_english_attraction(client, tree, site_tree):
    html = client.get("/en/trees/T001/").content.decode()
    english = site_tree.en.attraction
    assert f'<a href="{english.url}">{english.title}</a>' in html
    assert english.url.startswith("/en/")
    assert site_tree.zh.attraction.title not in html.split('id="passport-facts"')[1]
    with translation.override("zh-hans"):
        zh = client.get("/trees/T001/").content.decode()
    assert f'<a href="{site_tree.zh.attraction.url}">玫瑰园</a>' in zh


def test_the_english_passport_names_the_zone_in_english_when_no_attraction_is_there(
    client, tree, site_tree
):
    site_tree.zh.attraction.zone = None
    site_tree.zh.attraction.save()
    site_tree.en.attraction.zone = None
    site_tree.en.attraction.save()
    html = client.get("/en/trees/T001/").content.decode()
    assert "<dd>Rose zone (A1)</dd>" in html and "玫瑰园区" not in html


def test_a_measure_never_taken_has_no_column():
    def measured(day, height):
        return SimpleNamespace(
            measured_on=day,
            height_cm=height,
            crown_cm=None,
            stem_diameter_cm=None,
            stem_measured_at="1.3",
        )

    with translation.override("en"):
        charts = growth.growth_charts(
            [measured(datetime.date(2020, 1, 1), 300), measured(datetime.date(2021, 1, 1), 340)]
        )
        headings = [str(h) for h in charts["headings"]]
    assert headings == ["Height (cm)"]
    assert [row["values"] for row in charts["rows"]] == [["300"], ["340"]]
    assert [chart["key"] for chart in charts["charts"]] == ["height_cm"]
