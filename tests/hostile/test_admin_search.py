"""Staff screens fed hostile search and filter values: every listing answers, none 500s."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.hostile.hostile_inputs import MALFORMED_DATES, NUMBERS

SEARCHES = ['"', '"花谷', "'", "a AND", "(", "*", "OR", "-", "花" * 300, "%", "\\", "~"]


def _listings(patterns=None, prefix=""):
    """Every admin address without parameters whose view takes a search (``?q=``)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _listings(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and not pattern.pattern.regex.groups:
            view_class = getattr(pattern.callback, "view_class", None)
            address = "/" + prefix + str(pattern.pattern)
            searches = pattern.callback.__dict__.get("view_initkwargs", {}).get(
                "search_fields", getattr(view_class, "search_fields", None)
            )
            if address.startswith("/admin/") and searches:
                yield address


@pytest.fixture
def superuser_client(db):
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.create_superuser("root", "root@huagu.example", "x"))
    return client


def test_admin_listings_are_found():
    assert {"/admin/workforce/villagers/", "/admin/nursery/species/"} <= set(_listings())


@pytest.mark.parametrize("address", sorted(set(_listings())))
def test_admin_search_answers_hostile_text_without_a_server_error(superuser_client, address):
    for text in SEARCHES:
        response = superuser_client.get(address, {"q": text})
        assert response.status_code < 500, (address, text)


def test_admin_page_search_answers_hostile_text(superuser_client):
    for text in SEARCHES:
        response = superuser_client.get("/admin/pages/search/", {"q": text})
        assert response.status_code < 500, text


@pytest.mark.parametrize("address", ["/admin/reports/visitors/", "/admin/reports/nursery-stock/"])
def test_admin_report_filters_answer_malformed_dates(superuser_client, address):
    for value in [*MALFORMED_DATES, *NUMBERS]:
        response = superuser_client.get(address, {"date_from": value, "date_to": value})
        assert response.status_code < 500, (address, value)
