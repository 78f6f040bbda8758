"""The project's own admin pages are headed by their name, not by "Home".

Wagtail's header shows a view's breadcrumbs where a title would be; a page whose only
breadcrumb is "Home" read "首页" at the top of a phone's screen.
"""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.tickets.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "/admin/nursery/stock/record/": "Record a stock movement",
    "/admin/nursery/reserve/": "Reserve stock",
    "/admin/nursery/purchase/": "Record a purchase",
    "/admin/nursery/import/": "Import lots or specimen trees",
    "/admin/nursery/zone-map/": "Zone map",
    "/admin/nursery/plantings/new/": "Record a planting",
    "/admin/workforce/crew-day/": "Crew's day",
    "/admin/lockouts/": "Sign-in lockouts",
    "/admin/exports/": "My exports",
}


def breadcrumbs(html: str) -> list[str]:
    """What the header's breadcrumbs say, first to last: what a phone shows at the top."""
    header = BeautifulSoup(html, "html.parser").find("header")
    return [item.get_text(" ", strip=True) for item in header.select("nav ol > li")]


@pytest.mark.parametrize("url", PAGES)
def test_an_admin_page_of_our_own_is_headed_by_its_name(url):
    client = Client()
    client.force_login(UserFactory(is_superuser=True))

    response = client.get(url)

    assert response.status_code == 200, url
    with translation.override("zh-hans"):
        title = gettext(PAGES[url])
    assert title != PAGES[url]  # the page reads in Chinese
    crumbs = breadcrumbs(response.content.decode())
    assert crumbs[0] == "首页" and crumbs[-1] == title, crumbs
