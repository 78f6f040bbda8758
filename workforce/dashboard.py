"""Home-screen panels of the workforce: today's crews for Farm managers, and this year's
job-creation figures beside last year's for Officials (and managers)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core.dashboard import DashboardPanel

from .models import WorkEntry
from .reports import job_report

# The figures of the job-creation report that the home screen shows, in this order.
HOME_FIGURES = [
    "employed",
    "from_poverty_households",
    "poverty_share",
    "new_hires",
    "person_days",
    "fte",
    "wages",
    "households_benefiting",
    "land_rent",
]


@dataclass
class CrewDay:
    """One crew's work on a day (``crew`` is empty for work recorded without a crew)."""

    crew: str
    crew_id: int | None
    villagers: set = field(default_factory=set)
    tasks: list = field(default_factory=list)
    entries: int = 0
    amount: Decimal = Decimal("0.00")

    @property
    def villager_count(self) -> int:
        return len(self.villagers)


def crews_on(*, day: datetime.date) -> list[CrewDay]:
    """The work recorded for ``day``, per crew (crews by name; work without a crew last)."""
    crews: dict[int | None, CrewDay] = {}
    rows = (
        WorkEntry.objects.filter(date=day)
        .values_list("crew_id", "crew__name", "villager_id", "task__name", "amount")
        .order_by("crew__name", "pk")
    )
    for crew_id, crew_name, villager_id, task_name, amount in rows:
        crew = crews.setdefault(crew_id, CrewDay(crew=crew_name or "", crew_id=crew_id))
        crew.villagers.add(villager_id)
        if task_name not in crew.tasks:
            crew.tasks.append(task_name)
        crew.entries += 1
        crew.amount += amount
    return sorted(crews.values(), key=lambda c: (c.crew_id is None, c.crew))


class CrewsTodayPanel(DashboardPanel):
    """Who works today: the crews with work recorded for today, and the way to record more."""

    name = "huagu_workforce_crews_today"
    template_name = "workforce/dashboard/crews_today_panel.html"
    order = 110
    permission = "workforce.add_workentry"

    def get_panel_context(self, request) -> dict:
        today = timezone.localdate()
        crews = crews_on(day=today)
        work_url = reverse("workforce_workentry:index")
        return {
            "today": today,
            "crews": crews,
            "villager_count": len(set().union(*(c.villagers for c in crews))),
            "amount": sum((c.amount for c in crews), Decimal("0.00")),
            "crew_day_url": reverse("workforce_crew_day"),
            "work_url": f"{work_url}?{urlencode({'date__gte': today, 'date__lte': today})}",
        }


class JobFiguresPanel(DashboardPanel):
    """This calendar year's job-creation figures with last year's beside them."""

    name = "huagu_workforce_job_figures"
    template_name = "workforce/dashboard/job_figures_panel.html"
    order = 120
    permission = "workforce.view_workentry"

    def get_panel_context(self, request) -> dict:
        year = timezone.localdate().year
        # The report's own "year" period, so the figures are the ones the report shows.
        report = job_report(start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31))
        rows = {row["key"]: row for row in report.figure_rows()}
        return {
            "year": year,
            "previous_year": year - 1,
            "rows": [rows[key] for key in HOME_FIGURES],
            "report_url": reverse("workforce_report")
            + "?"
            + urlencode({"period": "year", "year": year}),
            "roster_url": reverse("workforce_roster"),
            "show_roster": request.user.has_perm("workforce.view_villager"),
        }
