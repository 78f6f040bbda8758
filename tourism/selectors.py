"""Reads for the public site."""

import re

from django.db.models import Q
from wagtail.models import Locale, Page

from .models import BasePage

# Chinese text has no spaces between words, so the full-text backends index a whole
# phrase as one token and a word inside it is never found; such queries also match
# by substring on the fields a visitor sees.
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MAX_RESULTS = 200
# The visitor's words reach the full-text backend as plain text, never as its query syntax:
# SQLite's FTS5 wraps each word in double quotes without escaping any inside it, so a word
# holding one is a syntax error there (a 500) rather than a search.
_FULL_TEXT_SYNTAX = str.maketrans({'"': " "})


def page_search(*, query: str, locale: Locale) -> list[Page]:
    """Live public pages in ``locale`` matching ``query``, best matches first."""
    pages = Page.objects.live().public().filter(locale=locale)
    words = query.translate(_FULL_TEXT_SYNTAX)
    found = list(pages.search(words)[:MAX_RESULTS]) if words.strip() else []
    if _CJK.search(query):
        seen = {page.pk for page in found}
        matching_ids = set(
            pages.filter(
                Q(title__icontains=query) | Q(search_description__icontains=query)
            ).values_list("pk", flat=True)
        )
        for model in _concrete_page_models():
            matching_ids.update(
                model.objects.filter(locale=locale, summary__icontains=query).values_list(
                    "pk", flat=True
                )
            )
        extra_ids = matching_ids - seen
        if extra_ids:
            found += list(pages.filter(pk__in=extra_ids).order_by("path").specific())
    return [page.specific for page in found[:MAX_RESULTS]]


def _concrete_page_models():
    return [m for m in BasePage.__subclasses__() if not m._meta.abstract]
