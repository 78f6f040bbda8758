"""Login throttling with django-axes: who is locked out, what they are told, how staff unlock.

Axes counts failed sign-ins in the database (``AccessAttempt``), so every worker on every
host sees the same count. An account is locked after ``AXES_FAILURE_LIMIT`` failures from
anywhere, and an address after as many failures on any accounts, for ``AXES_COOLOFF_TIME``
counted from the last failure before the lock; while locked, even the right password is
refused. Superusers unlock from the admin (Settings → Sign-in lockouts) or with
``manage.py axes_reset_username`` / ``axes_reset_ip``.
"""

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.views.account import get_user_login_form, password_reset_enabled

from tourism.tickets.ratelimit import client_address

LOGIN_TEMPLATE = "wagtailadmin/login.html"


def login_client_address(request: HttpRequest) -> str | None:
    """The address failed sign-ins are counted against: the API's rule (``client_address``).

    Axes keeps it in an IP address column, so an IPv6 client's /64 network is stored as the
    network's first address, which stands for the whole network; an address that is not an
    IP address at all (no ``REMOTE_ADDR``) is counted as none.
    """
    address = client_address(request)
    try:
        return str(ipaddress.ip_network(address, strict=False).network_address)
    except ValueError:
        return None


def _attempts_for(username: str | None, address: str | None):
    match = Q(pk__in=[])
    if username:
        match |= Q(username=username)
    if address:
        match |= Q(ip_address=address)
    return AccessAttempt.objects.filter(match)


def lockout_ends_at(*, username: str | None, address: str | None) -> datetime | None:
    """When the lock on this account or address lifts, counted from its last failure."""
    cool_off = get_cool_off()
    last = _attempts_for(username, address).aggregate(last=Max("attempt_time"))["last"]
    if cool_off is None or last is None:
        return None
    return last + cool_off


def lockout_message(*, ends_at: datetime | None, now: datetime | None = None) -> str:
    if ends_at is None:
        return _("Too many failed sign-ins. Ask an administrator to unlock your account.")
    now = now or timezone.now()
    minutes = max(1, math.ceil((ends_at - now).total_seconds() / 60))
    return ngettext(
        "Too many failed sign-ins for this account or from this address. Try again in "
        "%(minutes)s minute, or ask an administrator to unlock it.",
        "Too many failed sign-ins for this account or from this address. Try again in "
        "%(minutes)s minutes, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The sign-in page again, in the visitor's language, saying how long to wait (429).

    Axes calls this (``AXES_LOCKOUT_CALLABLE``) in place of the login view's answer when the
    account or the address is locked, whether the password was right or not. Nobody is
    signed in yet, so the language is the browser's (language cookie, then
    ``Accept-Language``), Chinese when it asks for neither.
    """
    with translation.override(translation.get_language_from_request(request)):
        return _lockout_page(request, credentials)


def _lockout_page(request: HttpRequest, credentials) -> HttpResponse:
    username = get_client_username(request, credentials) or ""
    ends_at = lockout_ends_at(username=username, address=login_client_address(request))
    # Shown through the messages the login template lists; used up by this page.
    messages.error(request, lockout_message(ends_at=ends_at))
    user_model = get_user_model()
    context = {
        "form": get_user_login_form()(request, initial={"username": username}),
        "next": request.POST.get("next") or request.GET.get("next") or reverse("wagtailadmin_home"),
        "show_password_reset": password_reset_enabled(),
        "username_field": user_model._meta.get_field(user_model.USERNAME_FIELD).verbose_name,
    }
    # Rendered here: axes hands this back from a middleware, after templates are rendered.
    response = TemplateResponse(request, LOGIN_TEMPLATE, context, status=429).render()
    if ends_at is not None:
        response["Retry-After"] = str(max(1, math.ceil((ends_at - timezone.now()).total_seconds())))
    return response


# --- what staff see and undo ------------------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    """A locked account (``kind == "username"``) or address (``kind == "ip_address"``)."""

    kind: str
    value: str
    failures: int
    last_failure: datetime
    ends_at: datetime | None

    @property
    def kind_label(self) -> str:
        return _("Account") if self.kind == "username" else _("Address")


def lockouts_current(*, now: datetime | None = None) -> list[Lockout]:
    """Accounts and addresses locked now, the most recent first."""
    now = now or timezone.now()
    cool_off: timedelta | None = get_cool_off()
    limit = settings.AXES_FAILURE_LIMIT
    attempts = AccessAttempt.objects.all()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gt=now - cool_off)
    found = []
    for kind in ("username", "ip_address"):
        rows = (
            attempts.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
        )
        for row in rows:
            found.append(
                Lockout(
                    kind=kind,
                    value=row[kind],
                    failures=row["failures"],
                    last_failure=row["last"],
                    ends_at=row["last"] + cool_off if cool_off is not None else None,
                )
            )
    return sorted(found, key=lambda lockout: lockout.last_failure, reverse=True)


def lockout_reset(*, kind: str, value: str) -> int:
    """Forget the failed sign-ins of an account or an address; returns how many were removed."""
    if kind == "username":
        return reset(username=value)
    if kind == "ip_address":
        return reset(ip=value)
    raise ValueError(f"unknown lockout kind {kind!r}")
