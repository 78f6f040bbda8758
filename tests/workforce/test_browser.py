"""In Chromium an official logs in, opens this year's report, switches village and downloads the XLSX."""

import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from tests.tickets.factories import PASSWORD, user_in_role
from tests.workforce.factories import (
    VillageFactory,
    VillagerFactory,
    household_in,
    task_with_rates,
    work,
)
from workforce.models import PovertyStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def villages_at_work(db):
    """Two villages whose villagers worked this year: three in 甲村, two in 乙村."""
    today = timezone.localdate()
    task = task_with_rates()
    a, b = VillageFactory(code="a", name="甲村"), VillageFactory(code="b", name="乙村")
    poor = household_in(a, status=PovertyStatus.LIFTED)
    for n, household in enumerate(
        [poor, household_in(a), household_in(a), household_in(b), household_in(b)]
    ):
        villager = VillagerFactory(household=household)
        for day in range(n + 1):
            work(
                villager,
                max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=day)),
                task,
            )
    return a, b


def page_figures(page) -> list[tuple[str, Decimal]]:
    rows = page.locator("tr[data-figure]")
    return [
        (
            rows.nth(i).get_attribute("data-figure"),
            Decimal(rows.nth(i).locator("td[data-value]").get_attribute("data-value")),
        )
        for i in range(rows.count())
    ]


def test_official_reads_switches_village_and_downloads_matching_xlsx(
    browser, live_server, villages_at_work, tmp_path
):
    user_in_role("Officials", username="official")
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/workforce/report/")
    page.locator("#id_username").fill("official")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/admin/workforce/report/**")

    year = str(timezone.localdate().year)
    assert page.locator("#id_year").input_value() == year
    everyone = dict(page_figures(page))
    assert everyone["employed"] == 5

    page.locator("select[name=village]").select_option("a")
    page.locator("form.period-form button[type=submit]").click()
    page.wait_for_url("**village=a**")
    assert page.locator("#report-village").inner_text() == "甲村"
    figures = page_figures(page)
    assert dict(figures)["employed"] == 3
    assert dict(figures)["from_poverty_households"] == 1

    with page.expect_download() as download_info:
        page.locator('a[href*="format=xlsx"]').click()
    path = tmp_path / "report.xlsx"
    download_info.value.save_as(path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert "甲村" in sheet["A2"].value  # the period and village head the sheet
    first = sheet[sheet.freeze_panes].row
    rows = list(sheet.iter_rows(min_row=first, max_row=first + len(figures) - 1))
    # A percentage is stored as its fraction and shown as one (0.0%).
    stored = [
        Decimal(str(row[1].value)) * (100 if row[1].number_format == "0.0%" else 1) for row in rows
    ]
    assert stored == [value for _key, value in figures]
    context.close()
