"""In Chromium on a 375 px phone, in Chinese, an official reads the job report: it fits the screen,
its tables scroll inside their own boxes, and the period form shows only the chosen period's inputs."""

import datetime

import pytest
from django.utils import timezone
from wagtail.users.models import UserProfile

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


def visible_inputs(page) -> set[str]:
    return set(
        page.eval_on_selector_all(
            "form.period-form .field",
            "fields => fields.filter(f => f.offsetParent !== null)"
            ".map(f => f.querySelector('input, select').name)",
        )
    )


def test_the_job_report_fits_a_375px_phone_and_shows_only_the_chosen_periods_inputs(
    browser, live_server, settings
):
    # The park's language: the admin in Chinese, as the officials read it.
    settings.LANGUAGE_CODE = "zh-hans"
    today = timezone.localdate()
    task = task_with_rates(day="1234.56")  # wide figures, with separators
    village = VillageFactory(code="a", name="演示一村（大龙镇自力村）")
    for n in range(4):
        villager = VillagerFactory(
            household=household_in(
                village, status=PovertyStatus.LIFTED if n % 2 else PovertyStatus.NONE
            )
        )
        for day in range(n + 2):
            work(
                villager,
                max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=day)),
                task,
            )
    official = user_in_role("Officials", username="official")
    profile = UserProfile.get_for_user(official)
    profile.preferred_language = "zh-hans"
    profile.save()
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=1, locale="zh-CN"
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/workforce/report/")
        page.fill("#id_username", "official")
        page.fill("#id_password", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url("**/admin/workforce/report/**")

        assert page.locator("h1").inner_text() == "带动就业报告"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # The year's report: the year only; no quarter, month or dates.
        assert visible_inputs(page) == {"period", "year", "village"}
        # Choosing a kind of period shows its inputs at once.
        page.select_option("#id_period", "month")
        assert visible_inputs(page) == {"period", "year", "month", "village"}
        page.select_option("#id_period", "custom")
        assert visible_inputs(page) == {"period", "start", "end", "village"}
        page.select_option("#id_period", "quarter")
        assert visible_inputs(page) == {"period", "year", "quarter", "village"}
        page.select_option("#id_period", "year")
        page.click("form.period-form button[type=submit]")
        page.wait_for_load_state()

        # Money reads with separators, the chart names its months, the page still fits:
        # the wide tables scroll inside their own boxes.
        wages = page.locator('tr[data-figure="wages"] td.num').first.inner_text()
        assert wages.startswith("¥") and "," in wages
        labels = page.locator(".month-chart__label").all_inner_texts()
        assert len(labels) == 12 and labels[0] == "一月"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        boxes = page.eval_on_selector_all(
            ".table-scroll",
            "boxes => boxes.map(b => [b.getBoundingClientRect().right, b.scrollWidth, b.clientWidth])",
        )
        assert boxes and all(right <= 375 for right, _scroll, _client in boxes)
        assert any(scroll > client for _right, scroll, client in boxes)  # some do scroll
        totals = page.locator("section.breakdown tfoot").first.inner_text()
        assert "合计" in totals
    finally:
        context.close()
