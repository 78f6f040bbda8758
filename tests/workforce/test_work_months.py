"""Months of work stay equal to their entries through every way of writing work, and
a planting's crew records its work against the planting."""

import datetime
import io
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from nursery import services as nursery_services
from tests.nursery.factories import ZoneFactory, make_lot
from tests.workforce.factories import VillagerFactory, task_with_rates, work
from workforce import services
from workforce.models import Crew, WorkEntry, WorkMonth
from workforce.reports import job_report

d = datetime.date


def recounted() -> dict:
    """Months of work worked out from every entry, in plain Python."""
    days, wages = defaultdict(set), defaultdict(Decimal)
    for entry in WorkEntry.objects.all():
        key = (entry.villager_id, entry.date.replace(day=1))
        days[key].add(entry.date)
        wages[key] += entry.amount
    return {key: (len(days[key]), wages[key]) for key in days}


def stored() -> dict:
    return {(m.villager_id, m.month): (m.days, m.wages) for m in WorkMonth.objects.all()}


def test_months_of_work_follow_recorded_work(workforce):
    assert stored() == recounted()
    assert stored()[(workforce.wang.pk, d(2026, 5, 1))][0] == 1  # two entries, one day


def test_months_of_work_follow_a_crews_day(workforce):
    services.crew_day_record(
        date=d(2026, 8, 3),
        task=workforce.planting,
        basis="day",
        quantities={workforce.wang.pk: Decimal("1"), workforce.qian.pk: Decimal("1")},
    )
    assert stored() == recounted()
    assert stored()[(workforce.qian.pk, d(2026, 8, 1))] == (1, Decimal("100.00"))


def test_months_of_work_follow_an_admin_edit_that_moves_the_entry(manager, workforce):
    entry = WorkEntry.objects.filter(villager=workforce.li).order_by("date").first()
    old_month = (workforce.li.pk, entry.date.replace(day=1))
    response = manager.post(
        reverse("workforce_workentry:edit", args=[entry.pk]),
        {
            "date": "2026-09-14",
            "villager": workforce.qian.pk,
            "task": entry.task_id,
            "basis": entry.basis,
            "quantity": str(entry.quantity),
        },
    )
    assert response.status_code == 302
    assert stored() == recounted()
    assert (workforce.qian.pk, d(2026, 9, 1)) in stored()
    assert stored().get(old_month) == recounted().get(old_month)


def test_months_of_work_follow_an_admin_delete(manager, workforce):
    entry = WorkEntry.objects.get(villager=workforce.zhang, date=d(2026, 6, 30))
    response = manager.post(reverse("workforce_workentry:delete", args=[entry.pk]))
    assert response.status_code == 302
    assert not WorkEntry.objects.filter(pk=entry.pk).exists()
    assert stored() == recounted()
    assert (workforce.zhang.pk, d(2026, 6, 1)) not in stored()


def test_rebuilding_the_months_of_work_gives_the_same_rows(workforce):
    before = stored()
    WorkMonth.objects.all().delete()
    assert services.work_months_rebuild() == len(before)
    assert stored() == before


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (d(2026, 3, 15), d(2026, 6, 29)),  # partial first and last months, whole ones between
        (d(2026, 5, 20), d(2026, 6, 30)),  # partial first month, whole last
        (d(2026, 4, 1), d(2026, 5, 19)),  # whole first month, partial last
        (d(2026, 5, 10), d(2026, 5, 20)),  # inside one month
    ],
)
def test_a_report_with_partial_months_counts_each_day_once(workforce, start, end):
    # A second entry on 20 May, piece work after the day's (a date holds one day's work).
    work(workforce.wang, d(2026, 5, 20), workforce.weeding, basis="piece", quantity="200")
    report = job_report(start=start, end=end, compare=False)
    entries = [e for e in WorkEntry.objects.all() if start <= e.date <= end]
    assert report.current.person_days == len({(e.villager_id, e.date) for e in entries})
    assert report.current.wages == sum((e.amount for e in entries), Decimal("0"))
    assert report.current.employed == len({e.villager_id for e in entries})


@pytest.fixture
def planting(workforce):
    zone = ZoneFactory()
    lot = make_lot(40, zone=zone, days=400)
    return nursery_services.planting_record(
        planted_on=d(2026, 4, 20), zone=zone, lot=lot, quantity=30, crew=workforce.crew_a.name
    )


