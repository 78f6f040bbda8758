"""Template helpers for the public site: bilingual fields, menus, language links, JSON-LD,
the heading levels of a StreamField body."""

import json

from django import template
from django.urls import translate_url
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Page

from tourism.models import home_for_language, localized_text
from tourism.page_cache import page_cache_get_or_set

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


@register.filter
def with_heading_levels(body) -> list[tuple]:
    """The body's blocks, each with the heading tag it renders (``"h2"``, ``"h3"`` or ``None``).

    The page's title is its only h1, so the body's headings start at h2 and never skip a
    level: an editor's sub-heading with no section heading before it is shown as a section
    heading, and a fact list's title is a level below the section it stands in.
    """
    levels, in_section = [], False
    for block in body:
        tag = None
        if block.block_type == "heading":
            tag = "h3" if block.value.get("size") == "h3" and in_section else "h2"
            in_section = True
        elif block.block_type == "facts":
            tag = "h3" if in_section else "h2"
        levels.append((block, tag))
    return levels


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
    return _home(context.get("request"), get_language())


def _home(request, language_code: str):
    """The live home page in ``language_code``, remembered for the request and in the page cache."""
    if request is None:
        return home_for_language(language_code)
    homes = request.__dict__.setdefault("_huagu_homes", {})
    if language_code not in homes:
        homes[language_code] = page_cache_get_or_set(
            request=request,
            key=f"home:{language_code}",
            compute=lambda: home_for_language(language_code),
        )
    return homes[language_code]


@register.inclusion_tag("tourism/includes/main_menu.html", takes_context=True)
def main_menu(context):
    request = context.get("request")
    home = site_home(context)
    current = context.get("page")
    current_path = current.path if isinstance(current, Page) else ""
    pages = []
    if home:
        pages = page_cache_get_or_set(
            request=request,
            key=f"menu:{home.pk}",
            compute=lambda: list(home.get_children().live().in_menu().order_by("path")),
        )
    return {
        "request": request,
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
    remembered = getattr(request, "_huagu_language_links", None)
    if remembered is not None and remembered[0] is page:
        return remembered[1]
    active = get_language()
    translations = {}
    if isinstance(page, Page):
        translations = page_cache_get_or_set(
            request=request,
            key=f"translations:{page.pk}",
            compute=lambda: {
                translation.locale.language_code: translation
                for translation in page.get_translations(inclusive=True)
                .live()
                .select_related("locale")
            },
        )
    links = []
    for code, name in (("zh-hans", "中文"), ("en", "English")):
        if isinstance(page, Page):
            target = translations.get(code) or _home(request, code)
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
    if request is not None:
        # The head's alternates and the header's switcher both ask.
        request._huagu_language_links = (page, links)
    return links


@register.tag
def page_fragment(parser, token):
    """``{% page_fragment "name" %}…{% endpage_fragment %}``: render once, then serve from the page cache.

    Keyed by the name, the page, the language and today's date, and dropped with the rest
    of the page cache when anything the public pages show changes. For parts that hold
    nothing per visitor. Previews and requests without a page render it every time.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the fragment's name")
    nodelist = parser.parse(("endpage_fragment",))
    parser.delete_first_token()
    return PageFragmentNode(nodelist, parser.compile_filter(bits[1]))


class PageFragmentNode(template.Node):
    def __init__(self, nodelist, name, *, site_wide: bool = False, variant=None):
        self.nodelist = nodelist
        self.name = name
        self.site_wide = site_wide
        self.variant = variant

    def render(self, context):
        request = context.get("request")
        page = context.get("page")
        if (
            request is None
            or getattr(request, "is_preview", False)
            or not (self.site_wide or isinstance(page, Page))
        ):
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        owner = f"site:{self.variant.resolve(context)!s}" if self.site_wide else page.pk
        today = timezone.localdate().isoformat()
        key = f"fragment:{name}:{owner}:{get_language()}:{today}"
        return page_cache_get_or_set(
            request=request, key=key, compute=lambda: self.nodelist.render(context)
        )


@register.tag
def site_fragment(parser, token):
    """``{% site_fragment "name" variant %}…{% endsite_fragment %}``: ``page_fragment`` for a part
    every page shows alike (the footer), whatever page or view draws it.

    Keyed by the name, the variant (a value that changes what the part shows, or ``None``),
    the language and today's date; dropped with the rest of the page cache.
    """
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes two arguments: a name and a variant")
    nodelist = parser.parse(("endsite_fragment",))
    parser.delete_first_token()
    return PageFragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        site_wide=True,
        variant=parser.compile_filter(bits[2]),
    )
