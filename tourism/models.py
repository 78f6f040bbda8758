"""The public site's pages, its settings and the ticket types it prices visits by."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import SourceImageIOError
from wagtail.models import Locale, Orderable, Page
from wagtail.search import index

from core import geo
from core.map_widget import POINT, MapWidget
from core.months import ALL_MONTHS, MONTH_CHOICES, MonthSetField, blooming_in, months_label
from core.park_map import ParkMap
from nursery.map_layers import zones_reference

from .blocks import BodyBlock


def localized_text(obj, field: str) -> str:
    """``obj.<field>_en`` when the active language is English and it is filled, else ``obj.<field>``."""
    if get_language() == "en":
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    # A template may hand over an empty value (no site settings for an unknown host).
    return getattr(obj, field, "")


def listing_image_url(page) -> str:
    """The URL of a page's share image, or "" when it has none or its file cannot be rendered."""
    if not page.listing_image_id:
        return ""
    try:
        return page.listing_image.get_rendition("fill-1200x630|format-jpeg").url
    except SourceImageIOError:
        return ""


class BasePage(Page):
    """Fields every public page shares: a listing image and a summary for cards and meta tags."""

    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown at the top of the page, on cards and when the page is shared."),
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=300,
        help_text=_("One or two sentences for cards, search results and the meta description."),
    )

    search_fields = [*Page.search_fields, index.SearchField("summary")]

    class Meta:
        abstract = True

    @property
    def meta_description(self) -> str:
        return self.search_description or self.summary or str(self.title)

    def structured_data(self, request) -> dict | None:
        """schema.org data for this page as a JSON-LD dict, or None."""
        return None


class HomePage(BasePage):
    """The park's front page: blooms now, featured attractions, today's hours, news."""

    hero_heading = models.CharField(_("hero heading"), max_length=120)
    hero_text = models.CharField(_("hero text"), max_length=250, blank=True)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("hero_heading"), FieldPanel("hero_text"), FieldPanel("listing_image")],
            heading=_("Hero"),
        ),
        FieldPanel("summary"),
        FieldPanel("intro"),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "tourism.AttractionIndexPage",
        "tourism.BloomCalendarPage",
        "tourism.NewsIndexPage",
        "tourism.VisitInfoPage",
    ]
    max_count_per_parent = 2  # one per content language

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        attractions = AttractionPage.objects.live().filter(locale_id=self.locale_id)
        context["month"] = today.month
        context["month_name"] = dict(MONTH_CHOICES)[today.month]
        in_bloom = with_listing_images(attractions.filter(blooming_in(today.month)))
        featured = with_listing_images(attractions.filter(featured=True))
        news = with_listing_images(NewsPage.objects.live().filter(locale_id=self.locale_id))
        # Lazy: the template shows them inside cached fragments, so they are fetched only
        # when a fragment is rendered afresh.
        context["in_bloom"] = SimpleLazyObject(lambda: list(in_bloom.order_by("path")[:6]))
        context["featured"] = SimpleLazyObject(lambda: list(featured.order_by("path")[:6]))
        context["news"] = SimpleLazyObject(lambda: list(news.order_by("-date", "-pk")[:3]))
        context["visit_page"] = SimpleLazyObject(
            lambda: VisitInfoPage.objects.live().filter(locale_id=self.locale_id).first()
        )
        context["calendar_page"] = SimpleLazyObject(
            lambda: BloomCalendarPage.objects.live().filter(locale_id=self.locale_id).first()
        )
        # Aggregates only: how many villagers the park employed this year and what they earned.
        from workforce.reports import impact_since_start, impact_this_year

        context["impact"] = impact_this_year(today=today)
        context["impact_since_start"] = impact_since_start(today=today)
        return context

    def structured_data(self, request):
        park = SiteSettings.for_request(request)
        data = {
            "@context": "https://schema.org",
            "@type": "TouristAttraction",
            "name": localized_text(park, "park_name"),
            "description": self.meta_description,
            "url": self.get_full_url(request),
            "telephone": park.phone,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": localized_text(park, "address"),
                "addressCountry": "CN",
            },
            "isAccessibleForFree": False,
            "publicAccess": True,
        }
        if park.latitude is not None and park.longitude is not None:
            data["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(park.latitude),
                "longitude": float(park.longitude),
            }
        hours = park.opening_hours_specification()
        if hours:
            data["openingHoursSpecification"] = hours
        return data


