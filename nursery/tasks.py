"""The nursery's periodic jobs."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.roles import FARM_MANAGERS
from core.tasks import retrying_task

from .dashboard import survival_checks_due


@retrying_task
def survival_checks_due_notice(self) -> int:
    """Tell the farm managers, by email, which survival checks are overdue or due this week.

    Sent only when there is at least one; returns how many managers it went to.
    """
    checks = survival_checks_due(today=timezone.localdate())
    if not checks.overdue_count and not checks.due_count:
        return 0
    recipients = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=FARM_MANAGERS)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        field_url = settings.SITE_BASE_URL.rstrip("/") + reverse("nursery_field")
        subject = _("Survival checks: %(overdue)s overdue, %(due)s due this week") % {
            "overdue": checks.overdue_count,
            "due": checks.due_count,
        }
        body = render_to_string(
            "nursery/email/survival_checks_due.txt", {"checks": checks, "field_url": field_url}
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
