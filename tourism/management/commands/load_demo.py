"""``manage.py load_demo``: build the demo park, in Chinese and English, in one transaction.

The data and texts live in ``tourism/demo/content.py`` and the pictures are drawn by
``tourism/demo/images.py``; this module only puts them into the database.

Running it again changes nothing: every row is looked up by a natural key first (a
page by its parent and slug, or by its translation key and locale; an image by its
title, then by its file hash; a zone by its code; a user by username) and only
created when missing. Rows that already exist are left as they are, so an editor's
changes to the demo content survive a second run.
"""

import hashlib
import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from functools import cache, partial
from io import BytesIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.coreutils import find_available_slug
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site

from core import history
from nursery.demo import ensure_nursery_demo
from nursery.models import Zone
from tourism.demo import content
from tourism.demo.content import LANGUAGES, Bi, PageData, Picture
from tourism.demo.geography import PLAN_ALT, PLAN_TITLE, draw_park_plan, ensure_park_geography
from tourism.demo.groups import ensure_demo_groups
from tourism.demo.images import Scene, render, render_qr
from tourism.demo.moderation import ensure_page_awaiting_approval
from tourism.demo.partners import DEMO_PARTNER, ensure_demo_partner
from tourism.demo.tickets import ensure_ticket_sales
from tourism.demo.visitors import ensure_real_name_demo
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
from workforce.demo import ensure_workforce_demo

WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"


class Tally:
    """Counts, per kind of thing, how many the run created and how many were already there.

    For the site and the park settings, "created" also counts a row this run had to fill in.
    """

    def __init__(self):
        self.rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, kind: str, created: bool) -> None:
        self.rows[kind][0 if created else 1] += 1

    def lines(self) -> list[str]:
        lines = [f"{'':22}{'created':>9}{'present':>9}", "-" * 40]
        lines += [f"{kind:22}{made:>9}{found:>9}" for kind, (made, found) in self.rows.items()]
        return lines


class Command(BaseCommand):
    help = (
        "Load the demo park (pages in Chinese and English, pictures, zones, ticket types, park "
        "settings and one demo user per role). Safe to run again: existing rows are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when HUAGU_ENVIRONMENT is 'production'.",
        )

    def handle(self, *args, force: bool = False, verbosity: int = 1, **options):
        refuse_in_production(force=force)
        started = time.monotonic()
        tally = Tally()
        # The demo is one bulk write: its hundreds of rows are not logged one by one.
        with quiet_logging(enabled=verbosity < 2), transaction.atomic(), history.bulk_write():
            locales = {lang: ensure_locale(code, tally) for lang, code in LANGUAGES.items()}
            images = ensure_images(tally)
            zones = ensure_zones(tally)
            ensure_ticket_types(tally)
            homes = ensure_homes(locales, images, tally)
            site = ensure_default_site(homes["zh"], tally)
            ensure_sections(homes, images, zones, tally)
            ensure_site_settings(site, images, tally)
            users = ensure_users(tally)
            ensure_page_awaiting_approval(tally)
            ensure_ticket_sales(tally)
            demo_api_key = ensure_demo_partner(tally)
            ensure_demo_groups(tally)
            ensure_real_name_demo(tally)
            ensure_nursery_demo(tally)
            plan = ensure_image(PLAN_TITLE, PLAN_ALT, "demo-park-plan.png", draw_park_plan, tally)
            ensure_park_geography(plan_image=plan, tally=tally)
            ensure_workforce_demo(tally)

        if verbosity:
            self.stdout.write("\n".join(tally.lines()))
            self.stdout.write(f"Zones cover {zone_total_mu()} mu in all.")
            self.stdout.write("")
            self.stdout.write("\n".join(user_table(users)))
            self.stdout.write("")
            if demo_api_key:
                self.stdout.write(f"API key of {DEMO_PARTNER}: {demo_api_key}")
            else:
                self.stdout.write(
                    f"{DEMO_PARTNER} has its API key from an earlier run (shown once then); "
                    "issue another with: manage.py issue_api_key --label demo "
                    f"'{DEMO_PARTNER}'"
                )
            self.stdout.write(
                self.style.WARNING(
                    "These accounts, passwords and the API key are for demos only: never load "
                    "the demo on a server that faces the internet."
                )
            )
            self.stdout.write(
                self.style.SUCCESS(f"Demo park ready in {time.monotonic() - started:.1f} s.")
            )


