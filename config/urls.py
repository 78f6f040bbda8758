from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from core import metrics
from tourism import park_map_views
from tourism import views as tourism_views
from tourism.tickets import box_office_views, gate
from tourism.tickets.api import api as tickets_api

urlpatterns = [
    path("healthz", tourism_views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("robots.txt", tourism_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", tourism_views.sitemap, name="sitemap"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", tickets_api.urls),
    path("payments/stripe/webhook/", include("tourism.tickets.webhooks")),
    path("payments/wechat/", include("tourism.tickets.wechat_notify")),
    path("payments/alipay/", include("tourism.tickets.alipay_views")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("search/", tourism_views.search, name="search"),
    path("tickets/", include("tourism.tickets.urls")),
    path("gate/", gate.gate, name="gate"),
    path("gate/check-in/", gate.gate_check_in, name="gate_check_in"),
    path("gate/sell/", box_office_views.sell, name="box_office"),
    path("gate/sell/<str:reference>/", box_office_views.sale, name="box_office_sale"),
    path("gate/sell/<str:reference>/slips/", box_office_views.slips, name="box_office_slips"),
    path("map/", park_map_views.park_map, name="park_map"),
    path("", include("nursery.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "tourism.views.page_not_found"
