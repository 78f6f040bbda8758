"""Requests refused before any view sees them."""

import re

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# C0 and C1 control characters and DEL (Unicode category Cc). No address or search on the
# site needs them, and NUL in particular is refused by PostgreSQL in any text it is asked to
# compare, so a lookup by such a path segment or query value would fail with a 500.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

API_PREFIX = "/api/"


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


class RefuseControlCharactersMiddleware:
    """Refuse a request whose path or query string holds control characters.

    One guard for every view, page route and lookup behind it, before a view or the
    database sees the text: such a path names nothing on the site (404, the usual page or
    the API's JSON), such a query string is malformed (400, a page or JSON).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request.path_info):
            raise Http404("control characters in the path")
        if any(
            has_control_characters(key) or any(has_control_characters(v) for v in values)
            for key, values in request.GET.lists()
        ):
            return bad_query_string(request)
        return self.get_response(request)


def bad_query_string(request):
    message = _("This address holds characters that web addresses cannot contain.")
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
