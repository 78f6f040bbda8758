"""The history of workforce changes: who changed which field from what to what, in the admin.

Pages are read in English (the user's preference), so the assertions read the source
text; the figures are computed here from the rates, not read back from the code.
"""

import datetime
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.log_actions import LogContext
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from core import history
from tests.tickets.factories import user_in_role
from tests.workforce.factories import VillageFactory, VillagerFactory, household_in, task_with_rates
from workforce import services
from workforce.models import Crew, Villager, WageBatch, WorkEntry

pytestmark = pytest.mark.django_db

d = datetime.date
DAY_RATE, HOUR_RATE = Decimal("100.00"), Decimal("15.00")


def in_english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def manager(client):
    user = in_english(user_in_role("Farm managers", first_name="", last_name=""))
    client.force_login(user)
    return user


def history_text(client, url_name, pk) -> str:
    response = client.get(reverse(url_name, args=[pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def entries_for(instance):
    return ModelLogEntry.objects.filter(
        content_type__model=instance._meta.model_name, object_id=str(instance.pk)
    )


def test_a_corrected_work_entrys_history_shows_the_old_and_new_wage_and_who(client, manager):
    task = task_with_rates(day=str(DAY_RATE))
    villager = VillagerFactory(name="王")
    entry = services.work_entry_record(
        villager=villager, date=d(2026, 4, 1), task=task, basis="day", quantity=Decimal("1")
    )
    batch = services.wage_batch_create(period_start=d(2026, 4, 1), period_end=d(2026, 4, 30))
    services.wage_batch_approve(batch=batch)
    services.wage_batch_pay(batch=batch, paid_on=d(2026, 5, 5), reference="ICBC-1")

    # The correction flow the app offers for a paid entry: its locked page's form.
    response = client.post(
        reverse("workforce_workentry_correct", args=[entry.pk]),
        {"quantity_change": "0", "amount_change": "30.00", "note": "rain bonus forgotten"},
    )
    assert response.status_code == 302

    # The locked entry's page links to its history.
    locked_page = client.get(reverse("workforce_workentry:edit", args=[entry.pk])).content.decode()
    assert reverse("workforce_workentry:history", args=[entry.pk]) in locked_page

    old_wage = DAY_RATE * 1
    new_wage = old_wage + Decimal("30.00")
    page = history_text(client, "workforce_workentry:history", entry.pk)
    assert f"amount (CNY): {old_wage} → {new_wage}" in page
    assert "rain bonus forgotten" in page
    assert manager.get_username() in page
    # In the Chinese admin, the same line in Chinese.
    profile = UserProfile.get_for_user(manager)
    profile.preferred_language = "zh-hans"
    profile.save()
    page = history_text(client, "workforce_workentry:history", entry.pk)
    assert f"金额（元）：{old_wage} → {new_wage}" in page and "原因：rain bonus forgotten" in page
    # The old wage stays what the villager was paid; the net is what the log shows.
    assert WorkEntry.objects.get(pk=entry.pk).amount == old_wage


def test_a_work_entry_edited_in_the_admin_form_logs_the_repriced_wage_and_who(client, manager):
    task = task_with_rates(hour=str(HOUR_RATE))
    villager = VillagerFactory(name="李")
    entry = services.work_entry_record(
        villager=villager, date=d(2026, 4, 2), task=task, basis="hour", quantity=Decimal("8")
    )
    response = client.post(
        reverse("workforce_workentry:edit", args=[entry.pk]),
        {
            "date": "2026-04-02",
            "villager": villager.pk,
            "task": task.pk,
            "basis": "hour",
            "quantity": "10",
        },
    )
    assert response.status_code == 302
    page = history_text(client, "workforce_workentry:history", entry.pk)
    assert f"amount (CNY): {HOUR_RATE * 8} → {HOUR_RATE * 10}" in page
    assert "quantity: 8.00 → 10.00" in page
    assert manager.get_username() in page
    # One entry for the edit: the bare "Edited" Wagtail would add is replaced by the changes.
    assert entries_for(entry).filter(action="wagtail.edit").count() == 0
    assert entries_for(entry).filter(action=history.EDIT).count() == 1


def test_id_numbers_are_masked_in_the_history_and_in_the_log_itself(client, manager):
    household = household_in(VillageFactory())
    response = client.post(
        reverse("workforce_villager:add"),
        {
            "household": household.pk,
            "name": "赵",
            "gender": "f",
            "birth_year": "1980",
            "phone": "",
            "new_id_number": "511602198001011234",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    villager = Villager.objects.get(name="赵")
    response = client.post(
        reverse("workforce_villager:edit", args=[villager.pk]),
        {
            "household": household.pk,
            "name": "赵",
            "gender": "f",
            "birth_year": "1980",
            "phone": "",
            "new_id_number": "51160219800101567X",
        },
    )
    assert response.status_code == 302
    assert Villager.objects.get(pk=villager.pk).id_number == "51160219800101567X"

    page = history_text(client, "workforce_villager:history", villager.pk)
    assert "511***********1234 → 511***********567X" in page
    assert "511602198001011234" not in page and "51160219800101567X" not in page
    stored = " ".join(str(e.data) for e in entries_for(villager))
    assert "1980010112" not in stored and "511***********1234" in stored


def test_a_crews_day_logs_one_entry_naming_its_work_with_bounded_queries(client, manager):
    village = VillageFactory(code="a")
    task = task_with_rates(day=str(DAY_RATE))
    crew = Crew.objects.create(name="一组", village=village)
    household = household_in(village)
    villagers = [VillagerFactory(household=household, name=f"村民{i}") for i in range(3)]
    before = ModelLogEntry.objects.count()
    response = client.post(
        "/admin/workforce/crew-day/?village=a",
        {
            "date": "2026-04-03",
            "task": task.pk,
            "basis": "day",
            "crew": crew.pk,
            **{f"q_{v.pk}": "1" for v in villagers},
        },
    )
    assert response.status_code == 302
    assert WorkEntry.objects.count() == 3
    assert ModelLogEntry.objects.count() == before + 1
    page = history_text(client, "workforce_crew:history", crew.pk)
    assert "Created 3 work entries in one go" in page
    assert all(f"{v.name} ¥{DAY_RATE}" in page for v in villagers)
    assert manager.get_username() in page

    # More villagers, no more log queries: the log is one row whatever the crew's size.
    def log_queries_for(count, day):
        people = [VillagerFactory(household=household) for _ in range(count)]
        with CaptureQueriesContext(connection) as queries, LogContext(user=manager):
            services.crew_day_record(
                date=day,
                task=task,
                basis="day",
                quantities={p.pk: Decimal("1") for p in people},
                crew=crew,
            )
        return [q for q in queries if "wagtailcore_modellogentry" in q["sql"]]

    assert len(log_queries_for(2, d(2026, 4, 6))) == len(log_queries_for(12, d(2026, 4, 7))) == 1


def test_a_wage_batch_logs_one_entry_for_its_work_and_each_step(client, manager):
    task = task_with_rates(day=str(DAY_RATE))
    people = [VillagerFactory(name=f"工人{i}") for i in range(12)]
    for person in people:
        services.work_entry_record(
            villager=person, date=d(2026, 4, 8), task=task, basis="day", quantity=Decimal("1")
        )
    with LogContext(user=manager):
        batch = services.wage_batch_create(
            period_start=d(2026, 4, 1), period_end=d(2026, 4, 30), user=manager
        )
        services.wage_batch_approve(batch=batch, user=manager)
    assert entries_for(batch).count() == 2
    page = history_text(client, "workforce_wagebatch:history", batch.pk)
    assert "Created with 12 work entries" in page and "and 2 more" in page
    with translation.override("en"):
        draft, approved = str(WageBatch.Status.DRAFT.label), str(WageBatch.Status.APPROVED.label)
    assert f"status: {draft} → {approved}" in page
