"""The job report reads as numbers: grouped money, totals, breakdowns headed by what they hold,
a chart with month labels, only the chosen period's inputs, and XLSX sheets that open as reports."""

import io
import re
from decimal import Decimal

import openpyxl

from core.sheets import text_width
from tests.workforce.conftest import Q2
from workforce.reports import breakdown_headings, job_report

REPORT = "/admin/workforce/report/"
ROSTER = "/admin/workforce/roster/"
Q2_QUERY = {"period": "quarter", "year": "2026", "quarter": "2"}


def tbody_and_tfoot(html: str, heading: str):
    section = html[html.index(f">{heading}</h2>") :]
    section = section[: section.index("</section>")]
    return section


def test_breakdowns_are_headed_by_what_they_hold_and_total_to_the_figures(official, workforce):
    report = job_report(start=Q2[0], end=Q2[1])
    html = official.get(REPORT, Q2_QUERY).content.decode()
    for name, title in (
        ("village", "By village"),
        ("gender", "By gender"),
        ("age_band", "By age band (age on the last day of the period)"),
        ("employment_type", "By employment type"),
        ("poverty_status", "By household poverty status"),
    ):
        section = tbody_and_tfoot(html, title)
        first_heading = re.search(r'<thead><tr><th scope="col">([^<]*)</th>', section).group(1)
        assert first_heading == breakdown_headings()[name] != "Group"
        tfoot = section[section.index("<tfoot>") :]
        cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', tfoot)
        # Each villager sits in one row of each breakdown: the totals are the period's.
        assert cells == [
            str(report.current.employed),
            str(report.current.person_days),
            f"{report.current.wages:,.2f}",
            str(report.previous.employed),
        ], name
    assert "Group" not in html.split('id="months-heading"')[1]


def test_money_and_counts_in_the_report_have_separators(official, workforce):
    report = job_report(start=Q2[0], end=Q2[1])
    html = official.get(REPORT, Q2_QUERY).content.decode()
    row = re.search(r'data-figure="land_rent".*?<td class="num"[^>]*>([^<]*)</td>', html, re.S)
    assert row.group(1) == f"¥{report.current.land_rent:,.2f}" == "¥10,000.00"
    wages = re.search(r'data-figure="wages".*?<td class="num"[^>]*>([^<]*)</td>', html, re.S)
    assert wages.group(1) == f"¥{report.current.wages:,.2f}"
    share = re.search(
        r'data-figure="poverty_share".*?<td class="num"[^>]*>([^<]*)</td>', html, re.S
    )
    assert share.group(1) == f"{report.current.poverty_share}%"


def test_the_month_chart_names_each_month_and_the_month_table_totals(official, workforce):
    report = job_report(start=Q2[0], end=Q2[1])
    html = official.get(REPORT, Q2_QUERY).content.decode()
    labels = re.findall(r'<span class="month-chart__label">([^<]*)</span>', html)
    assert labels == ["Apr", "May", "Jun"]
    assert re.findall(r'<span class="month-chart__year">([^<]*)</span>', html) == ["2026", "", ""]
    months = html[html.index('class="data months-table"') :]
    tfoot = months[months.index("<tfoot>") : months.index("</tfoot>")]
    assert f"{sum(r.person_days for r in report.months):,}" in tfoot
    assert f"{sum(r.wages for r in report.months):,.2f}" in tfoot
    assert sum(r.person_days for r in report.months) == report.current.person_days


def test_the_period_form_shows_only_the_chosen_kind_of_period(official, workforce):
    def shown(query):
        html = official.get(REPORT, query).content.decode()
        form = html[html.index('<form method="get" class="period-form') : html.index("</form>")]
        fields = re.findall(r'<div class="field[^"]*"([^>]*)>\s*<label for="id_(\w+)"', form)
        return {name for attrs, name in fields if " hidden" not in attrs}

    assert shown({"period": "year", "year": "2026"}) == {"period", "year", "village"}
    assert shown(Q2_QUERY) == {"period", "year", "quarter", "village"}
    assert shown({"period": "month", "year": "2026", "month": "5"}) == {
        "period",
        "year",
        "month",
        "village",
    }
    assert shown({"period": "custom", "start": "2026-04-01", "end": "2026-04-30"}) == {
        "period",
        "start",
        "end",
        "village",
    }


