"""The report, roster and pay sheet by role: Officials read and export, change nothing, see IDs masked."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.tickets.factories import PASSWORD, UserFactory
from tests.workforce.conftest import Q2
from tests.workforce.factories import VillagerFactory, task_with_rates
from workforce import services
from workforce.models import Villager, WageBatch, WorkEntry
from workforce.reports import job_report

REPORT = "/admin/workforce/report/"
ROSTER = "/admin/workforce/roster/"
Q2_QUERY = {"period": "quarter", "year": "2026", "quarter": "2"}


@pytest.fixture
def batch(workforce):
    batch = services.wage_batch_create(period_start=Q2[0], period_end=Q2[1])
    services.wage_batch_approve(batch=batch)
    return services.wage_batch_pay(
        batch=batch, paid_on=datetime.date(2026, 7, 5), reference="ICBC-0705"
    )


def full_ids():
    return [v.id_number for v in Villager.objects.all()]


def assert_no_full_id(text: str):
    for number in full_ids():
        assert number not in text
        assert number[:3] + "***********" + number[-4:] in text or number[:6] not in text


def xlsx_sheets(response) -> dict[str, list[tuple]]:
    """Each sheet's table, headings first (the title lines above, frozen off, are left out)."""
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {
        sheet.title: list(
            sheet.iter_rows(min_row=sheet[sheet.freeze_panes].row - 1, values_only=True)
        )
        for sheet in book.worksheets
    }


def test_official_reads_the_report_with_previous_period_and_definitions(official, workforce):
    response = official.get(REPORT, Q2_QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="employed"' in html
    assert "250" in html  # the FTE definition states its days
    report = job_report(start=Q2[0], end=Q2[1])
    assert f'data-value="{report.current.wages}"' in html
    assert html.count('class="month-chart__month"') == len(report.months)


def test_official_downloads_the_report_as_xlsx_and_csv_with_the_pages_figures(official, workforce):
    report = job_report(start=Q2[0], end=Q2[1], village="a")
    response = official.get(REPORT, {**Q2_QUERY, "village": "a", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheets = xlsx_sheets(response)
    figures = {row[0]: row[1] for row in sheets["Figures"][1:] if row and row[1] is not None}
    assert figures["Villagers employed"] == report.current.employed
    assert Decimal(str(figures["Wages (CNY)"])) == report.current.wages
    assert len(sheets) == 7
    response = official.get(REPORT, {**Q2_QUERY, "format": "csv"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Villagers employed", "3", "1"][:2] == next(
        r for r in rows if r and r[0] == "Villagers employed"
    )[:2]


def test_roster_masks_id_numbers_in_the_page_and_in_every_export(official, workforce):
    page = official.get(ROSTER, Q2_QUERY).content.decode()
    assert workforce.wang.name in page and workforce.zhao.name not in page
    assert workforce.wang.masked_id_number in page
    xlsx = official.get(ROSTER, {**Q2_QUERY, "format": "xlsx"})
    csv_text = official.get(ROSTER, {**Q2_QUERY, "format": "csv"}).content.decode("utf-8-sig")
    cells = " ".join(str(c) for rows in xlsx_sheets(xlsx).values() for row in rows for c in row)
    title = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]["A1"].value
    assert title == "Roster (花名册)"  # once, not "Roster (花名册) · Roster"
    for text in (page, csv_text, cells):
        assert workforce.wang.masked_id_number in text
        for number in full_ids():
            assert number not in text


def test_superusers_see_whole_id_numbers(client, workforce):
    client.force_login(
        get_user_model().objects.create_superuser("root", "root@huagu.example", PASSWORD)
    )
    page = client.get(ROSTER, Q2_QUERY).content.decode()
    assert workforce.wang.id_number in page


def test_pay_sheet_has_a_signature_column_and_masked_ids(official, workforce, batch):
    url = reverse("workforce_pay_sheet", args=[batch.pk])
    page = official.get(url).content.decode()
    assert "Signature" in page and "ICBC-0705" in page
    assert workforce.wang.masked_id_number in page
    sheets = xlsx_sheets(official.get(url, {"format": "xlsx"}))
    rows = next(iter(sheets.values()))
    assert rows[0][-1] == "Signature"
    total = sum(Decimal(str(r[7])) for r in rows[1:] if r and isinstance(r[0], int))
    assert total == sum(e.amount for e in WorkEntry.objects.filter(batch=batch))
    csv_text = official.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    for text in (page, csv_text, str(rows)):
        for number in full_ids():
            assert number not in text


def test_villager_listing_and_export_show_masked_ids(official, workforce):
    page = official.get("/admin/workforce/villagers/").content.decode()
    response = official.get("/admin/workforce/villagers/", {"export": "csv"})
    exported = b"".join(response.streaming_content).decode("utf-8-sig")
    assert workforce.wang.masked_id_number in page
    assert workforce.wang.masked_id_number in exported
    for number in full_ids():
        assert number not in page and number not in exported


WRITE_VIEWSETS = [
    "village",
    "villagegroup",
    "household",
    "householdstatus",
    "villager",
    "employment",
    "task",
    "rate",
    "crew",
    "workentry",
    "wagebatch",
    "landlease",
    "rentpayment",
]


def _first_pk(model_name):
    from django.apps import apps

    return apps.get_model("workforce", model_name).objects.values_list("pk", flat=True).first()


@pytest.mark.parametrize("model_name", WRITE_VIEWSETS)
def test_every_write_url_answers_403_to_officials(official, workforce, batch, model_name):
    pk = _first_pk(model_name)
    assert pk is not None
    urls = [
        reverse(f"workforce_{model_name}:add"),
        reverse(f"workforce_{model_name}:edit", args=[pk]),
        reverse(f"workforce_{model_name}:delete", args=[pk]),
    ]
    for url in urls:
        assert official.get(url).status_code == 403, url
        assert official.post(url, {}).status_code == 403, url
    assert official.get(reverse(f"workforce_{model_name}:index")).status_code == 200


def test_officials_cannot_record_a_crews_day(official, workforce):
    assert official.get("/admin/workforce/crew-day/").status_code == 403
    assert official.post("/admin/workforce/crew-day/", {"date": "2026-04-01"}).status_code == 403
    assert WorkEntry.objects.count() == 12


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tickets/orders/",
        "/admin/tickets/slots/",
        "/admin/reports/visitors/",
        "/admin/tickets/open-capacity/",
    ],
)
def test_officials_reach_no_ticket_or_payment_data(official, url):
    # The tickets admin refuses the Wagtail way: a redirect to the dashboard, no data.
    response = official.get(url)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == "/admin/"


def test_staff_without_a_role_cannot_read_the_report(client, workforce):
    user = UserFactory()
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(REPORT).status_code == 403
    assert client.get(ROSTER).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(REPORT)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"period": "decade"},
        {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"},
        {"period": "custom", "start": "not-a-date"},
        {"village": "nowhere"},
    ],
)
def test_bad_report_input_gets_a_form_error_not_a_500(official, workforce, query):
    for url in (REPORT, ROSTER):
        response = official.get(url, query)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()