@contextmanager
def quiet_logging(*, enabled: bool):
    """Silence INFO logs while loading: a line per page and per task would bury the summary."""
    loggers = [logging.getLogger(name) for name in ("wagtail", "django_tasks", "modelsearch")]
    levels = [logger.level for logger in loggers]
    if enabled:
        for logger in loggers:
            logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def refuse_in_production(*, force: bool) -> None:
    """Stop before touching anything when this is a production deployment and --force is absent."""
    if getattr(settings, "HUAGU_ENVIRONMENT", "") == "production" and not force:
        raise CommandError(
            "HUAGU_ENVIRONMENT is 'production': load_demo would add demo pages and demo users "
            "with published passwords. Run it with --force if you really mean to."
        )


# --- locales, pictures, zones, ticket types ------------------------------------------------


def ensure_locale(language_code: str, tally: Tally) -> Locale:
    """The Wagtail locale for ``language_code``; migrations create only the default one."""
    locale, created = Locale.objects.get_or_create(language_code=language_code)
    tally.add("locales", created)
    return locale


@cache
def all_pictures() -> dict[str, Picture]:
    """Every picture the pages use, by key, in a fixed order."""
    found = [picture for attraction in content.ATTRACTIONS for picture in attraction.pictures]
    found += [
        page.picture
        for page in (
            content.HOME,
            content.ATTRACTION_INDEX,
            content.BLOOM_CALENDAR,
            content.NEWS_INDEX,
            content.VISIT,
        )
    ]
    found += [news.picture for news in content.NEWS]
    return {picture.key: picture for picture in found}


def ensure_images(tally: Tally) -> dict:
    """The demo pictures as Wagtail images, keyed by picture key (plus "qr" for the QR code)."""
    images = {}
    for picture in all_pictures().values():
        scene = Scene(picture.key, picture.motif, picture.palette, picture.view)
        images[picture.key] = ensure_image(
            picture.title, picture.alt, f"demo-{picture.key}.jpg", partial(render, scene), tally
        )
    url = f"{settings.SITE_BASE_URL.rstrip('/')}/"
    images["qr"] = ensure_image(
        content.QR_TITLE, content.QR_ALT, "demo-site-qr.png", partial(render_qr, url), tally
    )
    return images


def ensure_image(title: str, alt: str, filename: str, draw, tally: Tally):
    """The image with this title or these bytes, drawing and saving it only if neither exists."""
    Image = get_image_model()
    # Looking up by title first saves drawing a picture that is already there.
    image = Image.objects.filter(title=title).order_by("pk").first()
    if image is None:
        data = draw()
        # Drawing is seeded, so identical bytes mean a picture made by an earlier run, renamed.
        file_hash = hashlib.sha1(data).hexdigest()  # the hash Wagtail itself stores
        image = Image.objects.filter(file_hash=file_hash).order_by("pk").first()
        if image is None:
            # Storage is not transactional: if the run fails later, this file stays behind
            # unreferenced; the next run saves a fresh copy under a new name.
            image = Image(
                title=title, description=alt, file=ImageFile(BytesIO(data), name=filename)
            )
            image.file_size = len(data)
            image.file_hash = file_hash
            image.save()
            tally.add("images", True)
            return image
    tally.add("images", False)
    return image