# The renditions a card's <picture> asks for (tourism/includes/card.html).
CARD_RENDITIONS = [
    f"format-{fmt}|fill-{size}" for size in ("400x260", "800x520") for fmt in ("webp", "jpeg")
]


def with_listing_images(queryset, renditions=CARD_RENDITIONS):
    """Fetch each page's listing image and the renditions its card shows, in a fixed number of queries.

    Only the renditions the card uses: an image has many more (banners, sharing), and
    loading them all costs more than the queries it saves.
    """
    from wagtail.images import get_image_model

    return queryset.prefetch_related(
        models.Prefetch(
            "listing_image",
            queryset=get_image_model().objects.prefetch_renditions(*renditions),
        )
    )


class AttractionIndexPage(BasePage):
    """Lists the park's attractions."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("intro")]

    parent_page_types = ["tourism.HomePage"]
    subpage_types = ["tourism.AttractionPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("attraction index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        attractions = with_listing_images(
            AttractionPage.objects.live().child_of(self).select_related("zone")
        ).order_by("path")
        paginator = Paginator(attractions, 24)
        context["attractions"] = paginator.get_page(request.GET.get("page"))
        return context


# How many of a zone's specimen trees its attraction page shows as cards.
SPECIMEN_TREE_CARDS = 6


class AttractionPage(BasePage):
    """A sight of the park: a garden, a flower sea, a grove of specimen trees."""

    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    bloom_months = MonthSetField(
        _("bloom months"),
        blank=True,
        help_text=_(
            "Months when this attraction is in flower; drives the bloom calendar and the home page."
        ),
    )
    zone = models.ForeignKey(
        "nursery.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attractions",
        help_text=_("The zone of the base where it lies."),
    )
    accessibility = models.TextField(
        _("accessibility"),
        blank=True,
        help_text=_(
            "Paths, steps, slopes, seating, toilets: what a visitor with a wheelchair or a pram should know."
        ),
    )
    featured = models.BooleanField(_("featured on the home page"), default=False)
    location = models.JSONField(
        _("location on the map"),
        null=True,
        blank=True,
        validators=[geo.validate_point],
        help_text=_("Where its marker stands on the park map, inside the park boundary."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("listing_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("bloom_months"),
                FieldPanel("zone"),
                FieldPanel("location", widget=MapWidget(POINT, reference=zones_reference)),
                FieldPanel("featured"),
            ],
            heading=_("In the park"),
        ),
        FieldPanel("accessibility"),
        InlinePanel("gallery_images", label=_("Gallery"), heading=_("Gallery")),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("body"),
        index.SearchField("accessibility"),
        index.FilterField("featured"),
    ]

    parent_page_types = ["tourism.AttractionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("attraction")

    @property
    def bloom_months_label(self) -> str:
        return months_label(self.bloom_months)

    def clean(self):
        super().clean()
        ParkMap.load().check_inside(self.location, "location")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: shown inside a cached fragment, so fetched only when that is rendered afresh.
        context["gallery"] = SimpleLazyObject(
            lambda: list(
                self.gallery_images.select_related("image").prefetch_related("image__renditions")
            )
        )
        context["months"] = [
            {"number": number, "name": name, "in_bloom": number in self.bloom_months}
            for number, name in MONTH_CHOICES
        ]
        # A few of the specimen trees standing in this attraction's zone, as cards; the rest
        # are one link away on the tree list, filtered to the zone (a garden holds dozens).
        from nursery.browse import tree_card_image
        from nursery.selectors import public_trees, with_card_images

        trees, count = [], 0
        if self.zone_id:
            standing = public_trees().filter(zone_id=self.zone_id)
            trees = list(with_card_images(standing, CARD_RENDITIONS)[:SPECIMEN_TREE_CARDS])
            count = len(trees) if len(trees) < SPECIMEN_TREE_CARDS else standing.count()
            for tree in trees:
                tree.card_image = tree_card_image(tree)
        context["specimen_trees"] = trees
        context["specimen_tree_count"] = count
        return context

    def structured_data(self, request):
        data = {
            "@context": "https://schema.org",
            "@type": "TouristAttraction",
            "name": self.title,
            "description": self.meta_description,
            "url": self.get_full_url(request),
        }
        park = SiteSettings.for_request(request)
        data["containedInPlace"] = {
            "@type": "TouristAttraction",
            "name": localized_text(park, "park_name"),
        }
        image_url = listing_image_url(self)
        if image_url:
            data["image"] = request.build_absolute_uri(image_url)
        return data


class AttractionGalleryImage(Orderable):
    page = ParentalKey(AttractionPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    @property
    def alt_text(self) -> str:
        return self.caption or self.image.default_alt_text or self.image.title


class BloomCalendarPage(BasePage):
    """Twelve months against the attractions: when to come for what."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("intro")]
    parent_page_types = ["tourism.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("bloom calendar")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        attractions = (
            AttractionPage.objects.live()
            .filter(locale_id=self.locale_id)
            .only("id", "title", "url_path", "path", "depth", "bloom_months", "locale_id")
            .order_by("path")
        )
        current = timezone.localdate().month
        context["months"] = [
            {"number": number, "name": name, "current": number == current}
            for number, name in MONTH_CHOICES
        ]
        context["rows"] = [
            {"page": page, "cells": [m in page.bloom_months for m in ALL_MONTHS]}
            for page in attractions
        ]
        return context


