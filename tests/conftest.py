"""Fixtures shared by the whole suite: a throwaway MEDIA_ROOT, a small bilingual site, the demo park."""

import datetime
import io
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.core.management import call_command, get_commands
from django.db import transaction
from django.dispatch import receiver
from django.test import override_settings
from django.test.signals import setting_changed
from django.urls import clear_url_caches
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site

from nursery.models import Zone
from tourism.models import (
    AttractionGalleryImage,
    AttractionIndexPage,
    AttractionPage,
    BloomCalendarPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    OpeningHours,
    SiteSettings,
    TicketType,
    VisitInfoPage,
)


def pytest_configure(config):
    config.addinivalue_line("markers", "demo: needs the demo park built by `manage.py load_demo`")
    # Tests serve static files from the finders; collectstatic's directory need not exist.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


# --- a test database cloned from a migrated template (tests/db_template.py) ----------


@receiver(setting_changed)
def language_prefixes_follow_the_default_language(*, setting, **kwargs):
    """The URL resolver keeps each language's prefix once computed, and the default language
    has none: a test that changes ``LANGUAGE_CODE`` would leave "/en/" reversing to "/" for
    every test after it. Forget the prefixes whenever the default changes or is restored."""
    if setting == "LANGUAGE_CODE":
        clear_url_caches()


@pytest.fixture(scope="session")
def django_db_keepdb(request):
    """Reuse the test database with ``--reuse-db``, or when it is a clone of a template."""
    return bool(os.environ.get("HUAGU_TEST_DB_TEMPLATE")) or request.config.getvalue("reuse_db")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """With ``HUAGU_TEST_DB_TEMPLATE`` set (tests/run_browser_tests.py sets it), the session's
    test database is a fresh clone of that migrated template, dropped at the session's end."""
    template = os.environ.get("HUAGU_TEST_DB_TEMPLATE")
    if not template:
        yield
        return
    from tests import db_template

    with django_db_blocker.unblock():
        clone = db_template.clone(template)
    yield
    with django_db_blocker.unblock():
        db_template.drop_clone(clone)


@pytest.fixture(scope="session")
def wechat_merchant_key():
    """The merchant's WeChat Pay API key, generated once for the run."""
    from tests.tickets.fake_wechat_pay import merchant_key_pair

    return merchant_key_pair()


@pytest.fixture
def fake_wechat_pay(settings, wechat_merchant_key):
    """A running fake WeChat Pay on loopback, every WeChat Pay setting pointing at it."""
    from tests.tickets.fake_wechat_pay import FakeWeChatPay, configure, public_pem

    fake = FakeWeChatPay(merchant_public_key_pem=public_pem(wechat_merchant_key)).start()
    configure(settings, fake, wechat_merchant_key)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def alipay_app_key():
    """The park's Alipay app key, generated once for the run."""
    from tests.tickets.fake_wechat_pay import merchant_key_pair

    return merchant_key_pair()


@pytest.fixture
def fake_alipay(settings, alipay_app_key):
    """A running fake Alipay gateway on loopback, every Alipay setting pointing at it."""
    from tests.tickets.fake_alipay import FakeAlipay, configure
    from tests.tickets.fake_wechat_pay import public_pem

    fake = FakeAlipay(app_public_key_pem=public_pem(alipay_app_key)).start()
    configure(settings, fake, alipay_app_key)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    """The MEDIA_ROOT of a module's demo park, shared by the tests that use it."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def media_root(request, settings, tmp_path):
    """Uploaded images and their renditions go to a temporary directory, never to media/."""
    if "demo" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("demo_media")
    else:
        settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Wagtail caches site root paths; a test must not see another test's pages through them."""
    cache.clear()
    yield
    cache.clear()