def ensure_zones(tally: Tally) -> dict[str, Zone]:
    """The demo zones by code; a zone whose code exists is kept as it is."""
    zones = {}
    for data in content.ZONES:
        zone, created = Zone.objects.get_or_create(
            code=data.code,
            defaults={
                "name": data.name.zh,
                "name_en": data.name.en,
                "area_mu": data.area_mu,
                "use": data.use,
            },
        )
        zones[data.code] = zone
        tally.add("zones", created)
    return zones


def zone_total_mu():
    """The area of all zones, demo or not, for the summary."""
    return sum(zone.area_mu for zone in Zone.objects.all())


def ensure_ticket_types(tally: Tally) -> None:
    """The four demo ticket types, keyed by audience and Chinese name."""
    for order, data in enumerate(content.TICKET_TYPES):
        _, created = TicketType.objects.get_or_create(
            audience=data.audience,
            name=data.name.zh,
            defaults={
                "name_en": data.name.en,
                "description": data.description.zh,
                "description_en": data.description.en,
                "price": data.price,
                "sort_order": order,
            },
        )
        tally.add("ticket types", created)


# --- pages ---------------------------------------------------------------------------------


def ensure_homes(locales: dict[str, Locale], images: dict, tally: Tally) -> dict[str, HomePage]:
    """The Chinese home page under Wagtail's root, and its English translation beside it."""
    root = Page.get_first_root_node()
    # Reuse a Chinese home page if there is one, preferring the one the default site serves.
    candidates = HomePage.objects.filter(depth=2, locale=locales["zh"]).order_by("path")
    site_root = Site.objects.filter(is_default_site=True).values_list("root_page", flat=True)
    zh_home = candidates.filter(pk__in=site_root).first() or candidates.first()
    if zh_home is None:
        remove_wagtail_welcome_page(root)
    homes = {}
    for lang in LANGUAGES:
        homes[lang] = ensure_page(
            HomePage,
            parent=root,
            data=content.HOME,
            lang=lang,
            locale=locales[lang],
            images=images,
            tally=tally,
            source=homes.get("zh"),
            existing=zh_home if lang == "zh" else None,
            # Slugs are unique among siblings whatever their language, as Wagtail does it.
            slug=find_available_slug(root, "home" if lang == "zh" else "home-en"),
        )
    return homes


def remove_wagtail_welcome_page(root: Page) -> None:
    """Delete the placeholder page Wagtail installs, if it is still there and untouched."""
    welcome = (
        Page.objects.child_of(root)
        .filter(
            title=WAGTAIL_WELCOME_TITLE,
            content_type__model="page",
            content_type__app_label="wagtailcore",
        )
        .first()
    )
    if welcome is None or welcome.get_children().exists():
        return
    # A site rooted at the page would be deleted with it (the foreign key cascades); park the
    # site on the root until ensure_default_site points it at the new home.
    Site.objects.filter(root_page=welcome).update(root_page=root)
    welcome.delete()


def ensure_default_site(zh_home: HomePage, tally: Tally) -> Site:
    """Point the default site at the Chinese home page; English is served at /en/ from it."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(hostname="localhost", port=80, is_default_site=True)
    changed = site.pk is None or (site.root_page_id, site.site_name) != (
        zh_home.pk,
        content.SITE_NAME,
    )
    if changed:
        site.root_page = zh_home
        site.site_name = content.SITE_NAME
        site.save()
    tally.add("sites", changed)
    return site


def ensure_sections(homes: dict[str, HomePage], images: dict, zones: dict, tally: Tally) -> None:
    """The pages under each home, Chinese first so each English page can take its original's key."""
    originals: dict[str, Page] = {}
    for lang, home in homes.items():
        ensure_section_pages(home, lang, originals, images, zones, tally)
        if lang == "zh":
            originals = {page.slug: page for page in home.get_descendants().specific()}


