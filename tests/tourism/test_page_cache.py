"""The public pages come from the page cache, and every change an editor makes shows on the next request."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from tourism.models import AttractionGalleryImage, OpeningHours, SiteSettings


def html(client, page) -> str:
    response = client.get(page.get_url())
    assert response.status_code == 200
    return response.content.decode()


def query_count(client, page) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page.get_url()).status_code == 200
    return len(captured)


def publish(page, **fields):
    """Change ``page`` as an editor would: a new revision, published."""
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return page


@pytest.mark.parametrize("name", ["home", "attraction"])
def test_a_page_seen_before_costs_fewer_queries(client, site_tree, name):
    page = getattr(site_tree.zh, name)
    html(client, page)  # makes the renditions
    html(client, page)  # fills the page cache
    warm = query_count(client, page)
    cache.clear()
    cold = query_count(client, page)
    assert warm < cold


def test_a_published_home_page_edit_shows_on_the_next_request(client, site_tree):
    assert "四季花海，一年都有花" in html(client, site_tree.zh.home)
    publish(site_tree.zh.home, hero_heading="春天来了，樱花开了")
    page = html(client, site_tree.zh.home)
    assert "春天来了，樱花开了" in page
    assert "四季花海，一年都有花" not in page


def test_a_published_gallery_caption_shows_on_the_next_request(client, site_tree):
    assert "初夏的玫瑰" in html(client, site_tree.zh.attraction)
    attraction = site_tree.zh.attraction.specific_class.objects.get(pk=site_tree.zh.attraction.pk)
    attraction.gallery_images = [
        AttractionGalleryImage(image=site_tree.images[2], caption="深秋的玫瑰"),
    ]
    attraction.save_revision().publish()
    page = html(client, site_tree.zh.attraction)
    assert "深秋的玫瑰" in page
    assert "初夏的玫瑰" not in page


def test_an_unpublished_attraction_leaves_the_home_page(client, site_tree):
    flower_sea = site_tree.zh.attractions[2]
    link = f'href="{flower_sea.get_url()}"'
    assert link in html(client, site_tree.zh.home)
    flower_sea.unpublish()
    assert link not in html(client, site_tree.zh.home)


def test_a_deleted_page_leaves_the_home_page(client, site_tree):
    assert "两百棵名木移栽入园" in html(client, site_tree.zh.home)
    site_tree.zh.news.delete()
    assert "两百棵名木移栽入园" not in html(client, site_tree.zh.home)


def test_a_page_shown_in_menus_joins_the_menu_at_once(client, site_tree):
    calendar = site_tree.zh.bloom_calendar
    menu_link = f'<li><a href="{calendar.get_url()}">'
    assert menu_link not in html(client, site_tree.zh.attraction)
    publish(calendar, show_in_menus=True)
    assert menu_link in html(client, site_tree.zh.attraction)


def test_a_moved_page_is_linked_at_its_new_address(client, site_tree):
    news = site_tree.zh.news
    assert f'href="{news.get_url()}"' in html(client, site_tree.zh.home)
    news.move(site_tree.zh.attraction_index, pos="last-child")
    news.refresh_from_db()
    assert news.get_url().startswith("/attractions/")
    assert f'href="{news.get_url()}"' in html(client, site_tree.zh.home)


def test_a_published_translation_is_linked_at_once(client, site_tree):
    attraction = site_tree.zh.attraction
    en_url = site_tree.en.attraction.get_url()
    assert f'href="{en_url}"' in html(client, attraction)
    site_tree.en.attraction.unpublish()
    # The language switch falls back to the English home page.
    page = html(client, attraction)
    assert f'href="{en_url}"' not in page
    assert f'href="{site_tree.en.home.get_url()}"' in page


def test_park_settings_show_on_the_next_request(client, site_tree):
    assert "0826-0000000" in html(client, site_tree.zh.home)
    park = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    park.phone = "0826-1234567"
    park.save()
    assert "0826-1234567" in html(client, site_tree.zh.home)


def test_todays_opening_hours_show_on_the_next_request(client, site_tree):
    assert "08:30" in html(client, site_tree.zh.home)
    hours = OpeningHours.objects.get(weekday=timezone.localdate().weekday())
    hours.opens = datetime.time(7, 0)
    hours.save()
    assert "07:00" in html(client, site_tree.zh.home)


def test_a_zone_change_shows_on_its_attraction(client, site_tree):
    assert "玫瑰园区" in html(client, site_tree.zh.attraction)
    site_tree.zone.name = "月季园区"
    site_tree.zone.save()
    assert "月季园区" in html(client, site_tree.zh.attraction)


def test_a_preview_shows_the_draft_and_leaves_the_live_page_alone(client, site_tree):
    home = site_tree.zh.home
    assert "四季花海，一年都有花" in html(client, home)
    draft = home.specific_class.objects.get(pk=home.pk)
    draft.hero_heading = "草稿标题"
    preview = draft.make_preview_request()
    assert "草稿标题" in preview.content.decode()
    assert "草稿标题" not in html(client, home)


def test_the_site_of_a_host_is_looked_up_once_until_sites_change(client, site_tree):
    def site_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/tickets/find/").status_code == 200
        return sum('FROM "wagtailcore_site"' in q["sql"] for q in captured)

    first = site_queries()
    assert first >= 1
    assert site_queries() == 0
    site = Site.objects.get(is_default_site=True)
    site.site_name = "花谷"
    site.save()
    assert site_queries() == first


def footer(page: str) -> str:
    return page[page.index('<footer class="site-footer">') :]


def test_the_footer_is_drawn_once_for_every_page_and_follows_the_park_settings(client, site_tree):
    booking, find = "/tickets/", "/tickets/find/"
    assert "0826-0000000" in footer(client.get(booking).content.decode())
    # The visit page says the hours and the address itself: its footer leaves them out,
    # and the other pages' footers keep them, whichever was drawn first.
    visit = footer(html(client, site_tree.zh.visit))
    assert 'id="footer-hours"' not in visit
    assert 'id="footer-hours"' in footer(client.get(find).content.decode())

    park = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    park.phone = "0826-7654321"
    park.save()
    assert "0826-7654321" in footer(client.get(find).content.decode())
    assert "0826-7654321" in footer(html(client, site_tree.zh.visit))
    with CaptureQueriesContext(connection) as captured:
        client.get(find)
    assert not any("tourism_openinghours" in q["sql"] for q in captured)