def test_report_page_queries_do_not_grow_with_the_data(
    official, workforce, django_assert_max_num_queries
):
    official.get(REPORT, Q2_QUERY)
    task = task_with_rates()
    for n in range(30):
        villager = VillagerFactory(household=workforce.households.a2)
        services.work_entry_record(
            villager=villager,
            date=datetime.date(2026, 4, 1 + n % 28),
            task=task,
            basis="day",
            quantity=1,
        )
    with django_assert_max_num_queries(26):
        assert official.get(REPORT, Q2_QUERY).status_code == 200
    with django_assert_max_num_queries(26):
        assert official.get(ROSTER, Q2_QUERY).status_code == 200


def test_manager_records_a_crews_day(manager, workforce):
    before = WorkEntry.objects.count()
    url = "/admin/workforce/crew-day/?village=a"
    page = manager.get(url)
    assert page.status_code == 200
    response = manager.post(
        url,
        {
            "date": "2026-04-20",
            "task": workforce.planting.pk,
            "basis": "piece",
            "crew": workforce.crew_a.pk,
            f"q_{workforce.wang.pk}": "200",
            f"q_{workforce.li.pk}": "160",
        },
    )
    assert response.status_code == 302
    assert WorkEntry.objects.count() == before + 2
    assert WorkEntry.objects.get(villager=workforce.li, date="2026-04-20").amount == Decimal(
        "80.00"
    )
    # The manager lands on the listing of that day's crew work alone: the two new rows.
    listing = manager.get(response["Location"])
    shown = {row.pk for row in listing.context["object_list"]}
    recorded = WorkEntry.objects.filter(date="2026-04-20", crew=workforce.crew_a)
    assert shown == set(recorded.values_list("pk", flat=True)) and len(shown) == 2
    assert "Recorded 2 work entries for" in listing.content.decode()


def test_a_crews_day_without_anyone_present_gets_a_form_error(manager, workforce):
    response = manager.post(
        "/admin/workforce/crew-day/?village=a",
        {"date": "2026-04-20", "task": workforce.planting.pk, "basis": "day"},
    )
    assert response.status_code == 200
    assert "at least one villager" in response.content.decode()


def test_a_crews_day_under_the_minimum_pay_gets_a_form_error(manager, workforce, settings):
    settings.WORKFORCE_MINIMUM_DAY_PAY = "120"
    before = WorkEntry.objects.count()
    response = manager.post(
        "/admin/workforce/crew-day/?village=a",
        {
            "date": "2026-04-20",
            "task": workforce.planting.pk,
            "basis": "day",
            f"q_{workforce.wang.pk}": "1",
        },
    )
    assert response.status_code == 200
    assert "minimum day" in response.content.decode()
    assert WorkEntry.objects.count() == before


def test_the_villager_form_never_shows_the_whole_id_number(manager, workforce):
    url = reverse("workforce_villager:edit", args=[workforce.wang.pk])
    page = manager.get(url).content.decode()
    assert workforce.wang.id_number not in page
    assert workforce.wang.masked_id_number in page


def test_manager_edits_a_work_entry_and_the_amount_follows_the_rate_table(manager, workforce):
    entry = WorkEntry.objects.filter(villager=workforce.li, basis="piece").get()
    url = reverse("workforce_workentry:edit", args=[entry.pk])
    response = manager.post(
        url,
        {
            "date": entry.date.isoformat(),
            "villager": entry.villager_id,
            "task": entry.task_id,
            "basis": "piece",
            "quantity": "400",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.amount == Decimal("200.00")


def test_batches_list_links_each_pay_sheet(manager, batch):
    page = manager.get("/admin/workforce/wage-batches/").content.decode()
    assert reverse("workforce_pay_sheet", args=[batch.pk]) in page
    assert WageBatch.objects.count() == 1


def test_the_quarters_are_named_in_the_readers_language():
    from django.utils import translation

    from workforce.forms import ReportForm

    for language, first, last in (("zh-hans", "第1季度", "第4季度"), ("en", "Q1", "Q4")):
        with translation.override(language):
            labels = [str(label) for _, label in ReportForm().fields["quarter"].choices]
        assert (labels[0], labels[-1], len(labels)) == (first, last, 4)