def ensure_section_pages(
    home: HomePage, lang: str, originals: dict[str, Page], images: dict, zones: dict, tally: Tally
) -> None:
    """Attractions, bloom calendar, news and visit information under one language's home."""
    common = {"lang": lang, "locale": home.locale, "images": images, "tally": tally}
    index = ensure_page(
        AttractionIndexPage,
        parent=home,
        data=content.ATTRACTION_INDEX,
        source=originals.get("attractions"),
        menu=True,
        **common,
    )
    for data in content.ATTRACTIONS:
        ensure_attraction(index, data, zones, source=originals.get(data.slug), **common)
    ensure_page(
        BloomCalendarPage,
        parent=home,
        data=content.BLOOM_CALENDAR,
        source=originals.get("bloom-calendar"),
        menu=True,
        **common,
    )
    news_index = ensure_page(
        NewsIndexPage,
        parent=home,
        data=content.NEWS_INDEX,
        source=originals.get("news"),
        menu=True,
        **common,
    )
    for news in content.NEWS:
        data = PageData(
            news.slug,
            news.title,
            news.summary,
            news.picture,
            fields={"date": news.date},
            body=news.body,
        )
        ensure_page(
            NewsPage, parent=news_index, data=data, source=originals.get(news.slug), **common
        )
    ensure_page(
        VisitInfoPage,
        parent=home,
        data=content.VISIT,
        source=originals.get("visit"),
        menu=True,
        **common,
    )


def ensure_attraction(
    index: AttractionIndexPage,
    data: content.AttractionData,
    zones: dict,
    *,
    lang: str,
    locale: Locale,
    images: dict,
    tally: Tally,
    source: Page | None,
) -> AttractionPage:
    """An attraction page with its gallery, zone and bloom months; see :func:`ensure_page`."""
    gallery = [
        AttractionGalleryImage(
            image=images[picture.key], caption=picture.caption.get(lang), sort_order=order
        )
        for order, picture in enumerate(data.pictures)
    ]
    page_data = PageData(
        data.slug,
        data.title,
        data.summary,
        data.pictures[0],
        fields={
            "bloom_months": list(data.months),
            "zone": zones[data.zone],
            "featured": data.featured,
            "accessibility": data.accessibility,
            "gallery_images": gallery,
        },
        body=data.body,
    )
    return ensure_page(
        AttractionPage,
        parent=index,
        data=page_data,
        lang=lang,
        locale=locale,
        images=images,
        tally=tally,
        source=source,
    )


def ensure_page(
    model,
    *,
    parent: Page,
    data: PageData,
    lang: str,
    locale: Locale,
    images: dict,
    tally: Tally,
    source: Page | None = None,
    menu: bool = False,
    existing: Page | None = None,
    slug: str | None = None,
):
    """The ``model`` page for ``data`` under ``parent`` in ``lang``, made and published if missing.

    ``source`` is the Chinese original of an English page: the new page shares its
    translation key, which is what makes Wagtail treat the two as translations.
    """
    if existing is None:
        existing = find_page(
            model, parent=parent, slug=slug or data.slug, locale=locale, source=source
        )
    kind = model.__name__
    if existing is not None:
        tally.add(kind, False)
        return existing

    page = model(
        title=data.title.get(lang),
        slug=slug or data.slug,
        locale=locale,
        summary=data.summary.get(lang),
        listing_image=images[data.picture.key],
        show_in_menus=menu,
        **{name: text(value, lang) for name, value in data.fields.items()},
    )
    if data.body:
        page.body = stream(data.body, lang, images)
    if source is not None:
        page.translation_key = source.translation_key
    parent.add_child(instance=page)
    page.save_revision().publish()
    tally.add(kind, True)
    return page


