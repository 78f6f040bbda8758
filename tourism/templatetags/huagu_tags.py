"""Template helpers for the public site: bilingual fields, menus, language links, JSON-LD."""

import json

from django import template
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Page

from tourism.models import home_for_language, localized_text

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def tr(obj, field: str) -> str:
    """``{{ obj|tr:"name" }}``: the English variant of a field on /en/, the Chinese one otherwise."""
    if obj is None:
        return ""
    return localized_text(obj, field)


@register.filter
def jsonld(data) -> str:
    """Render a dict as a schema.org JSON-LD script, escaped so it cannot close the tag."""
    if not data:
        return ""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    """``url`` with the scheme and host the visitor used."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


@register.simple_tag(takes_context=True)
def structured_data(context):
    """The current page's schema.org JSON-LD, when its type defines any."""
    page = context.get("page")
    method = getattr(page, "structured_data", None)
    if method is None:
        return ""
    return jsonld(method(context["request"]))


@register.simple_tag(takes_context=True)
def site_home(context):
    """The home page in the visitor's language, fetched once per request."""
    request = context.get("request")
    cached = getattr(request, "_huagu_home", None)
    if cached is None:
        cached = home_for_language()
        if request is not None:
            request._huagu_home = cached
    return cached


@register.inclusion_tag("tourism/includes/main_menu.html", takes_context=True)
def main_menu(context):
    home = site_home(context)
    current = context.get("page")
    current_path = current.path if isinstance(current, Page) else ""
    pages = home.get_children().live().in_menu().order_by("path") if home else []
    return {
        "request": context.get("request"),
        "items": [
            {
                "page": item,
                "current": item.path == current_path,
                "within": bool(current_path) and current_path.startswith(item.path),
            }
            for item in pages
        ],
    }


@register.simple_tag(takes_context=True)
def language_links(context):
    """One link per site language to this page in that language (its translation, or that home)."""
    request = context.get("request")
    page = context.get("page")
    active = get_language()
    links = []
    translations = {}
    if isinstance(page, Page):
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translation.locale.language_code] = translation
    for code, name in (("zh-hans", "中文"), ("en", "English")):
        if isinstance(page, Page):
            target = translations.get(code) or home_for_language(code)
            url = target.get_url(request) if target else "/"
        else:
            url = translate_url(request.get_full_path(), code) if request else "/"
        links.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "absolute_url": request.build_absolute_uri(url) if request else url,
                "active": code == active,
            }
        )
    return links
