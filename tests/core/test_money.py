"""Money and counts read the same in Chinese and English: ¥3,184,053.20, 12,480, 87.5%."""

import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.template import Context, Template
from django.utils import translation

from core import numbers
from core.charts import month_bars
from core.sheets import Percent, text_width, write_table

TEMPLATE = Template(
    "{% load money %}{{ total|money }} | {{ wages|amount }} | {{ days|count }} | {{ share|percent }}"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_has_thousands_separators_in_both_languages(language):
    with translation.override(language):
        text = TEMPLATE.render(
            Context(
                {
                    "total": Decimal("3184053.2"),
                    "wages": Decimal("1234567.005"),
                    "days": 12480,
                    "share": Decimal("87.46"),
                }
            )
        )
    assert text == "¥3,184,053.20 | 1,234,567.01 | 12,480 | 87.5%"


def test_money_of_nothing_small_negative_and_text():
    assert numbers.money(None) == "" and numbers.money("") == ""
    assert numbers.money(0) == "¥0.00"
    assert numbers.money(Decimal("999.994")) == "¥999.99"
    assert numbers.money(Decimal("999.995")) == "¥1,000.00"
    assert numbers.money(-1234.5) == "-¥1,234.50"
    assert numbers.money("80") == "¥80.00"
    assert numbers.money("not a number") == ""
    assert numbers.count(Decimal("1234.50")) == "1,234.50"
    assert numbers.count(1234567) == "1,234,567"
    assert numbers.count(None) == ""


def test_the_public_order_total_is_grouped(db):
    template = Template(
        "{% load i18n money %}{% blocktranslate with total=total|amount %}Show any ticket below at the gate and pay ¥{{ total }} there.{% endblocktranslate %}"
    )
    for language, expected in (("en", "pay ¥12,345.00 there"), ("zh-hans", "¥12,345.00")):
        with translation.override(language):
            assert expected in template.render(Context({"total": Decimal("12345")}))


def test_chinese_characters_count_double_in_a_column_width():
    assert text_width("Wages") == 5
    assert text_width("工资（元）") == 10
    assert text_width("王一 A") == 6


def test_a_sheet_has_its_title_formats_totals_and_fitting_widths(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [
        ["甲村", 1234, Decimal("3184053.20"), Percent(Decimal("62.5"))],
        ["乙村", 7, Decimal("0.5"), Percent(None)],
    ]
    write_table(
        sheet,
        title_lines=["就业带动报告", "期间：2026-01-01 – 2026-12-31；村：全部"],
        headings=["村（按户籍所在村统计）", "人数", "工资（元）", "比例"],
        rows=rows,
        kinds=[None, "count", "money", None],
        totals=["合计", 1241, Decimal("3184053.70"), None],
    )
    path = tmp_path / "t.xlsx"
    book.save(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "就业带动报告" and sheet["A1"].font.bold
    assert sheet["A2"].value.startswith("期间")
    assert [c.value for c in sheet[4]] == ["村（按户籍所在村统计）", "人数", "工资（元）", "比例"]
    assert sheet.freeze_panes == "A5"
    assert sheet["B5"].number_format == "#,##0" and sheet["B5"].value == 1234
    assert sheet["C5"].number_format == "#,##0.00"
    assert Decimal(str(sheet["C5"].value)) == Decimal("3184053.20")
    assert sheet["D5"].number_format == "0.0%" and Decimal(str(sheet["D5"].value)) == Decimal(
        "0.625"
    )
    assert sheet["A7"].value == "合计" and sheet["A7"].font.bold and sheet["B7"].value == 1241
    # The Chinese heading is 11 characters, 22 columns wide; the money 12 (3,184,053.20).
    assert sheet.column_dimensions["A"].width == 22 + 2
    assert sheet.column_dimensions["C"].width == len("3,184,053.70") + 2
    assert sheet.column_dimensions["B"].width == len("1,241") + 2  # wider than 人数 (4)


def test_a_month_chart_names_its_months_in_the_readers_language():
    values = [
        (datetime.date(2025, 11, 1), 5),
        (datetime.date(2025, 12, 1), 0),
        (datetime.date(2026, 1, 1), 1200),
    ]
    with translation.override("zh-hans"):
        chart = month_bars(values)
    assert [bar["label"] for bar in chart["bars"]] == ["十一月", "十二月", "一月"]
    assert [bar["year"] for bar in chart["bars"]] == ["2025", "", "2026"]
    assert [bar["height"] for bar in chart["bars"]] == [round(5 / 1200 * 100, 1), 0.0, 100.0]
    assert chart["bars"][2]["shown"] == "1,200"
    with translation.override("en"):
        assert [bar["label"] for bar in month_bars(values)["bars"]] == ["Nov", "Dec", "Jan"]