def image_file(name: str, size=(1200, 800), colour=(214, 92, 140)) -> ImageFile:
    """A JPEG drawn in memory with Pillow: a coloured field with a lighter band across it."""
    picture = PILImage.new("RGB", size, colour)
    band = PILImage.new("RGB", (size[0], size[1] // 4), tuple(min(255, c + 60) for c in colour))
    picture.paste(band, (0, size[1] // 2))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    buffer.seek(0)
    return ImageFile(buffer, name=name)


@pytest.fixture
def make_image(db):
    """Create a Wagtail image: ``make_image("玫瑰园", name="roses.jpg")``."""

    def make(title: str, *, name: str = "picture.jpg", size=(1200, 800), colour=(214, 92, 140)):
        return get_image_model().objects.create(
            title=title, file=image_file(name, size=size, colour=colour)
        )

    return make


def add_published(parent: Page, page: Page) -> Page:
    """Add ``page`` under ``parent`` and publish it through a revision, as an editor would."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def add_page(db):
    """``add_page(parent, page)``: add a page and publish it through a revision."""
    return add_published


def publish_translation(page: Page, locale: Locale, **fields) -> Page:
    """Copy ``page`` into ``locale``, set the translated fields and publish the copy."""
    translation = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save()
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation


def body_blocks(image) -> list[dict]:
    """A StreamField body that uses every kind of block the public pages render."""
    return [
        {"type": "heading", "value": {"text": "花开四季", "size": "h2"}},
        {"type": "paragraph", "value": "<p>沿着<b>花海步道</b>慢慢走，约需四十分钟。</p>"},
        {
            "type": "figure",
            "value": {
                "image": {"image": image.pk, "alt_text": "盛开的花田", "decorative": False},
                "caption": "春天的花海",
            },
        },
        {
            "type": "quote",
            "value": {"text": "花开的时候，整个山谷都是香的。", "attribution": "花农"},
        },
        {
            "type": "facts",
            "value": {
                "title": "小贴士",
                "facts": [
                    {"label": "最佳时间", "value": "四月到六月"},
                    {"label": "步行", "value": "四十分钟"},
                ],
            },
        },
    ]


@pytest.fixture
def locales(db):
    zh, _ = Locale.objects.get_or_create(language_code="zh-hans")
    en, _ = Locale.objects.get_or_create(language_code="en")
    return SimpleNamespace(zh=zh, en=en)


@pytest.fixture
def home_page(locales, make_image):
    """The Chinese home page under the tree root, made the default site's root.

    Wagtail's first migration leaves a "Welcome" page under the root as the site's
    root; it is removed once the site points at the park's home page.
    """
    root = Page.get_first_root_node()
    home = add_published(
        root,
        HomePage(
            title="大地花谷",
            slug="huagu",
            locale=locales.zh,
            hero_heading="四季花海，一年都有花",
            hero_text="广安大龙镇自力村，三千亩花木基地",
            summary="广安大地花谷：四季花海与两百棵名木。",
            listing_image=make_image("花海全景", name="hero.jpg", size=(1600, 900)),
            intro="<p>欢迎来到<b>大地花谷</b>。</p>",
        ),
    )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(hostname="localhost", port=80, is_default_site=True)
    site.root_page = home
    site.site_name = "大地花谷"
    site.save()
    for page in root.get_children().not_type(HomePage):
        page.delete()
    return home


def add_attraction(index: AttractionIndexPage, *, title: str, slug: str, months, image, **fields):
    return add_published(
        index,
        AttractionPage(
            title=title,
            slug=slug,
            summary=fields.pop("summary", f"{title}：花谷的一处景点。"),
            bloom_months=list(months),
            listing_image=image,
            **fields,
        ),
    )


@pytest.fixture
def site_tree(locales, home_page, make_image):
    """A small bilingual park: every page type once or more, in Chinese and in English.

    Returns ``zh`` and ``en`` namespaces of pages (home, attraction_index, attractions,
    attraction, bloom_calendar, news_index, news, visit) and the images used.
    """
    zone = Zone.objects.create(
        code="A1", name="玫瑰园区", name_en="Rose zone", area_mu=12, use="display_garden"
    )
    images = [
        make_image(f"花图{n}", name=f"flower-{n}.jpg", colour=(180 + 10 * n, 60 + 20 * n, 120))
        for n in range(4)
    ]
    settings_ = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings_.phone = "0826-0000000"
    settings_.address = "四川省广安市广安区大龙镇自力村"
    settings_.address_en = "Zili village, Dalong town, Guang'an, Sichuan"
    settings_.latitude, settings_.longitude = 30.4, 106.6
    settings_.save()
    for weekday in range(7):
        OpeningHours.objects.create(
            settings=settings_,
            weekday=weekday,
            opens=datetime.time(8, 30),
            closes=datetime.time(18, 0),
        )
    TicketType.objects.create(name="成人票", name_en="Adult", audience="adult", price=60)
    TicketType.objects.create(name="儿童票", name_en="Child", audience="child", price=30)
    TicketType.objects.create(name="免票", name_en="Free", audience="free", price=0)

    home = home_page
    index = add_published(
        home, AttractionIndexPage(title="景点", slug="attractions", summary="花谷里的景点。")
    )
    this_month = timezone.localdate().month
    attractions = [
        add_attraction(
            index,
            title="玫瑰园",
            slug="roses",
            months=[4, 5, 6, 9, 10],
            image=images[0],
            featured=True,
            zone=zone,
            accessibility="园路平坦，轮椅可达。",
            body=body_blocks(images[1]),
            gallery_images=[
                AttractionGalleryImage(image=images[2], caption="初夏的玫瑰"),
                AttractionGalleryImage(image=images[3], caption=""),
            ],
        ),
        add_attraction(
            index, title="三角梅长廊", slug="bougainvillea", months=range(3, 12), image=images[1]
        ),
        add_attraction(
            index,
            title="四季花海",
            slug="flower-sea",
            months=range(1, 13),
            image=images[2],
            featured=True,
        ),
        add_attraction(
            index, title="名木园", slug="specimen-trees", months=[this_month], image=images[3]
        ),
    ]
    calendar = add_published(
        home, BloomCalendarPage(title="花期日历", slug="bloom-calendar", summary="每月花期一览。")
    )
    news_index = add_published(home, NewsIndexPage(title="新闻", slug="news", summary="花谷新闻。"))
    news = add_published(
        news_index,
        NewsPage(
            title="两百棵名木移栽入园",
            slug="200-trees",
            date=datetime.date(2020, 12, 15),
            summary="2020年12月，两百棵珍稀树木移栽进四季花海园。",
            listing_image=images[0],
            body=body_blocks(images[2]),
        ),
    )
    visit = add_published(
        home,
        VisitInfoPage(
            title="游览信息",
            slug="visit",
            summary="开放时间、门票与交通。",
            directions="<p>从广安城区驾车约三十分钟。</p>",
        ),
    )
    zh = SimpleNamespace(
        home=home,
        attraction_index=index,
        attractions=attractions,
        attraction=attractions[0],
        bloom_calendar=calendar,
        news_index=news_index,
        news=news,
        visit=visit,
    )

    en_titles = {
        home.pk: {"title": "Dadi Flower Valley", "hero_heading": "Flowers in every season"},
        index.pk: {"title": "Attractions"},
        calendar.pk: {"title": "Bloom calendar"},
        news_index.pk: {"title": "News"},
        news.pk: {"title": "200 specimen trees planted", "summary": "In December 2020 ..."},
        visit.pk: {"title": "Visit"},
        attractions[0].pk: {"title": "Rose garden", "summary": "Roses from April to October."},
        attractions[1].pk: {"title": "Bougainvillea walk"},
        attractions[2].pk: {"title": "Four-seasons flower sea"},
        attractions[3].pk: {"title": "Specimen-tree garden"},
    }
    # Parents first, so every copy lands under its translated parent rather than an alias.
    translated = {
        page.pk: publish_translation(page, locales.en, **en_titles[page.pk])
        for page in [home, index, calendar, news_index, visit, *attractions, news]
    }
    en = SimpleNamespace(
        home=translated[home.pk],
        attraction_index=translated[index.pk],
        attractions=[translated[a.pk] for a in attractions],
        attraction=translated[attractions[0].pk],
        bloom_calendar=translated[calendar.pk],
        news_index=translated[news_index.pk],
        news=translated[news.pk],
        visit=translated[visit.pk],
    )
    cache.clear()
    return SimpleNamespace(zh=zh, en=en, images=images, zone=zone, locales=locales)


def require_load_demo() -> None:
    """Fail, naming what is missing, when the demo loader has not been written."""
    if "load_demo" not in get_commands():
        pytest.fail(
            "the `load_demo` management command does not exist "
            "(expected at tourism/management/commands/load_demo.py)",
            pytrace=False,
        )


@pytest.fixture
def load_demo_command():
    """``load_demo_command(*args, **options)`` runs ``manage.py load_demo``."""
    require_load_demo()
    return lambda *args, **kwargs: call_command("load_demo", *args, **kwargs)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_media):
    """The demo park, built once per module by ``manage.py load_demo`` and rolled back after it.

    Loading takes a while, so each module builds it once inside a transaction; each test
    that also asks for ``db`` runs in a savepoint within it, and the module's end rolls
    the whole park back. ``output`` is what the command printed.
    """
    require_load_demo()
    with override_settings(MEDIA_ROOT=demo_media):
        with django_db_blocker.unblock():
            park_transaction = transaction.atomic()
            park_transaction.__enter__()
            try:
                cache.clear()
                output = io.StringIO()
                call_command("load_demo", stdout=output, verbosity=1)
                cache.clear()
                park = SimpleNamespace(
                    site=Site.objects.get(is_default_site=True), output=output.getvalue()
                )
            except BaseException:
                park_transaction.__exit__(*sys.exc_info())
                raise
        try:
            yield park
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                park_transaction.__exit__(None, None, None)
    cache.clear()


# --- the browser ------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the whole run: its synchronous API allows only one per thread."""
    if not CHROMIUM.exists():
        pytest.skip("install Debian's chromium (apt-get install chromium) to run browser tests")
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # every database query made from it (the live server's data setup, the test's own queries).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright):
    """Debian's Chromium, headless."""
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


# --- the Content-Security-Policy in the browser ---------------------------------------

# Run in every page before its own scripts (through the browser's debugging protocol, which
# the page's policy does not govern): violations the console might word differently are
# written to it in one form.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} blocked `
    + `${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber} on ${document.location.pathname}`);
});
"""


class CSPWatch:
    """Collects what the browser refused under the page's policies, and pages served without one."""

    def __init__(self):
        self.violations: list[str] = []
        self.pages_without_policy: list[str] = []
        # Origins not the site's own (a payment provider's fake cashier): their pages are
        # theirs to protect, so a page there without a policy is not the site's failure.
        self.elsewhere: list[str] = []

    def watch(self, context):
        """Watch every page of a Playwright browser context; returns the context."""
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        context.on("response", self._response)
        return context

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Permissions policy violation" in text:
            self.violations.append(f"{message.type}: {text}")

    def _response(self, response) -> None:
        document = response.request.resource_type == "document" and response.status == 200
        outside = any(response.url.startswith(f"{origin}/") for origin in self.elsewhere)
        if document and not outside and "content-security-policy" not in response.headers:
            self.pages_without_policy.append(response.url)

    def assert_clean(self) -> None:
        assert self.violations == [], "the browser reported policy violations:\n" + "\n".join(
            dict.fromkeys(self.violations)
        )
        assert self.pages_without_policy == [], "pages were served without a policy"


@pytest.fixture
def csp_watch():
    """``csp_watch.watch(context)``: the test fails on any CSP violation in that context's pages."""
    watch = CSPWatch()
    yield watch
    watch.assert_clean()