def find_page(model, *, parent: Page, slug: str, locale: Locale, source: Page | None):
    """The page already in this slot: ``source``'s translation, or the child with this slug."""
    page = None
    if source is not None:
        page = Page.objects.filter(translation_key=source.translation_key, locale=locale).first()
    if page is None:
        page = Page.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        return None
    page = page.specific
    if not isinstance(page, model):
        raise CommandError(
            f"{page.url_path} is a {page._meta.verbose_name}, not a {model._meta.verbose_name}; "
            "move or rename it and run load_demo again."
        )
    return page


def text(value, lang: str):
    """A field value for one language: the right half of a Bi, anything else unchanged."""
    return value.get(lang) if isinstance(value, Bi) else value


def stream(blocks: tuple, lang: str, images: dict) -> list[dict]:
    """The content.py body blocks as StreamField raw data in one language."""
    pictures = all_pictures()
    raw = []
    for block in blocks:
        kind = block[0]
        if kind == "heading":
            value = {"text": block[1].get(lang), "size": "h2"}
        elif kind == "paragraph":
            html = block[1].get(lang)
            value = html if html.startswith("<") else f"<p>{html}</p>"
        elif kind == "figure":
            _, key, caption = block
            value = {
                "image": {
                    "image": images[key].pk,
                    "alt_text": pictures[key].alt,
                    "decorative": False,
                },
                "caption": caption.get(lang),
            }
        elif kind == "quote":
            value = {"text": block[1].get(lang), "attribution": block[2].get(lang)}
        elif kind == "facts":
            _, title, rows = block
            value = {
                "title": title.get(lang),
                "facts": [
                    {"label": label.get(lang), "value": val.get(lang)} for label, val in rows
                ],
            }
        else:
            raise ValueError(f"unknown block type {kind!r} in tourism/demo/content.py")
        raw.append({"type": kind, "value": value})
    return raw


# --- park settings and users -----------------------------------------------------------------


def ensure_site_settings(site: Site, images: dict, tally: Tally) -> SiteSettings:
    """Fill the park settings' empty fields and missing weekdays; never overwrite what is set.

    The settings row may already exist, empty, because any page view creates it.
    """
    park, created = SiteSettings.objects.get_or_create(site=site)
    changed = False
    for name, value in content.PARK.items():
        if getattr(park, name) in ("", None):
            setattr(park, name, value)
            changed = True
    if park.wechat_qr_id is None:
        park.wechat_qr = images["qr"]
        changed = True
    if changed:
        park.save()
    tally.add("park settings", created or changed)

    have = set(park.opening_hours.values_list("weekday", flat=True))
    for weekday, opens, closes in content.OPENING_HOURS:
        if weekday not in have:
            OpeningHours.objects.create(
                settings=park, weekday=weekday, opens=opens, closes=closes, sort_order=weekday
            )
        tally.add("opening hours", weekday not in have)
    return park


def ensure_users(tally: Tally) -> list[tuple[content.DemoUser, bool]]:
    """One demo user per role, created only when the username is free; passwords never reset."""
    User = get_user_model()
    result = []
    for demo in content.USERS:
        if User.objects.filter(username=demo.username).exists():
            result.append((demo, False))
            tally.add("users", False)
            continue
        if demo.group is None:
            User.objects.create_superuser(demo.username, demo.email, demo.password)
        else:
            try:
                group = Group.objects.get(name=demo.group)
            except Group.DoesNotExist:
                raise CommandError(
                    f"The group {demo.group!r} is missing; run 'manage.py migrate' first."
                ) from None
            user = User.objects.create_user(demo.username, demo.email, demo.password)
            user.groups.add(group)
        result.append((demo, True))
        tally.add("users", True)
    return result


def user_table(users: list[tuple[content.DemoUser, bool]]) -> list[str]:
    """The demo accounts as text lines, for the developer who just ran the command."""
    lines = [f"{'username':10}{'role':16}password", "-" * 48]
    for demo, created in users:
        password = demo.password if created else f"{demo.password} (if unchanged; user existed)"
        lines.append(f"{demo.username:10}{demo.group or 'superuser':16}{password}")
    return lines
