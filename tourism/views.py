"""Public views that are not Wagtail pages: health, search, robots.txt, sitemap, errors."""

import logging

from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Locale

from .middleware import API_PREFIX
from .selectors import page_search
from .sitemaps import AllLocalesSitemap

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """200 when a real query reaches the database, 503 with the reason when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("health check: database unreachable: %s", exc)
        return JsonResponse(
            {"database": "error", "reason": f"database unreachable: {exc.__class__.__name__}"},
            status=503,
        )
    return JsonResponse({"database": "ok"})


@require_GET
def search(request):
    """Full-text search over the live pages in the visitor's language."""
    query = request.GET.get("q", "").strip()[:200]
    results = None
    if query:
        found = page_search(query=query, locale=Locale.get_active())
        results = Paginator(found, 10).get_page(request.GET.get("page"))
    return TemplateResponse(request, "tourism/search.html", {"query": query, "results": results})


@require_GET
def robots_txt(request):
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /gate/",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def sitemap(request):
    return wagtail_sitemap(request, sitemaps={"pages": AllLocalesSitemap(request)})


def page_not_found(request, exception=None):
    if request.path_info.startswith(API_PREFIX):
        # Partners read JSON: an address the API does not know is answered like its own 404s.
        return JsonResponse({"detail": _("The API has no such address.")}, status=404)
    return render(request, "404.html", status=404)
