from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Zone


class ZoneViewSet(SnippetViewSet):
    model = Zone
    icon = "site"
    menu_label = _("Zones")
    add_to_admin_menu = True
    menu_order = 400
    list_display = ["code", "name", "name_en", "area_mu", "use"]
    list_filter = ["use"]
    search_fields = ["code", "name", "name_en"]
    list_export = ["code", "name", "name_en", "area_mu", "use"]


register_snippet(ZoneViewSet)
