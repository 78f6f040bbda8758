from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import TicketType


class TicketTypeViewSet(SnippetViewSet):
    model = TicketType
    icon = "tag"
    menu_label = _("Ticket types")
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["name", "name_en", "audience", "price", "active"]
    list_filter = ["audience", "active"]
    search_fields = ["name", "name_en"]
    list_export = ["name", "name_en", "audience", "price", "active"]


register_snippet(TicketTypeViewSet)
