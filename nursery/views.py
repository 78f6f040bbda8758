"""Public tree passports and their printable labels; the phone-first quick form for the field."""

import hashlib

import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from core.numbers import count
from tourism.models import CARD_RENDITIONS
from tourism.page_cache import page_cache_get_or_set
from tourism.security.permissions_policy import HEADER as POLICY_HEADER
from tourism.security.permissions_policy import permissions_policy

from . import selectors, services
from .browse import TreeFilterForm, tree_card_image
from .forms import FieldCheckForm, FieldLocationForm, FieldPlantingForm, apply_error
from .growth import GALLERY_RENDITIONS, growth_charts
from .models import SpecimenTree

TREES_PER_PAGE = 20


def _public_tree(tag: str) -> SpecimenTree:
    """A tree whose passport can be read; a gone tree keeps its passport, which says so."""
    tree = selectors.passport_trees().filter(tag=tag).first()
    if tree is None:
        raise Http404
    return tree


def tree_list(request):
    """The trees still standing, searchable and filtered by a GET form, twenty to a page.

    The form and the cards are rendered once per search, page and day (in-bloom follows the
    month) and kept in the public pages' cache, which any change to a tree, species, photo
    or zone drops.
    """
    form = TreeFilterForm(request.GET or None)
    criteria = form.filters()
    trees = selectors.with_card_images(
        selectors.tree_search(**criteria), renditions=CARD_RENDITIONS
    )
    page = Paginator(trees, TREES_PER_PAGE).get_page(request.GET.get("page"))
    query_string = form.query_string()
    # The valid criteria only, hashed: whatever else the query string holds makes no new entry.
    search = hashlib.sha256(f"{query_string}|{page.number}".encode()).hexdigest()[:32]
    key = f"trees:{get_language()}:{timezone.localdate().isoformat()}:{search}"

    def render_results() -> str:
        for tree in page.object_list:
            tree.card_image = tree_card_image(tree)
        context = {
            "form": form,
            "page_obj": page,
            "trees": page.object_list,
            "filtered": bool(criteria),
            "query_string": query_string,
            "page_links": page_links(page),
        }
        return render_to_string("nursery/includes/tree_results.html", context, request)

    # A refused value is shown beside its field: that answer is rendered for its asker alone.
    if form.is_bound and form.errors:
        results = render_results()
    else:
        results = page_cache_get_or_set(request=request, key=key, compute=render_results)
    return render(
        request,
        "nursery/tree_list.html",
        {
            "form": form,
            "page_obj": page,
            "filtered": bool(criteria),
            "results": mark_safe(results),
        },
    )