class NewsIndexPage(BasePage):
    """Lists the park's news, newest first."""

    content_panels = [*Page.content_panels, FieldPanel("summary")]
    parent_page_types = ["tourism.HomePage"]
    subpage_types = ["tourism.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = with_listing_images(NewsPage.objects.live().child_of(self)).order_by("-date", "-pk")
        context["articles"] = Paginator(news, 12).get_page(request.GET.get("page"))
        return context


class NewsPage(BasePage):
    """A dated news article."""

    date = models.DateField(_("date"), default=datetime.date.today)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("listing_image"),
        FieldPanel("body"),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    parent_page_types = ["tourism.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news article")

    def structured_data(self, request):
        park = SiteSettings.for_request(request)
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.title,
            "description": self.meta_description,
            "datePublished": self.date.isoformat(),
            "url": self.get_full_url(request),
            "inLanguage": self.locale.language_code,
            "publisher": {"@type": "Organization", "name": localized_text(park, "park_name")},
        }
        if self.last_published_at:
            data["dateModified"] = self.last_published_at.isoformat()
        image_url = listing_image_url(self)
        if image_url:
            data["image"] = [request.build_absolute_uri(image_url)]
        return data


class VisitInfoPage(BasePage):
    """Hours, prices and how to get here."""

    directions = RichTextField(
        _("directions"), blank=True, features=["bold", "italic", "link", "ol", "ul", "h3"]
    )
    body = StreamField(BodyBlock(), verbose_name=_("more information"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("listing_image"),
        FieldPanel("directions"),
        FieldPanel("body"),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("directions")]
    parent_page_types = ["tourism.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("visit information")

    def get_context(self, request, *args, **kwargs):
        from core.park_map import Facility

        from .navigation import park_navigation_links

        context = super().get_context(request, *args, **kwargs)
        context["ticket_types"] = TicketType.objects.filter(active=True)
        park = SiteSettings.for_request(request)
        context["navigation_links"] = park_navigation_links(
            park=park, name=localized_text(park, "park_name")
        )
        context["parking"] = Facility.objects.filter(kind=Facility.Kind.PARKING)
        # This page shows the hours and the address itself: the footer leaves them out.
        context["footer_without_visit_details"] = True
        return context


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting, ClusterableModel):
    """The park's contact details and weekly opening hours, shown in the footer and on the home page."""

    park_name = models.CharField(_("park name (Chinese)"), max_length=100, default="大地花谷")
    park_name_en = models.CharField(
        _("park name (English)"), max_length=100, blank=True, default="Dadi Flower Valley"
    )
    address = models.CharField(_("address (Chinese)"), max_length=250, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    hours_note = models.CharField(
        _("hours note (Chinese)"),
        max_length=250,
        blank=True,
        help_text=_("E.g. last entry one hour before closing; holiday hours."),
    )
    hours_note_en = models.CharField(_("hours note (English)"), max_length=250, blank=True)
    wechat_id = models.CharField(_("WeChat official account"), max_length=80, blank=True)
    wechat_qr = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("WeChat QR code"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        MultiFieldPanel([FieldPanel("park_name"), FieldPanel("park_name_en")], heading=_("Name")),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("address_en"),
                FieldPanel("latitude"),
                FieldPanel("longitude"),
                FieldPanel("phone"),
                FieldPanel("email"),
            ],
            heading=_("Contact"),
        ),
        MultiFieldPanel([FieldPanel("wechat_id"), FieldPanel("wechat_qr")], heading=_("WeChat")),
        MultiFieldPanel(
            [
                FieldPanel("hours_note"),
                FieldPanel("hours_note_en"),
                InlinePanel("opening_hours", label=_("Opening hours")),
            ],
            heading=_("Opening hours"),
        ),
    ]

    class Meta:
        verbose_name = _("park settings")

    @classmethod
    def for_request(cls, request):
        """The settings of the request's site, with their hours and QR code, from the page cache."""
        from .page_cache import page_cache_get_or_set, site_for_request

        attr_name = cls.get_cache_attr_name()
        if not hasattr(request, attr_name):
            site = site_for_request(request)
            if site is None:
                return super().for_request(request)
            park = page_cache_get_or_set(
                request=request,
                key=f"site-settings:{site.pk}",
                compute=lambda: cls.for_site(site).with_related_loaded(),
            )
            park._request = request
            setattr(request, attr_name, park)
        return getattr(request, attr_name)

    def with_related_loaded(self) -> "SiteSettings":
        """Self, with its weekly hours and QR image fetched, so the cache keeps them too."""
        # weekly_hours is a cached_property and wechat_qr a related object: both stay on the
        # instance once read, and are pickled with it.
        _ = self.weekly_hours, self.wechat_qr
        return self

    @cached_property
    def weekly_hours(self) -> list["OpeningHours"]:
        return sorted(self.opening_hours.all(), key=lambda h: h.weekday)

    def hours_on(self, day: datetime.date) -> "OpeningHours | None":
        for hours in self.weekly_hours:
            if hours.weekday == day.weekday():
                return hours
        return None

    @property
    def today_hours(self) -> "OpeningHours | None":
        return self.hours_on(timezone.localdate())

    def opening_hours_specification(self) -> list[dict]:
        days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        return [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{days[h.weekday]}",
                "opens": h.opens.strftime("%H:%M"),
                "closes": h.closes.strftime("%H:%M"),
            }
            for h in self.weekly_hours
            if not h.closed and h.opens and h.closes
        ]


