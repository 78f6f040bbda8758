"""Each public page type lives where it belongs, nowhere else, and renders in both languages."""

import html5lib
import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from tourism.models import (
    AttractionIndexPage,
    AttractionPage,
    BloomCalendarPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    VisitInfoPage,
)

PAGE_TYPES = [
    HomePage,
    AttractionIndexPage,
    AttractionPage,
    BloomCalendarPage,
    NewsIndexPage,
    NewsPage,
    VisitInfoPage,
]


@pytest.fixture(scope="module")
def wagtail_page_asserts():
    """Wagtail's page-type assertions, used from plain pytest functions."""
    return WagtailPageTestCase()


# Where each page type may be created: (parent, child).
ALLOWED = [
    (Page, HomePage),
    (HomePage, AttractionIndexPage),
    (HomePage, BloomCalendarPage),
    (HomePage, NewsIndexPage),
    (HomePage, VisitInfoPage),
    (AttractionIndexPage, AttractionPage),
    (NewsIndexPage, NewsPage),
]


@pytest.mark.parametrize(
    ("parent", "child"), ALLOWED, ids=[f"{c.__name__}-under-{p.__name__}" for p, c in ALLOWED]
)
def test_page_type_can_be_created_where_it_belongs(wagtail_page_asserts, parent, child):
    wagtail_page_asserts.assertCanCreateAt(parent, child)


REFUSED = [
    (parent, child)
    for parent in [Page, *PAGE_TYPES]
    for child in PAGE_TYPES
    if (parent, child) not in ALLOWED
]


@pytest.mark.parametrize(
    ("parent", "child"), REFUSED, ids=[f"{c.__name__}-under-{p.__name__}" for p, c in REFUSED]
)
def test_page_type_cannot_be_created_anywhere_else(wagtail_page_asserts, parent, child):
    wagtail_page_asserts.assertCanNotCreateAt(parent, child)


def test_attraction_page_cannot_be_created_under_news_index(wagtail_page_asserts):
    wagtail_page_asserts.assertCanNotCreateAt(NewsIndexPage, AttractionPage)


def test_each_page_type_has_exactly_its_parents(wagtail_page_asserts):
    wagtail_page_asserts.assertAllowedParentPageTypes(HomePage, {Page})
    for child in (AttractionIndexPage, BloomCalendarPage, NewsIndexPage, VisitInfoPage):
        wagtail_page_asserts.assertAllowedParentPageTypes(child, {HomePage})
    wagtail_page_asserts.assertAllowedParentPageTypes(AttractionPage, {AttractionIndexPage})
    wagtail_page_asserts.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})


def test_each_page_type_has_exactly_its_subpages(wagtail_page_asserts):
    wagtail_page_asserts.assertAllowedSubpageTypes(
        HomePage, {AttractionIndexPage, BloomCalendarPage, NewsIndexPage, VisitInfoPage}
    )
    wagtail_page_asserts.assertAllowedSubpageTypes(AttractionIndexPage, {AttractionPage})
    wagtail_page_asserts.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
    for leaf in (AttractionPage, BloomCalendarPage, NewsPage, VisitInfoPage):
        wagtail_page_asserts.assertAllowedSubpageTypes(leaf, set())


def test_a_home_has_one_index_of_each_kind(site_tree):
    home = site_tree.zh.home
    for singleton in (AttractionIndexPage, BloomCalendarPage, NewsIndexPage, VisitInfoPage):
        assert not singleton.can_create_at(home), singleton.__name__
    assert AttractionPage.can_create_at(site_tree.zh.attraction_index)
    assert NewsPage.can_create_at(site_tree.zh.news_index)


def test_only_one_home_page_per_language_fits_under_the_root(site_tree):
    assert not HomePage.can_create_at(Page.get_first_root_node())


def test_every_page_has_its_english_translation(site_tree):
    for key in (
        "home",
        "attraction_index",
        "attraction",
        "bloom_calendar",
        "news_index",
        "news",
        "visit",
    ):
        zh, en = getattr(site_tree.zh, key), getattr(site_tree.en, key)
        assert en.translation_key == zh.translation_key
        assert en.locale.language_code == "en"
        assert en.live


PAGE_KEYS = [
    "home",
    "attraction_index",
    "attraction",
    "bloom_calendar",
    "news_index",
    "news",
    "visit",
]


def html_lang(content: bytes) -> str | None:
    document = html5lib.parse(content, namespaceHTMLElements=False)
    return document.get("lang")


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_page_renders_in_chinese_at_the_root(client, site_tree, key):
    page = getattr(site_tree.zh, key)
    url = page.get_url()
    assert not url.startswith("/en/")

    response = client.get(url)

    assert response.status_code == 200, url
    assert html_lang(response.content) == "zh-hans"
    assert page.title in response.content.decode()


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_page_renders_in_english_under_en(client, site_tree, key):
    page = getattr(site_tree.en, key)
    url = page.get_url()
    assert url.startswith("/en/")

    response = client.get(url)

    assert response.status_code == 200, url
    assert html_lang(response.content) == "en"
    assert page.title in response.content.decode()


def test_chinese_home_is_served_at_slash_and_english_at_en(client, site_tree):
    assert site_tree.zh.home.get_url() == "/"
    assert site_tree.en.home.get_url() == "/en/"
    assert "大地花谷" in client.get("/").content.decode()
    assert "Dadi Flower Valley" in client.get("/en/").content.decode()
