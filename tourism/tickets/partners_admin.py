"""Tickets → Partners and Tickets → API keys in the admin.

A key is issued on its create page and shown in full once, on the page that answers
it (never cached, never stored); after that the admin shows only its first characters.
Keys are revoked, not deleted, so the orders they made keep their record. Only
superusers, and groups a superuser grants the partner permissions, see these screens:
an API key sells tickets on the park's behalf.
"""

from django import forms
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core.admin import NumberColumnsViewSetMixin, YesNoColumn
from core.history_admin import HistoryViewSetMixin
from core.phones import normalise_phone

from . import partner_keys
from .partners import ApiKey, Partner


class PartnerForm(WagtailAdminModelForm):
    class Meta:
        model = Partner
        fields = ["name", "contact_name", "contact_phone", "contact_email", "active", "notes"]

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"]
        return normalise_phone(phone) if phone else ""


class PartnerViewSet(HistoryViewSetMixin, ModelViewSet):
    name = "tourism_partner"
    url_prefix = "tickets/partners"
    model = Partner
    icon = "group"
    menu_label = gettext_lazy("Partners")
    list_display = ["name", "contact_name", "contact_phone", YesNoColumn(Partner, "active")]
    list_filter = ["active"]
    search_fields = ["name", "contact_name", "contact_phone", "contact_email"]
    form_fields = ["name", "contact_name", "contact_phone", "contact_email", "active", "notes"]

    def get_form_class(self, for_update=False):
        return PartnerForm


class ApiKeyCreateForm(WagtailAdminModelForm):
    class Meta:
        model = ApiKey
        fields = ["partner", "label", "rate_limit_per_minute", "expires_at"]


class ApiKeyEditForm(WagtailAdminModelForm):
    revoke = forms.BooleanField(
        label=gettext_lazy("Revoke this key"),
        required=False,
        help_text=gettext_lazy(
            "The partner's requests with this key are refused from now on. This cannot be "
            "undone: issue a new key instead."
        ),
    )

    class Meta:
        model = ApiKey
        fields = ["label", "rate_limit_per_minute", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.revoked_at is not None:
            del self.fields["revoke"]


class ApiKeyCreateView(CreateView):
    """Issues the key through ``api_key_issue`` and answers with the key, shown this once."""

    issued_template_name = "tourism/tickets/partners/key_issued.html"

    def save_instance(self):
        data = self.form.cleaned_data
        api_key, self.raw_key = partner_keys.api_key_issue(
            partner=data["partner"],
            label=data["label"],
            rate_limit_per_minute=data["rate_limit_per_minute"],
            expires_at=data["expires_at"],
            user=self.request.user,
        )
        log(instance=api_key, action="wagtail.create", user=self.request.user)
        return api_key

    def save_action(self):
        self.template_name = self.issued_template_name
        response = self.render_to_response(
            self.get_context_data(
                form=self.form,
                api_key=self.object,
                raw_key=self.raw_key,
                index_url=self.get_success_url(),
            )
        )
        # The key is in this page only: no browser or proxy may keep a copy.
        add_never_cache_headers(response)
        return response

    def get_page_title(self):
        if getattr(self, "raw_key", None):
            return _("API key issued")
        return super().get_page_title()


class ApiKeyEditView(EditView):
    def save_instance(self):
        instance = super().save_instance()
        if self.form.cleaned_data.get("revoke"):
            # Logged with the edit, as Wagtail logs every edit; the list shows it revoked.
            partner_keys.api_key_revoke(api_key=instance)
        return instance


class ApiKeyPermissionPolicy(ModelPermissionPolicy):
    """Keys are revoked, never deleted: the orders they made keep naming them."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)


register_permission_policy(ApiKey, ApiKeyPermissionPolicy(ApiKey))


class KeyStateColumn(Column):
    def get_value(self, instance):
        return {
            "active": _("Active"),
            "revoked": _("Revoked"),
            "expired": _("Expired"),
            "partner_inactive": _("Partner inactive"),
        }[instance.state()]


class ApiKeyViewSet(NumberColumnsViewSetMixin, HistoryViewSetMixin, ModelViewSet):
    name = "tourism_apikey"
    url_prefix = "tickets/api-keys"
    model = ApiKey
    icon = "key"
    menu_label = gettext_lazy("API keys")
    add_view_class = ApiKeyCreateView
    edit_view_class = ApiKeyEditView
    list_display = [
        "label",
        "partner",
        Column("masked", label=gettext_lazy("key begins")),
        KeyStateColumn("state", label=gettext_lazy("state")),
        "rate_limit_per_minute",
        "last_used_at",
        "created_at",
    ]
    list_filter = ["partner"]
    search_fields = ["label", "prefix"]
    form_fields = ["partner", "label", "rate_limit_per_minute", "expires_at"]

    def get_queryset(self, request):
        return ApiKey.objects.select_related("partner")

    def get_form_class(self, for_update=False):
        return ApiKeyEditForm if for_update else ApiKeyCreateForm
