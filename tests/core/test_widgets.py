"""A date picker's value is the one form the browser's date input takes, in every language."""

import datetime

import pytest
from django.utils import timezone, translation

from core.widgets import DateInput
from nursery.forms import FieldCheckForm


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_picker_writes_its_date_as_the_browser_reads_it(language):
    with translation.override(language):
        html = DateInput().render("checked_on", datetime.date(2026, 12, 7))

    assert 'type="date"' in html
    assert 'value="2026-12-07"' in html


def test_the_field_check_offers_today_in_chinese(db):
    with translation.override("zh-hans"):
        html = str(FieldCheckForm()["checked_on"])

    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html


def test_a_date_typed_the_chinese_way_is_still_read():
    with translation.override("zh-hans"):
        form = FieldCheckForm(data={"checked_on": "2026/12/07"})
        form.is_valid()

    assert "checked_on" not in form.errors
