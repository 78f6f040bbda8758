"""The home page and the attraction index cost the same number of queries however many attractions there are."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nursery.models import Zone
from tourism.models import (
    AttractionIndexPage,
    AttractionPage,
    BloomCalendarPage,
    NewsIndexPage,
    NewsPage,
    VisitInfoPage,
)


@pytest.fixture
def park(home_page, make_image, add_page):
    """A park whose attractions can be added in batches, each with its own picture and months."""
    home = home_page
    index = add_page(home, AttractionIndexPage(title="景点", slug="attractions"))
    add_page(home, BloomCalendarPage(title="花期日历", slug="bloom-calendar"))
    add_page(home, VisitInfoPage(title="游览信息", slug="visit"))
    news_index = add_page(home, NewsIndexPage(title="新闻", slug="news"))
    for day in range(1, 5):
        add_page(
            news_index,
            NewsPage(
                title=f"花谷新闻{day}",
                slug=f"news-{day}",
                date=datetime.date(2024, 3, day),
                listing_image=make_image(f"新闻图{day}", name=f"news-{day}.jpg", size=(400, 300)),
            ),
        )
    zones = [
        Zone.objects.create(code=f"Z{n}", name=f"区{n}", area_mu=10, use="display_garden")
        for n in range(3)
    ]
    this_month = timezone.localdate().month

    def add_attractions(count: int):
        start = AttractionPage.objects.count()
        for n in range(start, start + count):
            add_page(
                index,
                AttractionPage(
                    title=f"景点{n}",
                    slug=f"attraction-{n}",
                    summary=f"第{n}个景点。",
                    bloom_months=[this_month, (this_month % 12) + 1],
                    featured=n % 3 == 0,
                    zone=zones[n % len(zones)],
                    listing_image=make_image(
                        f"景点图{n}",
                        name=f"a-{n}.jpg",
                        size=(400, 300),
                        colour=(n * 5 % 255, 120, 90),
                    ),
                ),
            )

    return {"home": home, "attractions": index, "add_attractions": add_attractions}


def queries_for(client, url: str) -> list[str]:
    """The SQL a second request for ``url`` runs, once the first has made the renditions.

    The cache is emptied in between, so the second request renders the page afresh rather
    than from the page cache: the work being counted is the real one.
    """
    assert client.get(url).status_code == 200
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("page", ["home", "attractions"])
def test_queries_do_not_grow_with_the_number_of_attractions(client, park, page):
    url = park[page].get_url()
    park["add_attractions"](5)
    with_five = queries_for(client, url)

    park["add_attractions"](45)
    with_fifty = queries_for(client, url)

    assert AttractionPage.objects.count() == 50
    assert len(with_fifty) == len(with_five), (
        f"{url}: {len(with_five)} queries with 5 attractions, {len(with_fifty)} with 50.\n"
        "With 50:\n  " + "\n  ".join(with_fifty)
    )


def test_listing_shows_the_attractions_it_counts(client, park):
    park["add_attractions"](5)
    index = client.get(park["attractions"].get_url()).content.decode()
    home = client.get(park["home"].get_url()).content.decode()
    for n in range(5):
        assert f"景点{n}" in index
    # Every attraction blooms this month, so the home page shows some of them.
    assert "景点0" in home
