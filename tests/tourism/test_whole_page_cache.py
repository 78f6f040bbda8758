"""Anonymous visitors get the public pages whole from the cache; nobody else does, and an
edit shows on the next request (tourism/whole_page_cache.py)."""

import datetime

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from tests.tickets.factories import UserFactory
from tourism import whole_page_cache


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    response.queries = len(queries)
    return response


def publish(page, **fields):
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()


@pytest.mark.parametrize("name", ["home", "attraction", "bloom_calendar", "news", "visit"])
def test_a_second_visitor_gets_the_page_from_the_cache_with_one_query(site_tree, name):
    url = getattr(site_tree.zh, name).get_url()
    first = get(Client(), url)

    second = get(Client(), url)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second.queries == 1  # the page cache version: an edit elsewhere shows at once
    assert first.queries > 1
    assert second["Cache-Control"] == "public, max-age=60"
    assert second["ETag"] == first["ETag"] and second["Last-Modified"] == first["Last-Modified"]


def test_the_park_map_and_the_trees_are_cached_too(site_tree):
    for url in ["/map/", "/trees/", "/en/trees/"]:
        get(Client(), url)
        assert get(Client(), url).queries == 1, url


def test_a_published_edit_shows_on_the_next_request(site_tree):
    url = site_tree.zh.home.get_url()
    before = Client().get(url)
    assert "四季花海，一年都有花" in before.content.decode()

    publish(site_tree.zh.home, hero_heading="春天来了，樱花开了")
    after = Client().get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert "春天来了，樱花开了" in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_each_language_has_its_own_entry(site_tree):
    zh = Client().get(site_tree.zh.home.get_url())
    en = Client().get(site_tree.en.home.get_url())
    zh_again = Client().get(site_tree.zh.home.get_url(), HTTP_ACCEPT_LANGUAGE="en")

    assert zh["Content-Language"] == zh_again["Content-Language"] == "zh-hans"
    assert en["Content-Language"] == "en"
    assert zh_again.content == zh.content != en.content


def test_a_browser_with_the_page_gets_304_without_a_body(site_tree):
    url = site_tree.zh.home.get_url()
    stored = Client().get(url)  # rendered and stored
    cached = Client().get(url)  # from the cache

    for response in (stored, cached):
        again = Client().get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        assert again.content == b""
    since = Client().get(url, HTTP_IF_MODIFIED_SINCE=stored["Last-Modified"])
    assert since.status_code == 304
    stale = Client().get(url, HTTP_IF_NONE_MATCH='"not-this-one"')
    assert stale.status_code == 200 and stale.content == cached.content


def test_a_signed_in_editor_never_gets_nor_fills_the_cache(site_tree):
    url = site_tree.zh.home.get_url()
    editor = Client()
    editor.force_login(UserFactory(is_staff=True, is_superuser=True))

    as_editor = get(editor, url)
    visitor = get(Client(), url)

    assert as_editor.queries > 1 and "Cache-Control" not in as_editor
    assert b"wagtail-userbar" in as_editor.content
    assert visitor.queries > 1  # the editor's page was not stored
    assert b"wagtail-userbar" not in visitor.content
    assert get(editor, url).queries > 1  # nor is the visitor's served to the editor


def test_a_visitor_with_a_message_waiting_gets_the_page_rendered(site_tree):
    url = site_tree.zh.home.get_url()
    Client().get(url)
    visitor = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    response = HttpResponse()
    storage._store([Message(message_levels.SUCCESS, "订单已取消")], response)
    visitor.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value

    with_message = get(visitor, url)

    assert with_message.queries > 1


def test_a_page_with_a_password_form_is_never_stored(site_tree):
    news = site_tree.zh.news
    PageViewRestriction.objects.create(
        page=news, restriction_type=PageViewRestriction.PASSWORD, password="huagu"
    )

    first = get(Client(), news.get_url())
    second = get(Client(), news.get_url())

    assert first.status_code == second.status_code == 200
    assert b"csrfmiddlewaretoken" in second.content
    assert second.queries > 1
    assert "Cache-Control" not in second or "public" not in second["Cache-Control"]


def test_the_booking_page_is_not_cached_whole(site_tree):
    get(Client(), "/tickets/")
    again = get(Client(), "/tickets/")

    assert again.queries > 1
    assert "public" not in again.get("Cache-Control", "")


def refused(response, request=None) -> bool:
    request = request or RequestFactory().get("/")
    return not whole_page_cache.WholePageUpdateMiddleware._storable(request, response)


def test_what_the_cache_refuses_to_store():
    assert not refused(HttpResponse("ok"))
    with_cookie = HttpResponse("ok")
    with_cookie.set_cookie("csrftoken", "x")
    assert refused(with_cookie)
    assert refused(HttpResponse("gone", status=404))
    private = HttpResponse("ok")
    private["Cache-Control"] = "private"
    assert refused(private)
    csrf_used = RequestFactory().get("/")
    csrf_used.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    assert refused(HttpResponse("ok"), csrf_used)
    nonce_used = RequestFactory().get("/")
    nonce_used._csp_nonce = "abc"
    assert refused(HttpResponse("ok"), nonce_used)


def test_an_entry_outlives_no_change_of_day(site_tree, monkeypatch):
    """Today's hours and what is in bloom change at midnight: the key carries the date."""
    url = site_tree.zh.home.get_url()
    Client().get(url)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(whole_page_cache.timezone, "localdate", lambda: tomorrow)

    assert get(Client(), url).queries > 1
