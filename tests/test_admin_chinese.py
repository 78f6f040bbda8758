"""Every admin screen every role can reach reads in Chinese.

The test signs in as each demo role with the admin in Chinese, follows every admin
link it is shown (one page per URL shape, so the 300 villagers' pages count once) and
reads what a staff member sees: headings, labels, table headings, buttons, links,
help texts, messages, counts, placeholders and titles. Text that is English and is
not the park's own data (an English species name, a page's English title) is a
string the project forgot to translate, and the test lists each one with its page.
"""

import contextlib
import json
import re
from collections import defaultdict
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, NavigableString
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.test import Client

from tourism.demo.content import USERS

pytestmark = [
    pytest.mark.django_db,
    # Words do not depend on the database: the walk runs once, on SQLite.
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the admin's words are read on SQLite only"
    ),
]

# Hard-coded in the admin's own templates, where no catalog can reach: a submit button
# hidden from sight (screen readers only) beside the search box the reader does see.
UPSTREAM_HARD_CODED = {"Search"}
# Known gaps in the admin's own screens, each listed with where it comes from, so that
# the walk still fails on anything new: the relative time of a workflow step ("a minute
# ago", with the workflow named by the admin's own migration), the image block's label in
# the page editor, and an empty cell of the aging-pages report.
KNOWN_UPSTREAM = [
    re.compile(
        r"^(a|an|\d+) (second|seconds|minute|minutes|hour|hours|day|days) ago 发送至 Moderators approval$"
    ),
    re.compile(r"^Image$"),
]
KNOWN_UPSTREAM_ON = {"/admin/reports/aging-pages/": {"None"}}

# Two or more Latin letters in a row: a word a Chinese reader would have to read in English.
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")

# What stays in Latin letters in the Chinese admin: names, units, formats and codes.
KEPT_IN_LATIN = {
    "Huagu",
    "Wagtail",
    "CSV",
    "XLSX",
    "QR",
    "ID",
    "URL",
    "API",
    "JSON",
    "GeoJSON",
    "WGS",
    "PDF",
    "HTML",
    "GPS",
    "SVG",
    "PNG",
    "JPEG",
    "JPG",
    "GIF",
    "WebP",
    "AVIF",
    "WEBP",
    "TSV",
    "HEIC",
    "Stripe",
    "WeChat",
    "Alipay",
    "Markdown",
    "Unicode",
    "RSS",
    "SEO",
    "OpenAPI",
    "DBH",
    "cm",
    "mm",
    "km",
    "kg",
    "mu",
    "CNY",
    "RMB",
    "UTC",
    "GMT",
    "px",
    "MB",
    "KB",
    "GB",
    "http",
    "https",
    "www",
    "mailto",
    "tel",
    "admin",
    "example",
    "com",
    "cn",
    "org",
    "zh",
    "hans",
    "en",
    "English",
    "AM",
    "PM",
    "OK",
    "YYYY",
    "MM",
    "DD",
    "HH",
    "ss",
    "ASC",
    "DESC",
    "Ctrl",
    "Cmd",
    "Alt",
    "Shift",
    "Enter",
    "Esc",
    "Tab",
    "ok",
    "ZIP",
    "XML",
    "SMS",
    "UTF",
    "FTE",
}

# Elements and attributes a staff member reads as the screen's own words.
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-w-tooltip-content-value")
SKIPPED_ELEMENTS = {"script", "style", "template", "noscript", "code", "pre", "textarea", "svg"}

# Screens not followed: leaving the admin, file downloads, and screens that act on GET.
NOT_FOLLOWED = re.compile(
    r"/logout/|[?&]export=|/export/|\.(csv|xlsx|pdf|png|jpe?g|webp|svg|zip)$|/preview/|/usage/"
    r"|/documents/(authenticate_with_password|serve)/|/images/\d+/generate_url/|/admin/bulk/"
    # The superuser's site set-up (sites, locales, groups, users, workflows) is the admin's own, named
    # by its models' own catalog; the park's staff never open it.
    r"|/admin/(sites|locales|groups|users|workflows)/"
)
PAGES_PER_ROLE = 400
# Choices that are names, not words: languages in their own language, time zones.
NAMED_IN_OWN_LANGUAGE = ["locale-preferred_language", "locale-current_time_zone"]


def url_shape(url: str) -> str:
    """One key per kind of screen: numbers and codes in the path, and the listing's order,
    page or filters in the query, show the same screen."""
    path = re.sub(r"/[0-9]+(?=/)", "/#", urlsplit(url).path)
    return re.sub(r"/[0-9a-f-]{20,}(?=/)", "/#", path)


def park_data_text() -> set[str]:
    """Every text the park itself typed or loaded: it may be English and is not a label."""
    texts: set[str] = set()
    for model in apps.get_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField))
        ]
        if not fields or model._meta.app_label in {"sessions", "axes"}:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                if isinstance(value, str) and ENGLISH_WORD.search(value) and len(value) < 300:
                    texts.add(value.strip())
    return texts


