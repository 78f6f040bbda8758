"""Every CSV and XLSX export writes a name that looks like a formula as text, and numbers as numbers.

The demo park is loaded once for the module, then every free-text field of every row
of the apps' own records is given a value a spreadsheet would run (``=HYPERLINK(...)``,
``+cmd``, ``-1+1``, ``@SUM(A1)``, a leading tab or carriage return). Each export the
admin offers is found by walking the URL configuration for Wagtail's export views (a
new viewset or report is tested without being named here), downloaded as a superuser
in both formats, and read back: CSV with the csv module, XLSX with openpyxl.
"""

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.db import connection, models
from django.db.models.functions import Cast, Concat
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Page

from nursery.models import SpecimenPhoto, SpecimenTree
from tourism.tickets.reconcile_models import Reconciliation, ReconciliationProblem
from workforce.models import WageBatch, WorkEntry

pytestmark = [pytest.mark.demo, pytest.mark.django_db]

# What spreadsheets read as the start of a formula (OWASP, CSV injection). Written out
# here rather than imported, so the test does not share a mistake with the code.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINK = '=HYPERLINK("http://evil.example","x")'
PAYLOADS = ("+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "=2+5")
# XML reads a carriage return back as a line feed: in XLSX, "\r=1" comes back as "\n=1".
XLSX_FORMULA_STARTS = (*FORMULA_STARTS, "\n")
APPS = ("tourism", "nursery", "workforce")
TEXT_FIELDS = (models.CharField, models.TextField, models.EmailField, models.SlugField)

# Exports Wagtail itself provides over pages, workflows, users' actions and redirects;
# made safe by the same helper, and checked on their own below.
WAGTAIL_OWN = {
    "wagtail.admin.views.reports.locked_pages.LockedPagesView",
    "wagtail.admin.views.reports.workflows.WorkflowView",
    "wagtail.admin.views.reports.workflows.WorkflowTasksView",
    "wagtail.admin.views.reports.audit_logging.LogEntriesView",
    "wagtail.admin.views.reports.aging_pages.AgingPagesView",
    "wagtail.admin.views.reports.page_types_usage.PageTypesUsageReportView",
    "wagtail.contrib.redirects.views.IndexView",
}

# Exports of numbers and dates only: no record's text reaches them.
NUMBERS_ONLY = {
    "/admin/tickets/slots/",
    "/admin/reports/nursery-plantings/",
    "/admin/reports/visitors/",
    # Figures, method names and staff members' names: users are not the apps' records, so
    # tests/tickets/test_box_office.py checks a formula-looking staff name on its own.
    "/admin/box-office/takings/",
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def admin_exports(*, wagtails: bool = False) -> list[tuple[str, type, dict]]:
    """Every address whose view exports CSV/XLSX: (address, view class, its init kwargs).

    The apps' own, or (``wagtails``) the reports Wagtail itself provides.
    """
    found = []
    for address, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        if not (view_class and issubclass(view_class, SpreadsheetExportMixin)):
            continue
        initkwargs = pattern.callback.view_initkwargs
        if initkwargs.get("results_only") or pattern.pattern.regex.groups:
            continue
        if (f"{view_class.__module__}.{view_class.__qualname__}" in WAGTAIL_OWN) != wagtails:
            continue
        # A listing without list_export offers no download; a report's is a property.
        list_export = initkwargs.get("list_export", view_class.list_export)
        if isinstance(list_export, property) or list_export:
            found.append(("/" + address, view_class, initkwargs))
    return found


ADMIN_EXPORTS = admin_exports()
WAGTAIL_EXPORTS = admin_exports(wagtails=True)


def test_the_admin_exports_are_found():
    """The walk finds listings and reports of every app, so an empty walk cannot pass."""
    addresses = {address for address, _, _ in ADMIN_EXPORTS}
    for expected in (
        "/admin/workforce/villagers/",
        "/admin/nursery/species/",
        "/admin/snippets/nursery/zone/",
        "/admin/tickets/orders/",
        "/admin/reports/nursery-stock/",
        "/admin/reports/visitors/",
    ):
        assert expected in addresses


def _payload_for(field: models.Field, index: int) -> str:
    return LINK if field.name.endswith("name") else PAYLOADS[index % len(PAYLOADS)]


def formula_looking_records() -> int:
    """Give every free-text field of every record of the apps a formula-looking value.

    Each value ends with its row's key, so unique fields stay unique. Pages (the tree's
    own fields) and fields with choices are left alone. Returns the fields rewritten.
    """
    rewritten = 0
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if issubclass(model, Page):
                continue
            fields = [
                f
                for f in model._meta.concrete_fields
                if type(f) in TEXT_FIELDS
                and f.editable
                and not f.choices
                and not f.primary_key
                and (f.max_length or 100) >= 8
            ]
            updates = {}
            for index, field in enumerate(fields, start=rewritten):
                payload = _payload_for(field, index)[: max(2, (field.max_length or 100) - 8)]
                updates[field.name] = Concat(
                    models.Value(payload), Cast("pk", output_field=models.CharField())
                )
            if updates:
                # Plain querysets: the models refuse any change to locked work entries, which
                # the database allows for text; a paid wage batch is final even there.
                rows = models.QuerySet(model=model)
                if model is WageBatch:
                    rows = rows.exclude(status=WageBatch.Status.PAID)
                rows.update(**updates)
                rewritten += len(updates)
    return rewritten


@pytest.fixture(scope="module")
def park(demo, django_db_blocker):
    """The demo park with formula-looking text everywhere, a tree photo, and one wage batch's work.

    The demo's year of work (45,000 entries) would take half a minute to export; the
    entries of all batches but one are removed in one statement (without the signals
    that recount months of work, which the exports here do not compare).
    """
    with django_db_blocker.unblock():
        batch = WageBatch.objects.order_by("-period_end").first()
        table = WorkEntry._meta.db_table
        with connection.cursor() as cursor:
            # PostgreSQL refuses to delete the work of approved and paid batches; the
            # module's rollback restores both the entries and the trigger.
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER workforce_workentry_lock")
            cursor.execute(
                f"DELETE FROM {table} WHERE batch_id IS NULL OR batch_id <> %s", [batch.pk]
            )
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER workforce_workentry_lock")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # A provider's statement is outside text too: one reconciliation with a problem
        # whose reference the rewrite below makes formula-looking.
        ran = Reconciliation.objects.create(provider="wechat_pay", day=batch.period_end)
        ReconciliationProblem.objects.create(
            reconciliation=ran,
            kind=ReconciliationProblem.Kind.PAYMENT,
            problem=ReconciliationProblem.Problem.AMOUNT_DIFFERS,
            reference="HG-TEST-0001-abcd",
            statement_amount=Decimal("120.00"),
            our_amount=Decimal("60.00"),
        )
        # The demo's trees have no photos of their own; one gives that listing a row.
        SpecimenPhoto.objects.create(
            tree=SpecimenTree.objects.first(), image=get_image_model().objects.first()
        )
        rewritten = formula_looking_records()
        assert rewritten > 40
        superuser = get_user_model().objects.create_superuser(
            "exports-admin", "exports-admin@huagu.example", "x"
        )
    return batch, superuser


@pytest.fixture
def admin_client(client, park, settings):
    """A superuser's client; the admin speaks English (it follows ``LANGUAGE_CODE``).

    Every export downloads at once here, whatever its size: a larger one is the same
    file built by the task queue (tests/test_export_listings.py, tests/test_export_jobs.py).
    """
    settings.LANGUAGE_CODE = "en"
    settings.EXPORTS_INLINE_MAX_ROWS = 10**9
    client.force_login(park[1])
    with translation.override("en"):
        yield client


# --- reading the files -----------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_sheets(data: bytes) -> list[list[list]]:
    """The cells of each sheet's table, row by row (openpyxl ``Cell`` objects), headings first.

    The title lines above the headings (what the sheet covers) are left out: the panes
    are frozen just under the headings.
    """
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheets = []
    for sheet in book.worksheets:
        first = sheet[sheet.freeze_panes].row - 1 if sheet.freeze_panes else 1
        sheets.append([list(row) for row in sheet.iter_rows(min_row=first)])
    return sheets


def xlsx_cells(data: bytes) -> list[list]:
    """The rows of every sheet, one after the other."""
    return [row for sheet in xlsx_sheets(data) for row in sheet]


def as_number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def assert_safe_csv(rows: list[list[str]], where: str) -> None:
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                # Only a number may start with a sign: -5 is minus five, not a formula.
                assert as_number(cell) is not None, f"{where}: unquoted formula {cell!r}"
            if cell.startswith("'"):
                assert as_number(cell[1:]) is None, f"{where}: a number written as text {cell!r}"


def assert_safe_xlsx(rows: list[list], where: str) -> None:
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", f"{where}: live formula in {cell.coordinate}"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(XLSX_FORMULA_STARTS), (
                    f"{where}: unquoted formula {cell.value!r} in {cell.coordinate}"
                )
                assert not cell.value.startswith("'") or as_number(cell.value[1:]) is None, (
                    f"{where}: a number written as text {cell.value!r} in {cell.coordinate}"
                )


def quoted_payloads(values) -> list[str]:
    """The values that are formula-looking text made safe by a leading quote."""
    return [
        v
        for v in values
        if isinstance(v, str) and v.startswith("'") and v[1:].startswith(XLSX_FORMULA_STARTS)
    ]


def numeric_columns(view_class, initkwargs) -> list[int]:
    """Positions of the export's columns that are number fields of the listed model."""
    model = initkwargs.get("model") or getattr(view_class, "model", None)
    if model is None:
        return []
    positions = []
    for position, name in enumerate(initkwargs.get("list_export", view_class.list_export)):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a property or a method, such as a masked ID number
        numeric = isinstance(field, models.IntegerField | models.DecimalField | models.FloatField)
        if numeric and not field.choices:
            positions.append(position)
    return positions


# --- the admin's listings and reports --------------------------------------------------


@pytest.mark.parametrize(
    ("address", "view_class", "initkwargs"),
    ADMIN_EXPORTS,
    ids=[address for address, _, _ in ADMIN_EXPORTS],
)
def test_admin_export_writes_text_safely_and_numbers_as_numbers(
    admin_client, address, view_class, initkwargs
):
    csv_response = admin_client.get(address, {"export": "csv"})
    xlsx_response = admin_client.get(address, {"export": "xlsx"})
    assert csv_response.status_code == 200 and xlsx_response.status_code == 200
    assert "attachment" in csv_response["Content-Disposition"]
    rows = csv_rows(csv_response)
    data = b"".join(xlsx_response.streaming_content)
    cells = xlsx_cells(data)
    assert len(rows) > 1 and len(cells) > 1, f"{address}: the export has no rows to check"

    assert_safe_csv(rows, f"{address} CSV")
    assert_safe_xlsx(cells, f"{address} XLSX")

    if address not in NUMBERS_ONLY:
        assert quoted_payloads(v for row in rows for v in row), f"{address}: no test text in it"
        assert quoted_payloads(c.value for row in cells for c in row)

    # Number fields stay numbers: in XLSX a numeric cell, in CSV a plain number.
    for position in numeric_columns(view_class, initkwargs):
        for row in cells[1:]:
            if row[position].value is not None:
                assert row[position].data_type == "n", f"{address}: {row[position].value!r}"
        for row in rows[1:]:
            if row[position]:
                assert as_number(row[position]) is not None, f"{address}: {row[position]!r}"
    # A report's rows are not model fields: a column that reads as numbers in its CSV is
    # numeric in its XLSX.
    model = initkwargs.get("model") or getattr(view_class, "model", None)
    for position in range(len(rows[0]) if model is None else 0):
        column = [row[position] for row in rows[1:] if row[position]]
        if column and all(as_number(v) is not None for v in column):
            for row in cells[1:]:
                value = row[position].value
                assert value is None or row[position].data_type == "n", (
                    f"{address}: {value!r} in {row[position].coordinate} is text"
                )


def test_wagtails_own_reports_write_text_safely(admin_client, park, db):
    """Locked pages, site history, aging pages, workflows, page types and redirects: an
    editor's formula-looking page title reaches them quoted, never as a formula."""
    addresses = {address for address, _, _ in WAGTAIL_EXPORTS}
    assert {
        "/admin/reports/locked/",
        "/admin/reports/site-history/",
        "/admin/redirects/",
    } <= addresses
    page = Page.objects.filter(depth__gt=2).live().order_by("pk").first().specific
    page.title = page.draft_title = LINK
    page.locked, page.locked_by, page.locked_at = True, park[1], timezone.now()
    page.save()
    log(page, "wagtail.edit", user=park[1])
    Redirect.objects.create(old_path="/old-flowers", redirect_link=PAYLOADS[0])
    for address, _, _ in WAGTAIL_EXPORTS:
        csv_response = admin_client.get(address, {"export": "csv"})
        xlsx_response = admin_client.get(address, {"export": "xlsx"})
        assert csv_response.status_code == 200 and xlsx_response.status_code == 200, address
        rows = csv_rows(csv_response)
        cells = xlsx_cells(b"".join(xlsx_response.streaming_content))
        assert_safe_csv(rows, f"{address} CSV")
        assert_safe_xlsx(cells, f"{address} XLSX")
        if "locked" in address or "site-history" in address or "redirects" in address:
            assert quoted_payloads(v for row in rows for v in row), f"{address}: no test text"
            assert quoted_payloads(c.value for row in cells for c in row), address


def test_the_stock_ledger_keeps_negative_quantities_as_numbers(admin_client):
    """A planting's or a sale's draw is a negative number, not text and not a quoted string."""
    address = reverse("nursery_stockentry:index")
    rows = csv_rows(admin_client.get(address, {"export": "csv"}))
    cells = xlsx_cells(b"".join(admin_client.get(address, {"export": "xlsx"}).streaming_content))
    negative = [c for row in cells[1:] for c in row if isinstance(c.value, int) and c.value < 0]
    assert negative and all(c.data_type == "n" for c in negative)
    assert any(v.startswith("-") and as_number(v) is not None for row in rows for v in row)


# --- the workforce report, roster, pay sheet and the job_report command -----------------


def workforce_downloads(batch) -> list[tuple[str, dict]]:
    period = {
        "period": "custom",
        "start": batch.period_start.isoformat(),
        "end": batch.period_end.isoformat(),
    }
    return [
        (reverse("workforce_report"), period),
        (reverse("workforce_roster"), period),
        (reverse("workforce_pay_sheet", args=[batch.pk]), {}),
    ]


def test_workforce_downloads_write_names_as_text_and_wages_as_numbers(admin_client, park):
    batch = park[0]
    for address, query in workforce_downloads(batch):
        csv_response = admin_client.get(address, {**query, "format": "csv"})
        xlsx_response = admin_client.get(address, {**query, "format": "xlsx"})
        assert csv_response.status_code == 200 and xlsx_response.status_code == 200, address
        rows, sheets = csv_rows(csv_response), xlsx_sheets(xlsx_response.content)
        assert_safe_csv(rows, f"{address} CSV")
        assert_safe_xlsx([row for sheet in sheets for row in sheet], f"{address} XLSX")
        assert quoted_payloads(v for row in rows for v in row), address
        # Wages are numbers: every sheet's column headed "Wages (CNY)" holds numeric cells.
        wages = [
            row[column]
            for sheet in sheets
            for column, heading in enumerate(sheet[0])
            if heading.value == "Wages (CNY)"
            for row in sheet[1:]
            if len(row) > column and row[column].value not in (None, "")
        ]
        assert wages and all(c.data_type == "n" for c in wages), address

    # The roster names the villagers whose names look like a link, as text.
    roster_address, period = workforce_downloads(batch)[1]
    roster = xlsx_cells(admin_client.get(roster_address, {**period, "format": "xlsx"}).content)
    names = [c.value for row in roster for c in row if isinstance(c.value, str)]
    assert any(name.startswith("'" + LINK) for name in names)


def test_job_report_command_files_are_safe(park, tmp_path):
    batch = park[0]
    dates = ["--from", batch.period_start.isoformat(), "--to", batch.period_end.isoformat()]
    csv_file, xlsx_file = tmp_path / "report.csv", tmp_path / "report.xlsx"
    with translation.override("en"):
        call_command("job_report", *dates, "--format", "csv", "--output", str(csv_file))
        call_command("job_report", *dates, "--format", "xlsx", "--output", str(xlsx_file))
    rows = list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"), newline="")))
    assert_safe_csv(rows, "job_report CSV")
    assert quoted_payloads(v for row in rows for v in row)
    cells = xlsx_cells(xlsx_file.read_bytes())
    assert_safe_xlsx(cells, "job_report XLSX")
    assert any(c.data_type == "n" and c.value for row in cells for c in row)


def test_a_date_stays_a_date_in_xlsx(admin_client):
    cells = xlsx_cells(
        b"".join(admin_client.get("/admin/tickets/slots/", {"export": "xlsx"}).streaming_content)
    )
    assert isinstance(cells[1][0].value, datetime.datetime | datetime.date)
