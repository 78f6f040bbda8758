"""The farm manager's home screen: survival checks due and overdue, lots low on stock,
and the ways to record a planting or a purchase."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from wagtail.permissions import policy_registry

from core.dashboard import DashboardPanel

from .models import Planting, StockLot, SurvivalCheck

# A check due within this many days (today included) is listed as coming up.
DUE_SOON_DAYS = 7
LISTED = 10


@dataclass
class ChecksDue:
    overdue_count: int
    due_count: int
    overdue: list
    due: list


def survival_checks_due(*, today: datetime.date, days: int = DUE_SOON_DAYS) -> ChecksDue:
    """Checks not yet done: overdue (due before ``today``) and due from today within ``days``."""
    open_checks = SurvivalCheck.objects.filter(checked_on__isnull=True).select_related(
        "planting__zone", "planting__species"
    )
    overdue = open_checks.filter(due_on__lt=today).order_by("due_on", "pk")
    due = open_checks.filter(
        due_on__gte=today, due_on__lt=today + datetime.timedelta(days=days)
    ).order_by("due_on", "pk")
    return ChecksDue(
        overdue_count=overdue.count(),
        due_count=due.count(),
        overdue=list(overdue[:LISTED]),
        due=list(due[:LISTED]),
    )


def lots_low_on_stock(*, default_level: int | None = None) -> QuerySet:
    """Lots whose available plants (on hand less reserved) are under their reorder level.

    A lot's own ``reorder_level`` rules when set (0 never shows); otherwise
    ``NURSERY_LOW_STOCK_LEVEL`` applies, and only while plants are on hand: a lot planted
    out to the last plant is finished, not short.
    """
    if default_level is None:
        default_level = settings.NURSERY_LOW_STOCK_LEVEL
    available = F("on_hand") - F("reserved")
    own_level = Q(reorder_level__isnull=False) & Q(reorder_level__gt=available)
    default = Q(reorder_level__isnull=True, on_hand__gt=0) & Q(
        on_hand__lt=F("reserved") + default_level
    )
    return (
        StockLot.objects.filter(own_level | default)
        .select_related("species", "zone")
        .order_by("species__name", "code")
    )


class ManagerPanel(DashboardPanel):
    """Survival checks, low stock and the day's recording links, for Farm managers."""

    name = "huagu_nursery_manager"
    template_name = "nursery/dashboard/manager_panel.html"
    order = 100
    permission = "nursery.add_survivalcheck"

    def get_panel_context(self, request) -> dict:
        today = timezone.localdate()
        low = lots_low_on_stock()
        checks_url = reverse("nursery_survivalcheck:index")
        planting_policy = policy_registry.get_by_type(Planting)
        if planting_policy.user_has_permission(request.user, "add"):
            planting_url = reverse("nursery_planting:add")
        else:
            # The admin records plantings through the field form's service-backed form.
            planting_url = reverse("nursery_field")
        return {
            "today": today,
            "checks": survival_checks_due(today=today),
            "due_days": DUE_SOON_DAYS,
            "low_lots": list(low[:LISTED]),
            "low_count": low.count(),
            "default_level": settings.NURSERY_LOW_STOCK_LEVEL,
            "overdue_url": f"{checks_url}?checked_on__isnull=true&due_on__lte="
            f"{today - datetime.timedelta(days=1)}",
            "due_url": f"{checks_url}?checked_on__isnull=true&due_on__gte={today}"
            f"&due_on__lte={today + datetime.timedelta(days=DUE_SOON_DAYS - 1)}",
            "field_url": reverse("nursery_field"),
            "field_check_url": reverse("nursery_field") + "?form=check",
            "planting_url": planting_url,
            "purchase_url": reverse("nursery_acquisition_record"),
            "stock_url": reverse("nursery_stock_record"),
            "lots_url": reverse("nursery_stocklot:index"),
        }