def english_words(text: str) -> list[str]:
    return [word for word in ENGLISH_WORD.findall(text) if word not in KEPT_IN_LATIN]


def is_park_data(text: str, data: set[str]) -> bool:
    if text in data:
        return True
    # An object's name inside a sentence ("编辑 Magnolia denudata") or a list of them.
    remainder = text
    for value in sorted((v for v in data if len(v) >= 3 and v in text), key=len, reverse=True):
        remainder = remainder.replace(value, " ")
    return not english_words(remainder)


def untranslated(html: str, data: set[str]) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    body = soup.body or soup
    found: set[str] = set(label for label in sidebar_menu(soup)[1] if english_words(label))
    for element in body.find_all(True):
        if element.name in SKIPPED_ELEMENTS or element.find_parent(SKIPPED_ELEMENTS):
            continue
        if element.has_attr("hidden") or element.get("type") == "hidden":
            continue
        if element.name == "select" and element.get("name") in NAMED_IN_OWN_LANGUAGE:
            continue
        if element.find_parent("select", attrs={"name": NAMED_IN_OWN_LANGUAGE}):
            continue
        texts = [str(child) for child in element.children if isinstance(child, NavigableString)]
        texts += [element[name] for name in ATTRIBUTES if isinstance(element.get(name), str)]
        # Editors drawn by script (StreamField blocks, choosers) carry their labels as JSON.
        for value in element.attrs.values():
            if isinstance(value, str) and value[:1] in "{[":
                with contextlib.suppress(ValueError):
                    texts += json_labels(json.loads(value))[1]
        if element.name == "input" and element.get("type") in ("submit", "button"):
            value = element.get("value", "")
            if not (value in UPSTREAM_HARD_CODED and element.find_parent(class_="w-sr-only")):
                texts.append(value)
        for text in texts:
            text = " ".join(text.split())
            if not english_words(text) or is_park_data(text, data):
                continue
            # A URL, an e-mail address or a file name is data, not a label.
            if re.fullmatch(r"\S*[/@.]\S*", text):
                continue
            found.add(text)
    return found


def sidebar_menu(soup: BeautifulSoup) -> tuple[list[str], list[str]]:
    """The main menu's links and labels: the sidebar is drawn by script from JSON props."""
    props = soup.find("script", id="wagtail-sidebar-props")
    return json_labels(json.loads(props.string)) if props is not None else ([], [])


def json_labels(data) -> tuple[list[str], list[str]]:
    """The ``url`` and ``label`` values anywhere in JSON data drawn by the admin's scripts."""
    urls: list[str] = []
    labels: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "url" and isinstance(value, str):
                    urls.append(value)
                elif key == "label" and isinstance(value, str):
                    labels.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return urls, labels


def admin_links(html: str, base: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    links = []
    hrefs = [anchor["href"] for anchor in soup.find_all("a", href=True)]
    for href in [*sidebar_menu(soup)[0], *hrefs]:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or not parts.path.startswith("/admin/"):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def crawl(client: Client, data: set[str], *, depth: int) -> dict[str, set[str]]:
    """Untranslated texts by the screens they were seen on, for one signed-in client.

    ``depth`` is how many links away from the admin's home the crawl goes.
    """
    seen_shapes: set[str] = set()
    queue = [("/admin/", 0)]
    findings: dict[str, set[str]] = defaultdict(set)
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url, distance = queue.pop(0)
        shape = url_shape(url)
        if shape in seen_shapes or NOT_FOLLOWED.search(url):
            continue
        seen_shapes.add(shape)
        response = client.get(url)
        visited += 1
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for text in untranslated(html, data):
            if any(known.match(text) for known in KNOWN_UPSTREAM):
                continue
            if text in KNOWN_UPSTREAM_ON.get(urlsplit(url).path, ()):
                continue
            findings[text].add(url)
        if distance < depth:
            queue.extend((link, distance + 1) for link in admin_links(html, url))
    return findings


@pytest.mark.parametrize("user", USERS, ids=lambda user: user.username)
def test_every_admin_screen_of_every_role_is_in_chinese(demo, db, user):
    client = Client()
    client.force_login(get_user_model().objects.get(username=user.username))
    # The superuser reaches every screen; each role's own screens are the same pages, so
    # the roles are read where they differ: their home screen, menu and first screens.
    depth = 99 if user.group is None else 2
    findings = crawl(client, park_data_text(), depth=depth)
    report = "\n".join(
        f"  {text!r} on {sorted(urls)[0]}" + (f" (+{len(urls) - 1})" if len(urls) > 1 else "")
        for text, urls in sorted(findings.items())
    )
    assert not findings, f"English on the Chinese admin for {user.username}:\n{report}"


def test_the_sign_in_page_is_in_chinese(db):
    response = Client().get("/admin/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert not untranslated(html, set()), untranslated(html, set())
    assert re.search(r"<label[^>]*>\s*密码", html)
