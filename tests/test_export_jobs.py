"""Exports larger than a screen are built by the task queue and downloaded from "My exports";
smaller ones still download at once, and every file's cells are as safe as the download's."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation

from core.export_jobs import ExportJob
from core.tasks import export_job_build, export_jobs_clean
from tests.admin_sign_in import signed_in
from tests.nursery.factories import SpeciesFactory, ZoneFactory, make_lot
from tests.tickets.factories import user_in_role
from tests.workforce.factories import VillageFactory, VillagerFactory, household_in, task_with_rates
from tests.workforce.factories import work as work_done

pytestmark = pytest.mark.django_db

ROSTER = "/admin/workforce/roster/"
REPORT = "/admin/workforce/report/"
Q2 = {"period": "quarter", "year": "2026", "quarter": "2"}
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'


def url(name, args=()):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def screen(settings):
    """A small screen: more than three rows is a large export."""
    settings.EXPORTS_INLINE_MAX_ROWS = 3


@pytest.fixture
def official(client):
    return signed_in(client, "Officials")


@pytest.fixture
def workers(db):
    """Four villagers of one village; the n-th worked n days of Q2 2026 at ¥100 a day.

    The fourth is named like a spreadsheet formula.
    """
    village = VillageFactory(code="a", name="甲村")
    planting = task_with_rates(day="100.00")
    names = ["王一", "李二", "张三", FORMULA_NAME]
    villagers = []
    for number, name in enumerate(names, start=1):
        villager = VillagerFactory(household=household_in(village), name=name)
        for day in range(number):
            work_done(villager, datetime.date(2026, 4, 1 + day), planting)
        villagers.append(villager)
    # Days and wages as the test counts them, not as any report does.
    return {name: (number, Decimal(100 * number)) for number, name in enumerate(names, start=1)}


def queued_roster(client, django_capture_on_commit_callbacks, fmt="xlsx", *, execute=True):
    with django_capture_on_commit_callbacks(execute=execute) as queued:
        response = client.get(ROSTER, {**Q2, "format": fmt})
    return response, queued


def stored(job: ExportJob) -> bytes:
    with default_storage.open(job.file.name, "rb") as file:
        return file.read()


def roster_rows(data: bytes) -> dict[str, tuple]:
    """The roster's rows by villager's name: (days, wages) read from the XLSX."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=sheet[sheet.freeze_panes].row, values_only=True))
    return {row[1]: (row[10], Decimal(str(row[11]))) for row in rows if isinstance(row[0], int)}


def test_a_roster_larger_than_a_screen_is_queued_not_built_in_the_request(
    client, official, workers, screen, django_capture_on_commit_callbacks, media_root
):
    response, queued = queued_roster(client, django_capture_on_commit_callbacks, execute=False)

    assert response.status_code == 302
    assert response["Location"] == url("core_export_jobs")
    job = ExportJob.objects.get()
    assert (job.owner, job.kind, job.format, job.status) == (
        official,
        "workforce_roster",
        "xlsx",
        ExportJob.Status.QUEUED,
    )
    assert job.params == {"period": ["quarter"], "year": ["2026"], "quarter": ["2"]}
    assert not job.file and job.row_count is None
    assert len(queued) == 1  # handed to the queue once the request commits, built there
    assert not (media_root / "exports").exists()

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "being prepared" in html and "4 rows" in html
    assert f'data-export-job="{job.pk}" data-status="queued"' in html
    assert 'http-equiv="refresh"' in html


