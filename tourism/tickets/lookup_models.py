"""One-time codes that prove a tourist holds a phone number or an email address.

Neither the code nor the phone or address is stored as it is: both are keyed hashes
(HMAC with the site's secret key), so a database dump alone tells no one which numbers
looked up their orders, and six-digit codes cannot be tried offline against it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LookupCode(models.Model):
    """A code sent for "find my tickets"; valid until it expires, is used, or is tried too often."""

    # Not content: Wagtail's reference index would add queries to every lookup.
    wagtail_reference_index_ignore = True

    class Channel(models.TextChoices):
        PHONE = "phone", _("Text message")
        EMAIL = "email", _("Email")

    channel = models.CharField(_("sent by"), max_length=5, choices=Channel.choices)
    identity_hash = models.CharField(_("phone or email (hashed)"), max_length=64, db_index=True)
    code_hash = models.CharField(_("code (hashed)"), max_length=64)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    failed_tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("order lookup code")
        verbose_name_plural = _("order lookup codes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="lookup_code_expires_after_sending",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.created_at:%Y-%m-%d %H:%M}"