def test_the_server_ignores_the_inputs_of_other_kinds_of_period(official, workforce):
    expected = job_report(start=Q2[0], end=Q2[1])
    # A stale month, nonsense dates: the quarter's report all the same, not an error.
    response = official.get(
        REPORT, {**Q2_QUERY, "month": "13", "start": "not-a-date", "end": "2026-02-30"}
    )
    assert response.status_code == 200
    assert f'data-value="{expected.current.wages}"' in response.content.decode()
    year = official.get(REPORT, {"period": "year", "year": "2026", "quarter": "9"})
    assert year.status_code == 200 and 'data-period-start="2026-01-01"' in year.content.decode()
    custom = official.get(
        REPORT, {"period": "custom", "year": "abc", "start": "2026-04-01", "end": "2026-06-30"}
    )
    assert custom.status_code == 200
    assert f'data-value="{expected.current.wages}"' in custom.content.decode()
    # The chosen kind's own inputs are still checked.
    assert official.get(REPORT, {"period": "custom", "start": "2026-04-01"}).status_code == 400


def test_every_sheet_of_the_report_opens_with_its_period_and_village(official, workforce):
    report = job_report(start=Q2[0], end=Q2[1], village="a")
    response = official.get(REPORT, {**Q2_QUERY, "village": "a", "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 7
    for sheet in book.worksheets:
        assert sheet["A1"].value.startswith("Job-creation report · ") and sheet["A1"].font.bold
        assert sheet["A2"].value == (
            "Period: 2026-04-01 – 2026-06-30; previous period: 2026-01-01 – 2026-03-31; "
            "village: 甲村"
        )
        heading_row = sheet[sheet.freeze_panes].row - 1
        for cell in sheet[heading_row]:
            if cell.value:
                # Every heading fits its column, Chinese ones counted double.
                width = sheet.column_dimensions[cell.column_letter].width
                assert width >= min(text_width(cell.value) + 2, 60), cell.value

    figures = book["Figures"]
    rows = {
        row[0].value: row
        for row in figures.iter_rows(min_row=figures[figures.freeze_panes].row)
        if row[0].value
    }
    wages = rows["Wages (CNY)"][1]
    assert wages.number_format == "#,##0.00" and Decimal(str(wages.value)) == report.current.wages
    employed = rows["Villagers employed"][1]
    assert employed.number_format == "#,##0" and employed.value == report.current.employed
    share = rows["Share from poverty-registered or monitored households (%)"][1]
    assert share.number_format == "0.0%"
    assert Decimal(str(share.value)) * 100 == report.current.poverty_share

    by_gender = book["By gender"]
    table = list(by_gender.iter_rows(min_row=by_gender[by_gender.freeze_panes].row - 1))
    assert table[0][0].value == "Gender"
    totals = table[-1]
    assert totals[0].value == "Total" and totals[0].font.bold
    assert totals[1].value == report.current.employed
    assert Decimal(str(totals[3].value)) == report.current.wages
    assert totals[3].number_format == "#,##0.00" and totals[2].number_format == "#,##0"


def test_the_chinese_report_sheet_fits_its_chinese_headings(official, workforce, settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        response = official.get(REPORT, {**Q2_QUERY, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[1]
    heading_row = sheet[sheet.freeze_panes].row - 1
    heading = sheet.cell(row=heading_row, column=5).value
    assert re.search(r"[\u4e00-\u9fff]", heading)
    assert sheet.column_dimensions["E"].width == text_width(heading) + 2
    assert sheet.column_dimensions["E"].width > len(heading) + 2


def test_the_roster_sheet_names_its_period_and_village_and_totals(official, workforce):
    response = official.get(ROSTER, {**Q2_QUERY, "village": "a", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A2"].value == "Period: 2026-04-01 – 2026-06-30; village: 甲村"
    table = list(sheet.iter_rows(min_row=sheet[sheet.freeze_panes].row))
    body, totals = table[:-1], table[-1]
    assert totals[0].value == "Total"
    assert totals[10].value == sum(row[10].value for row in body)
    assert Decimal(str(totals[11].value)) == sum(Decimal(str(row[11].value)) for row in body)
    assert all(row[11].number_format == "#,##0.00" for row in table)
    # Birth years read as years ("1958"), not as quantities ("1,958").
    assert all(isinstance(row[3].value, int) and row[3].number_format == "0" for row in body)
