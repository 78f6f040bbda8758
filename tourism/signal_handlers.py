"""Invalidate the public pages' cache (``tourism/page_cache.py``) when what they show changes,
or what every booking reads from it (rules, ticket types and prices, partners' keys)."""

from django.apps import apps
from django.db.models.signals import post_delete, post_migrate, post_save
from wagtail.images import get_image_model
from wagtail.models import Locale, Site, get_page_models
from wagtail.signals import page_published, page_unpublished, post_page_move

from core.park_map import Facility, ParkMap
from nursery.models import Species, SpecimenPhoto, SpecimenTree, Zone

from .models import OpeningHours, SiteSettings, TicketType
from .page_cache import page_cache_invalidate, page_cache_invalidate_after_migrate
from .tickets.models import ClosedDay, SeasonPrice
from .tickets.partners import ApiKey, Partner
from .tickets.rules import BookingRules


def invalidate_page_cache(**kwargs) -> None:
    page_cache_invalidate()


def invalidate_page_cache_for_image(update_fields=None, **kwargs) -> None:
    # Wagtail records an image's file size and hash the first time it needs them, often
    # while rendering a page: nothing a page shows changes then.
    if update_fields and set(update_fields) <= {"file_size", "file_hash"}:
        return
    page_cache_invalidate()


def register_signal_handlers() -> None:
    post_migrate.connect(
        page_cache_invalidate_after_migrate,
        sender=apps.get_app_config("tourism"),
        dispatch_uid="huagu_page_cache_migrated",
    )
    # Publishing sends page_published once the revision's child rows (the gallery) are
    # saved too; post_save covers a live page saved directly (the demo loader, a copy).
    page_published.connect(invalidate_page_cache, dispatch_uid="huagu_page_cache_published")
    page_unpublished.connect(invalidate_page_cache, dispatch_uid="huagu_page_cache_unpublished")
    post_page_move.connect(invalidate_page_cache, dispatch_uid="huagu_page_cache_moved")

    image_model = get_image_model()
    watched = [
        *get_page_models(),
        SiteSettings,
        OpeningHours,
        Zone,
        SpecimenTree,
        # What a tree's card on /trees/ shows besides the tree itself.
        Species,
        SpecimenPhoto,
        ParkMap,
        Facility,
        Locale,
        Site,
        # What a booking reads from the cache: the rules, the prices, the days closed, the
        # partner's key (a revoked key or a suspended partner is refused from the next
        # request on).
        BookingRules,
        TicketType,
        SeasonPrice,
        ClosedDay,
        ApiKey,
        Partner,
    ]
    for model in watched:
        uid = f"huagu_page_cache_{model._meta.label_lower}"
        post_save.connect(invalidate_page_cache, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(invalidate_page_cache, sender=model, dispatch_uid=f"{uid}_deleted")
    post_save.connect(
        invalidate_page_cache_for_image,
        sender=image_model,
        dispatch_uid="huagu_page_cache_image_saved",
    )
    post_delete.connect(
        invalidate_page_cache, sender=image_model, dispatch_uid="huagu_page_cache_image_deleted"
    )
    # A deleted rendition's file is gone from cached fragments that link to it. A new one
    # needs nothing: the page that asked for it made it while rendering.
    post_delete.connect(
        invalidate_page_cache,
        sender=image_model.get_rendition_model(),
        dispatch_uid="huagu_page_cache_rendition_deleted",
    )
