"""The public pages' fixes, as a visitor sees them in Chromium on a 375 px phone.

The tree cards line up with the page's heading; the English bloom calendar shows the
current month without scrolling (and on a narrower phone says it scrolls and scrolls the
month into view); the Chinese passport names the planting date and says where the stem
diameter is measured; the English attraction page has one "At a glance".
"""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from nursery.models import SpecimenTree
from tests.nursery.factories import SpeciesFactory

pytestmark = [
    pytest.mark.browser,
    # Transactional, so the live server's thread sees the data; serialized rollback restores
    # what the migrations made for any test after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"


@pytest.fixture
def trees(site_tree, make_image):
    species = SpeciesFactory(
        name="罗汉松", name_en="Buddhist pine", scientific_name="Podocarpus macrophyllus"
    )
    for n in range(1, 4):
        tree = SpecimenTree.objects.create(
            tag=f"T00{n}",
            species=species,
            zone=site_tree.zone,
            public=True,
            planted_on=datetime.date(2020, 12, 18),
            estimated_age_years=30 + n,
            photo=make_image(f"罗汉松{n}", name=f"pine{n}.jpg", size=(400, 260))
            if n == 1
            else None,
        )
        tree.measurements.create(
            measured_on=datetime.date(2020, 12, 3), height_cm=450, stem_diameter_cm=27
        )
        tree.measurements.create(
            measured_on=datetime.date(2021, 12, 20), height_cm=470, stem_diameter_cm=29
        )
    return site_tree


def phone(browser, serve_media, width: int = 375):
    context = browser.new_context(viewport={"width": width, "height": 812}, device_scale_factor=1)
    context.route("**/media/**", serve_media)
    return context, context.new_page()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_tree_cards_line_up_with_the_heading_and_the_chinese_passport_reads_right(
    browser, live_server, serve_media, trees
):
    context, page = phone(browser, serve_media)
    page.goto(live_server.url + "/trees/", wait_until="load")
    heading = page.locator("h1").bounding_box()
    cards = page.locator(".tree-cards > li")
    assert cards.count() == 3
    for index in range(3):
        card = cards.nth(index).bounding_box()
        assert abs(card["x"] - heading["x"]) <= 1, (card, heading)
        assert card["x"] + card["width"] <= 375
    form = page.locator("form.tree-filter").bounding_box()
    assert abs(form["x"] - heading["x"]) <= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "375_trees_zh.png")

    page.goto(live_server.url + "/trees/T001/", wait_until="load")
    facts = page.locator("#passport-facts + dl")
    planted = facts.locator("div", has=page.locator("dt", has_text="种植日期"))
    assert planted.locator("dd").inner_text() == "2020-12-18"
    assert "种植数" not in page.content()
    stem = facts.locator("div", has=page.locator("dt", has_text="干径")).locator("dd")
    assert stem.inner_text().replace(" ", "") == "29厘米（离地1.3米处测量）"
    # The growth charts are drawn and fit the screen; the table scrolls inside its box.
    assert page.locator(".growth-chart svg").count() == 2
    for index in range(2):
        box = page.locator(".growth-chart svg").nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "375_passport_zh.png")
    context.close()


def test_the_english_bloom_calendar_shows_the_current_month_on_a_phone(
    browser, live_server, serve_media, trees
):
    month = timezone.localdate().month
    context, page = phone(browser, serve_media)
    page.goto(live_server.url + trees.en.bloom_calendar.url, wait_until="load")
    current = page.locator("thead th.is-current")
    assert current.inner_text().strip() == str(month)
    box = current.bounding_box()
    region = page.locator(".table-scroll").bounding_box()
    assert box["x"] >= region["x"] and box["x"] + box["width"] <= region["x"] + region["width"]
    assert box["x"] + box["width"] <= 375
    # Every month fits: December's column too, and nothing needs a scroll or a hint.
    last = page.locator("thead th").last.bounding_box()
    assert last["x"] + last["width"] <= region["x"] + region["width"] + 0.5
    assert page.locator("#calendar-scroll-hint").is_hidden()
    shot(page, "375_bloom_calendar_en.png")
    context.close()

    # A narrower phone: the table scrolls, says so, and brings the current month into view.
    context, page = phone(browser, serve_media, width=300)
    page.goto(live_server.url + trees.en.bloom_calendar.url, wait_until="load")
    scroller = page.locator(".table-scroll")
    assert page.evaluate("(el) => el.scrollWidth > el.clientWidth", scroller.element_handle())
    page.locator("#calendar-scroll-hint").wait_for(state="visible")
    region = scroller.bounding_box()
    names = page.locator("thead th").first.bounding_box()
    box = page.locator("thead th.is-current").bounding_box()
    # In view, and not under the sticky column of names.
    assert box["x"] >= names["x"] + names["width"] - 0.5
    assert box["x"] + box["width"] <= region["x"] + region["width"] + 0.5
    shot(page, "300_bloom_calendar_en.png")
    context.close()


def test_the_english_attraction_has_one_at_a_glance_and_its_trees_as_cards(
    browser, live_server, serve_media, trees
):
    context, page = phone(browser, serve_media)
    page.goto(live_server.url + trees.en.attraction.url, wait_until="load")
    assert page.get_by_role("heading", name="At a glance").count() == 1
    cards = page.locator(".specimen-trees .cards > li")
    assert cards.count() == 3
    heading = page.locator("#trees-heading").bounding_box()
    assert abs(cards.first.bounding_box()["x"] - heading["x"]) <= 1
    more = page.locator(".specimen-trees__more a")
    assert more.get_attribute("href") == "/en/trees/?zone=A1"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "375_attraction_en.png")
    context.close()
