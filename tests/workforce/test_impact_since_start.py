"""Villagers employed since the park's first work entry, and how many came from poverty households."""

import datetime

import pytest
from django.utils import timezone

from tests.workforce.factories import VillageFactory, household_in, task_with_rates, work
from tests.workforce.factories import VillagerFactory as Villager
from workforce.models import HouseholdStatus, PovertyStatus, WorkEntry
from workforce.reports import POVERTY_STATUSES, impact_since_start


def independent_count(today: datetime.date) -> tuple[int, int]:
    """Counted straight from the work entries and each household's latest status by ``today``."""
    worked = {
        (entry.villager_id, entry.villager.household_id)
        for entry in WorkEntry.objects.filter(date__lte=today).select_related("villager")
    }
    poor = 0
    for _villager, household in worked:
        statuses = HouseholdStatus.objects.filter(household_id=household, since__lte=today)
        latest = max(statuses, key=lambda s: s.since, default=None)
        poor += latest is not None and latest.status in POVERTY_STATUSES
    return len(worked), poor


@pytest.fixture
def years_of_work(db):
    """Six villagers over five years: former workers, a household that left poverty, one that fell in."""
    today = timezone.localdate()
    village = VillageFactory()
    task = task_with_rates(since=datetime.date(2015, 1, 1))
    first_season = today.replace(year=today.year - 5, month=3, day=2)
    lifted = Villager(household=household_in(village, status=PovertyStatus.LIFTED))
    plain = Villager(household=household_in(village))
    # Monitored in the first season, out of monitoring since: not counted as poor today.
    recovered_household = household_in(
        village, status=PovertyStatus.MARGINAL, since=datetime.date(2016, 1, 1)
    )
    HouseholdStatus.objects.create(
        household=recovered_household, status=PovertyStatus.NONE, since=today.replace(day=1)
    )
    recovered = Villager(household=recovered_household)
    # Fell into hardship after working: counted, as the job report counts by the last day.
    hardship_household = household_in(village)
    HouseholdStatus.objects.create(
        household=hardship_household,
        status=PovertyStatus.HARDSHIP,
        since=today - datetime.timedelta(days=30),
    )
    hardship = Villager(household=hardship_household)
    never = Villager(household=household_in(village, status=PovertyStatus.LIFTED))  # no work
    tomorrow_only = Villager(household=household_in(village))

    work(lifted, first_season, task)  # the first entry: a former worker
    work(recovered, first_season + datetime.timedelta(days=40), task)
    work(plain, today.replace(year=today.year - 2, month=6, day=1), task)
    work(plain, today, task)
    work(hardship, today.replace(year=today.year - 3, month=4, day=1), task)
    work(tomorrow_only, today + datetime.timedelta(days=1), task)  # after today: not yet
    return {"today": today, "first": first_season, "never": never}


def test_since_start_counts_every_villager_who_ever_worked(years_of_work):
    today = years_of_work["today"]
    impact = impact_since_start(today=today)
    assert impact["since"] == years_of_work["first"]
    assert (impact["employed"], impact["from_poverty_households"]) == independent_count(today)
    assert (impact["employed"], impact["from_poverty_households"]) == (4, 2)


def test_since_start_without_work_is_empty(db):
    assert impact_since_start() == {"since": None, "employed": 0, "from_poverty_households": 0}


def test_home_page_and_job_report_show_the_figure_since_the_start(
    years_of_work, client, home_page, official
):
    html = client.get("/").content.decode()
    assert 'class="impact__since"' in html
    assert f"{years_of_work['first'].year}" in html
    today = years_of_work["today"]
    response = official.get("/admin/workforce/report/", {"period": "year", "year": today.year})
    assert response.status_code == 200
    report = response.content.decode()
    first = years_of_work["first"].isoformat()
    assert f'data-since="{first}" data-employed="4" data-from-poverty-households="2"' in report