def test_a_plantings_crew_records_its_work_against_the_planting(manager, workforce, planting):
    work(workforce.li, d(2026, 4, 18), workforce.planting, crew=workforce.crew_a)
    url = f"{reverse('workforce_crew_day')}?planting={planting.pk}"
    page = manager.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    # The planting's date, zone and crew, and who worked in the crew on its last day before.
    assert form.initial["date"] == planting.planted_on
    assert form.initial["zone"] == planting.zone
    assert form.initial["crew"] == workforce.crew_a
    assert form.initial[f"q_{workforce.li.pk}"] == 1
    assert f"q_{workforce.wang.pk}" not in form.initial
    response = manager.post(
        url,
        {
            "date": "2026-04-20",
            "task": workforce.planting.pk,
            "basis": "day",
            "crew": workforce.crew_a.pk,
            "planting": planting.pk,
            f"q_{workforce.wang.pk}": "1",
            f"q_{workforce.li.pk}": "1",
        },
    )
    assert response.status_code == 302
    entries = WorkEntry.objects.filter(planting=planting)
    assert {e.villager_id for e in entries} == {workforce.wang.pk, workforce.li.pk}
    assert {e.zone_id for e in entries} == {planting.zone_id}
    assert stored() == recounted()
    listing = manager.get(reverse("nursery_planting:index")).content.decode()
    assert f"?planting={planting.pk}" in listing
    assert "2 work entries" in listing


def test_planting_work_in_another_zone_is_refused_and_saves_nothing(manager, workforce, planting):
    before = WorkEntry.objects.count()
    response = manager.post(
        f"{reverse('workforce_crew_day')}?planting={planting.pk}",
        {
            "date": "2026-04-20",
            "task": workforce.planting.pk,
            "basis": "day",
            "planting": planting.pk,
            "zone": ZoneFactory().pk,
            f"q_{workforce.wang.pk}": "1",
        },
    )
    assert response.status_code == 200
    assert "choose that zone or none" in response.content.decode()
    assert WorkEntry.objects.count() == before


def test_planting_work_dated_before_the_planting_is_refused(workforce, planting):
    with pytest.raises(services.WorkforceError, match="before it was planted"):
        services.work_entry_record(
            villager=workforce.wang,
            date=d(2026, 4, 19),
            task=workforce.planting,
            basis="day",
            quantity=Decimal("1"),
            planting=planting,
        )
    assert not WorkEntry.objects.filter(planting=planting).exists()


def test_unknown_planting_in_the_address_shows_the_plain_form(manager, workforce):
    page = manager.get(f"{reverse('workforce_crew_day')}?planting=999999")
    assert page.status_code == 200
    assert "date" not in page.context["form"].initial
    assert Crew.objects.count() == 2
    # The plain form offers today, written as the browser's date picker reads it.
    today = timezone.localdate()
    assert f'name="date" value="{today:%Y-%m-%d}"' in page.content.decode()


def test_the_rebuild_command_recounts_months_of_work_loaded_around_the_app(workforce):
    WorkMonth.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_work_months", stdout=out)
    assert stored() == recounted()
    assert f"{len(recounted())} months of work" in out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_of_one_villagers_month_leave_it_counted_right():
    """Real threads, each with its own connection: the villager's lock orders their recounts."""
    villager = VillagerFactory()
    task = task_with_rates(day="100.00")
    barrier = threading.Barrier(6)

    def record(n):
        barrier.wait()
        try:
            work(villager, d(2026, 3, 1 + n), task)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(record, range(6)))

    assert WorkEntry.objects.count() == 6
    assert stored() == {(villager.pk, d(2026, 3, 1)): (6, Decimal("600.00"))}


def test_a_work_entry_added_in_the_admin_for_a_planting_takes_its_zone(
    manager, workforce, planting
):
    response = manager.post(
        reverse("workforce_workentry:add"),
        {
            "date": "2026-04-21",
            "villager": workforce.qian.pk,
            "task": workforce.planting.pk,
            "planting": planting.pk,
            "basis": "day",
            "quantity": "1",
        },
    )
    assert response.status_code == 302
    entry = WorkEntry.objects.get(planting=planting)
    assert entry.zone_id == planting.zone_id
    assert stored() == recounted()
