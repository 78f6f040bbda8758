"""Channel partners and the API keys the park issues them, and which orders each key made.

A key is shown once, when it is issued, and stored only as its SHA-256 digest with a
short visible prefix to recognise it by. Keys are 240 random bits, so a plain digest is
as safe as a slow password hash here and lets a request find its key with one indexed
query; a database dump alone does not let anyone call the API.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Order

KEY_PREFIX = "hg_"
# What the admin and the logs show of a key: "hg_" and its first eight characters.
VISIBLE_LENGTH = len(KEY_PREFIX) + 8


def new_api_key() -> str:
    """A fresh key: ``hg_`` and 40 URL-safe characters (240 random bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(30)


def api_key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def default_rate_limit() -> int:
    return settings.API_KEY_RATE_LIMIT_PER_MINUTE


class Partner(models.Model):
    """A travel agency, a WeChat mini-program or another channel that sells the park's tickets."""

    name = models.CharField(_("partner name"), max_length=100, unique=True)
    contact_name = models.CharField(_("contact person's full name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive partner's keys are all refused until it is active again."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name


class ApiKey(models.Model):
    """One key a partner's system sends as ``Authorization: Bearer <key>``."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="api_keys"
    )
    label = models.CharField(
        _("used for"),
        max_length=100,
        help_text=_("Where the partner uses this key, e.g. “mini-program” or “booking system”."),
    )
    prefix = models.CharField(_("key begins"), max_length=VISIBLE_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests a minute"),
        default=default_rate_limit,
        validators=[MinValueValidator(1)],
        help_text=_("Orders and order reads with this key; more in one minute are refused."),
    )
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Optional: the key is refused from this moment on."),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_limit_per_minute__gte=1),
                name="api_key_rate_limit_positive",
            ),
        ]

    def __str__(self):
        return f"{self.partner} · {self.label} ({self.prefix}…)"

    @property
    def masked(self) -> str:
        return f"{self.prefix}…"

    def state(self, now=None) -> str:
        """``revoked``, ``expired``, ``partner_inactive`` or ``active``."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        if not self.partner.active:
            return "partner_inactive"
        return "active"


class PartnerOrder(models.Model):
    """The key (and so the partner) that made an order through the API."""

    order = models.OneToOneField(
        Order,
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="partner_record",
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="orders"
    )

    class Meta:
        verbose_name = _("partner order")
        verbose_name_plural = _("partner orders")

    def __str__(self):
        return f"{self.order_id} ← {self.api_key}"
