"""A listing's export (a viewset's ``list_export``) larger than a screen is built by the task
queue, as its owner chose it: the same filters, the same search, the same permission
checks and cells as safe as the download's. A small one still downloads at once."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from wagtail.admin.views.generic.models import IndexView

from core.export_jobs import BackgroundExportMixin, ExportJob
from nursery.models import Supplier
from tests.admin_sign_in import signed_in
from tests.nursery.factories import SupplierFactory
from tests.tickets.factories import user_in_role

pytestmark = pytest.mark.django_db

FORMULA = "=1+1"


def suppliers_url() -> str:
    with translation.override("en"):
        return reverse("nursery_supplier:index")


def my_exports_url() -> str:
    with translation.override("en"):
        return reverse("core_export_jobs")


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
def manager(client):
    return signed_in(client, "Farm managers")


@pytest.fixture
def suppliers(db):
    """Five suppliers in Sichuan, one named like a formula, and two in Yunnan."""
    for number in range(4):
        SupplierFactory(
            name=f"温江苗木场{number}", contact=f"王{number}", phone=f"1380000000{number}"
        )
    SupplierFactory(name=FORMULA, contact="李四", phone="13900000000")
    for number in range(2):
        SupplierFactory(name=f"昆明花木{number}", province="云南")


def expected_rows(rows) -> set[tuple]:
    """The suppliers as the export should list them, a formula-looking name quoted."""
    return {
        ("'" + s.name if s.name.startswith("=") else s.name, s.province, s.contact, s.phone)
        for s in rows
    }


def stored(job: ExportJob) -> bytes:
    with default_storage.open(job.file.name, "rb") as file:
        return file.read()


def xlsx_rows(data: bytes) -> set[tuple]:
    """The rows under the headings, empty cells read as the empty text the model stores."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = sheet.iter_rows(min_row=sheet[sheet.freeze_panes].row, values_only=True)
    return {tuple("" if value is None else value for value in row) for row in rows}


def csv_rows(data: bytes) -> set[tuple]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Name", "Province", "Contact person", "Phone"]
    return {tuple(row) for row in rows[1:]}


def export(client, django_capture_on_commit_callbacks, *, execute=True, **query):
    with django_capture_on_commit_callbacks(execute=execute) as queued:
        response = client.get(suppliers_url(), query)
    return response, queued


def test_a_large_listing_export_is_queued_not_built_in_the_request(
    client, manager, suppliers, screen, django_capture_on_commit_callbacks, media_root
):
    response, queued = export(
        client, django_capture_on_commit_callbacks, execute=False, export="xlsx", province="四川"
    )

    assert response.status_code == 302 and response["Location"] == my_exports_url()
    job = ExportJob.objects.get()
    assert (job.owner, job.kind, job.format, job.status) == (
        manager,
        "nursery_supplier:index",
        "xlsx",
        ExportJob.Status.QUEUED,
    )
    assert job.title == "Suppliers"
    assert job.params == {"province": ["四川"]}
    assert not job.file and job.row_count is None
    assert len(queued) == 1
    assert not (media_root / "exports").exists()


def test_the_worker_builds_the_listing_with_the_owners_filter_and_safe_cells(
    client, manager, suppliers, screen, django_capture_on_commit_callbacks
):
    export(client, django_capture_on_commit_callbacks, export="xlsx", province="四川")

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.error
    sichuan = Supplier.objects.filter(province="四川")
    assert job.row_count == sichuan.count() == 5
    assert job.filename == "nursery_supplier.xlsx"
    rows = xlsx_rows(stored(job))
    assert rows == expected_rows(sichuan)
    assert ("'" + FORMULA, "四川", "李四", "13900000000") in rows
    assert not any(str(cell).startswith("=") for row in rows for cell in row)


def test_the_worker_builds_the_csv_of_the_owners_search(
    client, manager, suppliers, screen, django_capture_on_commit_callbacks
):
    SupplierFactory(name="温江绿化", province="云南")
    response, _queued = export(client, django_capture_on_commit_callbacks, export="csv", q="温江")

    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.params == {"q": ["温江"]} and job.status == ExportJob.Status.DONE, job.error
    found = Supplier.objects.filter(name__contains="温江")
    assert job.row_count == found.count() == 5
    assert csv_rows(stored(job)) == expected_rows(found)


def test_a_small_listing_export_still_downloads_at_once(
    client, manager, suppliers, settings, django_capture_on_commit_callbacks
):
    assert settings.EXPORTS_INLINE_MAX_ROWS == 500
    response, queued = export(client, django_capture_on_commit_callbacks, export="csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="nursery_supplier.csv"'
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert csv_rows(body) == expected_rows(Supplier.objects.all())
    assert not ExportJob.objects.exists() and not queued


def test_someone_without_the_permission_gets_no_job(
    client, suppliers, screen, django_capture_on_commit_callbacks
):
    client.force_login(user_in_role("Editors"))
    response, _queued = export(client, django_capture_on_commit_callbacks, export="xlsx")

    assert response.status_code in (302, 403)
    assert response.get("Location") != my_exports_url()
    assert not ExportJob.objects.exists()


def test_an_owner_who_lost_the_permission_gets_a_failed_job_and_no_file(
    client, manager, suppliers, screen, django_capture_on_commit_callbacks
):
    _response, queued = export(
        client, django_capture_on_commit_callbacks, execute=False, export="xlsx"
    )
    # Moved to the editors before the worker came to the job: no nursery records.
    manager.groups.set([Group.objects.get(name="Editors")])
    for callback in queued:
        callback()

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert job.error == "You may no longer read this report."


def _listings_with_export(patterns):
    """(URL name, view class, model) of every index view that offers a download."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _listings_with_export(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            if not (view_class and issubclass(view_class, IndexView)):
                continue
            kwargs = pattern.callback.view_initkwargs
            if kwargs.get("list_export", view_class.list_export):
                yield pattern.name, view_class, kwargs.get("model") or view_class.model


def test_every_listing_of_the_apps_with_an_export_builds_large_ones_as_jobs():
    """A viewset added later with ``list_export`` cannot leave out the mixin unnoticed."""
    ours = [
        (name, model, view_class)
        for name, view_class, model in _listings_with_export(get_resolver().url_patterns)
        if model._meta.app_label in ("core", "tourism", "nursery", "workforce")
    ]
    assert len(ours) > 40  # the index and results views of some twenty listings
    assert [
        (name, model)
        for name, model, view_class in ours
        if not issubclass(view_class, BackgroundExportMixin)
    ] == []
