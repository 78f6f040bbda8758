"""Sign-in lockouts in the Wagtail admin: superusers see who is locked and unlock them."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core.admin import AdminPageMixin

from .logins import lockout_reset, lockouts_current

KINDS = ("username", "ip_address")


class LockoutsView(AdminPageMixin, TemplateView):
    """Accounts and addresses locked now for too many failed sign-ins, each with "Unlock"."""

    template_name = "tourism/admin/lockouts.html"
    page_title = gettext_lazy("Sign-in lockouts")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "lockouts": lockouts_current(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        }

    def post(self, request, *args, **kwargs):
        kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
        if kind in KINDS and value:
            lockout_reset(kind=kind, value=value)
            messages.success(request, _("Unlocked %(value)s.") % {"value": value})
        return HttpResponseRedirect(reverse("tourism_lockouts"))