def page_links(page) -> list[int | None]:
    """Page numbers to link: the first, the last and two either side of this one; None for a gap."""
    last = page.paginator.num_pages
    shown = sorted({1, last, *range(max(1, page.number - 2), min(last, page.number + 2) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - links[-1] > 1:
            links.append(None)
        links.append(number)
    return links


def tree_detail(request, tag: str):
    tree = _public_tree(tag)
    measurements = list(tree.measurements.order_by("measured_on"))
    photos = list(
        tree.photos.prefetch_related(
            Prefetch(
                "image", queryset=get_image_model().objects.prefetch_renditions(*GALLERY_RENDITIONS)
            )
        )
    )
    attraction = None
    if tree.zone_id:
        first = tree.zone.attractions.live().order_by("pk").first()
        # The attraction in the reader's language when it has been translated and published.
        attraction = first.localized if first is not None else None
    return render(
        request,
        "nursery/tree_detail.html",
        {
            "tree": tree,
            "measurement": measurements[-1] if measurements else None,
            "growth": growth_charts(measurements),
            "photos": photos,
            "attraction": attraction,
        },
    )


def tree_label(request, tag: str):
    """An A6 sign for beside the tree, with a QR code to its passport."""
    tree = _public_tree(tag)
    url = request.build_absolute_uri(reverse("nursery_tree_detail", args=[tree.tag]))
    qr = segno.make(url, error="m")
    return render(
        request,
        "nursery/tree_label.html",
        {"tree": tree, "url": url, "qr_svg": qr.svg_inline(scale=4, dark="#2a2420", omitsize=True)},
    )


def field_form(request):
    """Record a planting or a survival check from a phone, standing in the field."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (
        request.user.has_perm("nursery.add_planting")
        and request.user.has_perm("nursery.change_survivalcheck")
    ):
        return HttpResponseForbidden(
            render_to_string(
                "nursery/forbidden.html", {"message": _("You may not change the nursery.")}, request
            )
        )
    checks = selectors.checks_due(on=timezone.localdate())[:100]
    action = request.POST.get("action") if request.method == "POST" else request.GET.get("form")
    planting_form = FieldPlantingForm(prefix="p")
    check_form = FieldCheckForm(prefix="c", checks=checks)
    may_locate = request.user.has_perm("nursery.change_specimentree")
    location_form = FieldLocationForm(prefix="t", initial={"tree": request.GET.get("tree")})
    if request.method == "POST" and action == "planting":
        planting_form = FieldPlantingForm(request.POST, request.FILES, prefix="p")
        if planting_form.is_valid():
            data = planting_form.cleaned_data
            photo = None
            try:
                photo = planting_form.save_photo(request.user)
                planting = services.planting_record(
                    planted_on=data["planted_on"],
                    zone=data["zone"],
                    lot=data["lot"],
                    quantity=data["quantity"],
                    crew=data["crew"],
                    photo=photo,
                    user=request.user,
                )
            except services.NurseryError as error:
                if photo is not None:
                    photo.delete()
                apply_error(planting_form, error)
            else:
                lot = planting.lot
                lot.refresh_from_db()
                messages.success(
                    request,
                    _(
                        "Planting recorded: %(n)s into %(zone)s. Lot %(lot)s now has %(on_hand)s on hand."
                    )
                    % {
                        "n": count(planting.quantity),
                        "zone": planting.zone.code,
                        "lot": lot.code,
                        "on_hand": count(lot.on_hand),
                    },
                )
                return redirect(reverse("nursery_field"))
    elif request.method == "POST" and action == "check":
        check_form = FieldCheckForm(
            request.POST, prefix="c", checks=selectors.checks_due(on=timezone.localdate())
        )
        if check_form.is_valid():
            data = check_form.cleaned_data
            try:
                services.survival_check_record(
                    check=data["check"],
                    checked_on=data["checked_on"],
                    alive=data["alive"],
                    weak=data["weak"],
                    dead=data["dead"],
                    notes=data["notes"],
                    user=request.user,
                )
            except services.NurseryError as error:
                apply_error(check_form, error)
            else:
                messages.success(request, _("Survival check recorded."))
                return redirect(reverse("nursery_field") + "?form=check")
    elif request.method == "POST" and action == "location":
        if not may_locate:
            return HttpResponseForbidden(
                render_to_string(
                    "nursery/forbidden.html",
                    {"message": _("You may not change the nursery.")},
                    request,
                )
            )
        location_form = FieldLocationForm(request.POST, prefix="t")
        if location_form.is_valid():
            data = location_form.cleaned_data
            try:
                tree = services.specimen_locate(
                    tree=data["tree"],
                    lon=data["lon"],
                    lat=data["lat"],
                    accuracy_m=data["accuracy_m"],
                    by=request.user,
                )
            except services.NurseryError as error:
                apply_error(location_form, error)
            else:
                messages.success(
                    request,
                    _("Position of tree %(tag)s saved, accurate to %(accuracy)s m.")
                    % {"tag": tree.tag, "accuracy": tree.location_accuracy_m},
                )
                if tree.outside_its_zone:
                    messages.warning(
                        request,
                        _(
                            "Tree %(tag)s stands outside the outline of its zone %(zone)s: check "
                            "its position or the zone's boundary."
                        )
                        % {"tag": tree.tag, "zone": tree.zone.code},
                    )
                return redirect(reverse("nursery_field") + "?form=location")
    status = 200 if request.method == "GET" else 400
    today = timezone.localdate()
    response = render(
        request,
        "nursery/field.html",
        {
            "planting_form": planting_form,
            "check_form": check_form,
            "location_form": location_form if may_locate else None,
            "location_limit_m": services.LOCATION_ACCURACY_LIMIT_M,
            # Filled in by js/field-gps.js with what the phone reports.
            "gps_found": _("Position: %(lat)s, %(lon)s, accurate to %(accuracy)s m."),
            "gps_too_rough": _(
                "Accurate only to %(accuracy)s m; at most %(limit)s m is needed. "
                "Wait under open sky and tap again."
            ),
            "active": action or "planting",
            "checks_due": len(checks),
            # With nothing due, the tab says what comes next instead of an empty list.
            "next_check": None if checks else selectors.next_check_due(after=today),
        },
        status=status,
    )
    if location_form is not None and may_locate and action == "location":
        # "Use my location" reads the phone's GPS on this tab only, and only on a tap.
        response[POLICY_HEADER] = permissions_policy(request).replace(
            "geolocation=()", "geolocation=(self)"
        )
    return response
