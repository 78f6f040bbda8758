"""The home page's impact figure comes from the report's selector, as aggregates only."""

import datetime

from django.utils import timezone

from tests.workforce.factories import VillagerFactory, task_with_rates, work
from workforce.reports import impact_this_year, job_report


def test_home_page_shows_villagers_employed_and_wages_this_year(client, home_page):
    today = timezone.localdate()
    task = task_with_rates(day="1000.00")
    villagers = [VillagerFactory() for _ in range(3)]
    for villager in villagers:
        work(villager, today, task)
    work(villagers[0], today.replace(year=today.year - 1), task)  # last year: not counted
    report = job_report(start=datetime.date(today.year, 1, 1), end=today).current
    impact = impact_this_year()
    assert (impact["employed"], impact["wages"]) == (report.employed, report.wages) == (3, 3000)
    html = client.get("/").content.decode()
    assert 'id="impact-heading"' in html
    assert "¥3,000" in html  # grouped in Chinese too
    for villager in villagers:
        assert villager.name not in html


def test_home_page_without_work_shows_no_figure(client, home_page):
    assert 'id="impact-heading"' not in client.get("/").content.decode()