class OpeningHours(Orderable):
    """The park's hours on one day of the week."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    settings = ParentalKey(SiteSettings, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    closed = models.BooleanField(_("closed all day"), default=False)

    panels = [
        FieldPanel("weekday"),
        FieldPanel("opens"),
        FieldPanel("closes"),
        FieldPanel("closed"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(
                fields=["settings", "weekday"], name="one_hours_row_per_weekday"
            ),
        ]

    def clean(self):
        if not self.closed:
            if not (self.opens and self.closes):
                raise ValidationError(
                    _("Give opening and closing times, or tick 'closed all day'.")
                )
            if self.opens >= self.closes:
                raise ValidationError({"closes": _("Closing time must be after opening time.")})


class TicketType(models.Model):
    """A kind of admission ticket and its standard price."""

    class Audience(models.TextChoices):
        ADULT = "adult", _("Adult")
        CHILD = "child", _("Child")
        SENIOR = "senior", _("Senior")
        FREE = "free", _("Free admission")
        # The per-person rate of a group booking (团队票): sold only through the group form.
        GROUP = "group", _("Group rate (per person)")

    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    description = models.CharField(_("who it is for (Chinese)"), max_length=200, blank=True)
    description_en = models.CharField(_("who it is for (English)"), max_length=200, blank=True)
    price = models.DecimalField(
        _("price (CNY)"), max_digits=8, decimal_places=2, help_text=_("In yuan (CNY).")
    )
    active = models.BooleanField(_("on sale"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Real-name tickets: the age a visitor's ID card must show on the visit date.
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        help_text=_(
            "For real-name tickets: the visitor's ID must show at least this age, e.g. 60."
        ),
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"),
        null=True,
        blank=True,
        help_text=_("For real-name tickets: the visitor's ID must show at most this age, e.g. 17."),
    )

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="ticket_price_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(audience="free") | models.Q(price=0),
                name="free_ticket_costs_nothing",
            ),
            models.CheckConstraint(
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(max_age__gte=models.F("min_age")),
                name="ticket_type_ages_ordered",
            ),
        ]

    def __str__(self):
        return localized_text(self, "name")

    @property
    def display_name(self) -> str:
        return localized_text(self, "name")

    @property
    def display_description(self) -> str:
        return localized_text(self, "description")

    def clean(self):
        if self.audience == self.Audience.FREE and self.price and self.price != Decimal("0"):
            raise ValidationError({"price": _("A free admission ticket must cost 0.")})
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValidationError(
                {"max_age": _("The maximum age cannot be less than the minimum age.")}
            )

    @property
    def age_rule(self) -> str:
        """The age this type asks for, in words (empty when it asks for none)."""
        if self.min_age is not None and self.max_age is not None:
            return _("aged %(low)s to %(high)s") % {"low": self.min_age, "high": self.max_age}
        if self.min_age is not None:
            return _("aged %(n)s or over") % {"n": self.min_age}
        if self.max_age is not None:
            return _("aged %(n)s or under") % {"n": self.max_age}
        return ""


class PageCacheVersion(models.Model):
    """One row whose token changes whenever something the public pages show changes.

    Cached parts of the public pages carry the token in their keys (``tourism/page_cache.py``),
    so one change makes every earlier entry unreachable. It lives in the database rather
    than the cache: it then moves inside the transaction that made the change, and every
    worker process sees it, whatever the cache backend.
    """

    token = models.CharField(max_length=32)

    def __str__(self):
        return self.token


def home_for_language(language_code: str | None = None) -> HomePage | None:
    """The live home page in ``language_code`` (the active language by default)."""
    locale = Locale.objects.filter(language_code=language_code or get_language()).first()
    qs = HomePage.objects.live()
    return (qs.filter(locale=locale).first() if locale else None) or qs.order_by("path").first()


# Ticketing models live in their own module; imported here so Django registers them.
from .tickets.group_models import GroupBooking  # noqa: E402
from .tickets.lookup_models import LookupCode  # noqa: E402
from .tickets.models import (  # noqa: E402
    ClosedDay,
    Order,
    OrderLine,
    OrderLog,
    Payment,
    PhoneDay,
    ProcessedEvent,
    Refund,
    SeasonPrice,
    Slot,
    Ticket,
)
from .tickets.partners import ApiKey, Partner, PartnerOrder  # noqa: E402
from .tickets.reconcile_models import Reconciliation, ReconciliationProblem  # noqa: E402
from .tickets.rules import BookingRules  # noqa: E402
from .tickets.visitors import Visitor  # noqa: E402

__all__ = [
    "ApiKey",
    "AttractionGalleryImage",
    "AttractionIndexPage",
    "AttractionPage",
    "BloomCalendarPage",
    "BookingRules",
    "ClosedDay",
    "GroupBooking",
    "HomePage",
    "LookupCode",
    "NewsIndexPage",
    "NewsPage",
    "OpeningHours",
    "Order",
    "OrderLine",
    "OrderLog",
    "PageCacheVersion",
    "Partner",
    "PartnerOrder",
    "Payment",
    "PhoneDay",
    "ProcessedEvent",
    "Reconciliation",
    "ReconciliationProblem",
    "Refund",
    "SeasonPrice",
    "SiteSettings",
    "Slot",
    "Ticket",
    "TicketType",
    "VisitInfoPage",
    "Visitor",
]