def test_the_worker_builds_the_roster_the_request_would_have_given(
    client, official, workers, screen, django_capture_on_commit_callbacks
):
    queued_roster(client, django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.row_count == 4
    assert job.filename == "roster-2026-04-01-2026-06-30.xlsx"
    assert job.file.name.startswith("exports/") and job.file.name.endswith(".xlsx")
    assert len(job.file.name) > len("exports/.xlsx") + 30  # a random name, not the title
    assert job.finished_at is not None
    assert roster_rows(stored(job)) == {
        f"'{FORMULA_NAME}" if n.startswith("=") else n: v for n, v in workers.items()
    }


def test_a_csv_roster_built_by_the_worker_quotes_the_formula_and_adds_up(
    client, official, workers, screen, django_capture_on_commit_callbacks
):
    queued_roster(client, django_capture_on_commit_callbacks, fmt="csv")

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.error
    text = stored(job).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens it as UTF-8, as the download
    rows = {row[1]: row for row in csv.reader(io.StringIO(text[1:])) if row and row[0].isdigit()}
    assert set(rows) == {"王一", "李二", "张三", f"'{FORMULA_NAME}"}
    assert not any(name.startswith("=") for name in rows)
    for name, (days, wages) in workers.items():
        row = rows[f"'{name}" if name.startswith("=") else name]
        assert (int(row[10]), Decimal(row[11])) == (days, wages)


def test_the_job_report_larger_than_a_screen_is_built_with_the_pages_figures(
    client, official, workers, settings, django_capture_on_commit_callbacks
):
    settings.EXPORTS_INLINE_MAX_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(REPORT, {**Q2, "format": "xlsx"})

    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.kind == "workforce_report" and job.status == ExportJob.Status.DONE, job.error
    book = openpyxl.load_workbook(io.BytesIO(stored(job)))
    figures = book["Figures"]
    values = {
        row[0]: row[1]
        for row in figures.iter_rows(min_row=figures[figures.freeze_panes].row, values_only=True)
    }
    assert values["Villagers employed"] == len(workers)
    assert Decimal(str(values["Wages (CNY)"])) == sum(wages for _days, wages in workers.values())
    assert job.row_count > 5  # the rows of all its tables: why it was queued


def test_the_owner_downloads_the_file_with_its_type_and_name(
    client, official, workers, screen, django_capture_on_commit_callbacks
):
    queued_roster(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()

    response = client.get(url("core_export_job_download", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="roster-2026-04-01-2026-06-30.xlsx"'
    )
    assert b"".join(response.streaming_content) == stored(job)
    listing = client.get(url("core_export_jobs")).content.decode()
    assert url("core_export_job_download", args=[job.pk]) in listing


def test_another_user_gets_404_for_someone_elses_export(
    client, official, workers, screen, django_capture_on_commit_callbacks
):
    queued_roster(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    download = url("core_export_job_download", args=[job.pk])

    signed_in(client, "Officials")
    assert client.get(download).status_code == 404
    assert f'data-export-job="{job.pk}"' not in client.get(url("core_export_jobs")).content.decode()
    signed_in(client, "Farm managers")
    assert client.get(download).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/admin/exports/0/download/",
        "/admin/exports/999999999/download/",
        "/admin/exports/99999999999999999999999999/download/",
        "/admin/exports/-1/download/",
        "/admin/exports/abc/download/",
        "/admin/exports/1%00/download/",
    ],
)
def test_bad_export_ids_are_404_not_500(client, official, path):
    assert client.get(path).status_code == 404


def test_an_export_not_ready_yet_is_not_downloaded(
    client, official, workers, screen, django_capture_on_commit_callbacks
):
    queued_roster(client, django_capture_on_commit_callbacks, execute=False)
    job = ExportJob.objects.get()
    assert client.get(url("core_export_job_download", args=[job.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/admin/exports/1/download/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_small_exports_still_download_at_once(client, official, workers, settings):
    assert settings.EXPORTS_INLINE_MAX_ROWS == 500  # the default: "larger than a screen"
    response = client.get(ROSTER, {**Q2, "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="roster-2026-04-01-2026-06-30.xlsx"'
    )
    assert roster_rows(response.content)[f"'{FORMULA_NAME}"] == workers[FORMULA_NAME]
    assert not ExportJob.objects.exists()


def test_asking_twice_while_it_is_prepared_makes_one_job(
    client, official, workers, screen, django_capture_on_commit_callbacks
):
    for _ in range(2):
        queued_roster(client, django_capture_on_commit_callbacks, execute=False)
    assert ExportJob.objects.count() == 1


def test_an_owner_who_lost_the_right_gets_a_failed_job_saying_why(
    client, official, workers, screen, django_capture_on_commit_callbacks
):
    _response, queued = queued_roster(client, django_capture_on_commit_callbacks, execute=False)
    # Moved to the editors before the worker came to the job: no workforce records.
    official.groups.set([Group.objects.get(name="Editors")])
    for callback in queued:
        callback()

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert job.error == "You may no longer read the workforce records."
    assert "You may no longer read the workforce records." in (
        client.get(url("core_export_jobs")).content.decode()
    )


def test_a_job_already_built_is_not_built_again(
    client, official, workers, screen, django_capture_on_commit_callbacks
):
    queued_roster(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    export_job_build.delay(job.pk)  # the message delivered twice
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and default_storage.exists(job.file.name)
    assert len(default_storage.listdir("exports")[1]) == 1


# --- a Wagtail report: the nursery's stock --------------------------------------------


@pytest.fixture
def stock(db):
    """Four lots, one of a species named like a formula; on hand and value as the test sums them."""
    zones = [ZoneFactory(code=code) for code in ("Z1", "Z2")]
    ginkgo = SpeciesFactory(name="银杏")
    trick = SpeciesFactory(name="=1+2")
    lots = [
        (ginkgo, zones[0], 120, "25.00"),
        (ginkgo, zones[1], 30, "99.99"),
        (trick, zones[0], 7, "1000.10"),
        (trick, zones[1], 3, "12.00"),
    ]
    for species, zone, quantity, cost in lots:
        make_lot(quantity, unit_cost=cost, species=species, zone=zone, days=10)
    return {
        (species.name, zone.code): (quantity, quantity * Decimal(cost))
        for species, zone, quantity, cost in lots
    }


def test_a_large_nursery_report_is_built_by_the_worker_with_safe_cells(
    client, screen, stock, django_capture_on_commit_callbacks
):
    manager = signed_in(client, "Farm managers")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url("nursery_stock_report"), {"export": "xlsx"})

    assert response.status_code == 302 and response["Location"] == url("core_export_jobs")
    job = ExportJob.objects.get()
    assert (job.owner, job.kind, job.status) == (manager, "nursery_stock_report", "done")
    assert job.title == "Stock and valuation by species and zone"
    assert job.filename == "nursery-stock.xlsx" and job.row_count == 4
    sheet = openpyxl.load_workbook(io.BytesIO(stored(job))).worksheets[0]
    assert sheet["A1"].value == "Stock and valuation by species and zone"
    rows = list(sheet.iter_rows(min_row=sheet[sheet.freeze_panes].row, values_only=True))
    body, totals = rows[:-1], rows[-1]
    assert {(row[0], row[2].split()[0]): (row[3], Decimal(str(row[4]))) for row in body} == {
        ("'=1+2" if name == "=1+2" else name, zone): figures
        for (name, zone), figures in stock.items()
    }
    assert totals[0] == "Total" and totals[3] == sum(q for q, _v in stock.values())


def test_a_large_csv_nursery_report_is_the_download_the_request_would_give(
    client, settings, stock, django_capture_on_commit_callbacks
):
    signed_in(client, "Farm managers")
    inline = client.get(url("nursery_stock_report"), {"export": "csv"})
    assert inline.status_code == 200 and not ExportJob.objects.exists()

    settings.EXPORTS_INLINE_MAX_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url("nursery_stock_report"), {"export": "csv"})
    job = ExportJob.objects.get()
    assert stored(job) == b"".join(inline.streaming_content)
    assert b"'=1+2" in stored(job)


def test_nursery_report_filters_go_with_the_job(
    client, screen, stock, django_capture_on_commit_callbacks
):
    signed_in(client, "Farm managers")
    day = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    with django_capture_on_commit_callbacks(execute=False):
        client.get(url("nursery_stock_report"), {"export": "xlsx", "as_of": day})
    # Nothing was on hand 30 days ago: the page has no rows, so nothing is queued.
    assert not ExportJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=False):
        client.get(url("nursery_stock_report"), {"export": "xlsx", "as_of": "", "p": "2"})
    assert ExportJob.objects.get().params == {"as_of": [""]}


# --- the cleanup ----------------------------------------------------------------------


def finished_job(owner, *, days_old: float, name: str) -> ExportJob:
    job = ExportJob(
        owner=owner,
        title=name,
        kind="workforce_roster",
        format="csv",
        status=ExportJob.Status.DONE,
        filename=f"{name}.csv",
        row_count=1,
        created_at=timezone.now() - datetime.timedelta(days=days_old),
    )
    job.file.save(job.filename, ContentFile(b"a,b\n"), save=False)
    job.save()
    return job


def test_the_cleanup_deletes_old_jobs_and_their_files_and_keeps_recent_ones(
    official, settings, django_capture_on_commit_callbacks
):
    settings.EXPORTS_KEEP_DAYS = 7
    old = finished_job(official, days_old=7.1, name="old")
    recent = finished_job(official, days_old=6.9, name="recent")
    assert default_storage.exists(old.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_clean.delay().get() == 1

    assert list(ExportJob.objects.all()) == [recent]
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(recent.file.name)


def test_the_cleanup_runs_every_day(settings):
    assert any(
        entry["task"] == "core.tasks.export_jobs_clean"
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )


def test_my_exports_lists_my_jobs_newest_first(client, official):
    older = finished_job(official, days_old=2, name="older")
    newer = finished_job(official, days_old=1, name="newer")
    finished_job(user_in_role("Officials"), days_old=1, name="someone-elses")

    html = client.get(url("core_export_jobs")).content.decode()

    assert html.index(f'data-export-job="{newer.pk}"') < html.index(f'data-export-job="{older.pk}"')
    assert "someone-elses" not in html
    assert 'http-equiv="refresh"' not in html  # nothing being prepared


def test_a_large_reconciliation_export_is_built_by_the_worker(
    client, screen, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    from tourism.tickets.reconcile_models import Reconciliation, ReconciliationProblem

    ran = Reconciliation.objects.create(provider="wechat_pay", day=datetime.date(2026, 5, 1))
    references = ["=cmd|' /C calc'!A0", "HG-2", "HG-3", "HG-4"]
    for number, reference in enumerate(references, start=1):
        ReconciliationProblem.objects.create(
            reconciliation=ran,
            kind=ReconciliationProblem.Kind.PAYMENT,
            problem=ReconciliationProblem.Problem.AMOUNT_DIFFERS,
            reference=reference,
            statement_amount=Decimal(f"{number}00.00"),
            our_amount=Decimal(f"{number}0.00"),
        )
    client.force_login(get_user_model().objects.create_superuser("root", "root@huagu.example"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url("tickets_reconciliation_report"), {"export": "csv"})

    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.kind, job.status, job.row_count) == ("tickets_reconciliation_report", "done", 4)
    rows = list(csv.reader(io.StringIO(stored(job).decode("utf-8"))))
    amounts = {row[4]: (Decimal(row[5]), Decimal(row[6])) for row in rows[1:]}
    assert amounts == {
        ("'" + reference if reference.startswith("=") else reference): (
            Decimal(f"{number}00.00"),
            Decimal(f"{number}0.00"),
        )
        for number, reference in enumerate(references, start=1)
    }


def test_a_large_visitors_report_is_built_by_the_worker_with_the_days_asked_for(
    client, screen, django_capture_on_commit_callbacks
):
    from tests.tickets.factories import SlotFactory, TicketTypeFactory, order_for

    adult = TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00"))
    first = timezone.localdate() + datetime.timedelta(days=1)
    days = [first + datetime.timedelta(days=n) for n in range(6)]
    for number, day in enumerate(days, start=1):
        slot = SlotFactory(date=day, capacity=100)
        for _ in range(number):
            order_for(slot, {adult: 2})
    # Days and visitors as the test counts them: the n-th day has n orders of two.
    asked = days[1:5]
    booked = {day.isoformat(): 2 * (days.index(day) + 1) for day in asked}
    client.force_login(user_in_role("Editors"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            url("tickets_visitors_report"),
            {
                "export": "csv",
                "date_from": asked[0].isoformat(),
                "date_to": asked[-1].isoformat(),
            },
        )

    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.kind, job.status, job.row_count) == ("tickets_visitors_report", "done", 4)
    rows = list(csv.reader(io.StringIO(stored(job).decode("utf-8"))))
    assert rows[0][:2] == ["Visit date", "Booked"]
    assert {row[0]: int(row[1]) for row in rows[1:]} == booked
