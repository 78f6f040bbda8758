"""Large numbers read grouped by thousands in Chinese, where Django's own number format
does not group them: admin listings, the planting form's lots, an attraction's area."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.users.models import UserProfile

from core.admin import GroupedCountPaginator
from core.numbers import grouped
from nursery.forms import LotChoiceField
from nursery.models import StockLot, Zone
from tests.nursery.factories import make_lot
from tests.tickets.factories import UserFactory
from tests.workforce.factories import VillagerFactory, task_with_rates, work

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese_admin():
    user = UserFactory(is_superuser=True)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "zh-hans"
    profile.save()
    client = Client()
    client.force_login(user)
    return client


def shown(text: str, html: str) -> bool:
    """Whether ``text`` is a whole cell's value in ``html``."""
    return re.search(rf">\s*{re.escape(text)}\s*<", html) is not None


def cells(html: str) -> str:
    """The listing's table, where the figures are (not the filters' inputs)."""
    start = html.index('<table class="listing')
    return html[start : html.index("</table>", start)]


def test_grouped_keeps_the_stored_places_and_leaves_text_alone():
    assert grouped(Decimal("11069.60")) == "11,069.60"
    assert grouped(20000) == "20,000"
    assert grouped(Decimal("-1234567.5")) == "-1,234,567.5"
    assert grouped(None) == "" and grouped("H20") == "H20"


def test_admin_listings_group_quantities_money_and_figures_of_properties(chinese_admin):
    lot = make_lot(20000, unit_cost="1234.50")
    entry = lot.entries.get()
    assert entry.value == Decimal("24690000.00")  # 20,000 × ¥1,234.50

    lots = cells(chinese_admin.get("/admin/nursery/lots/").content.decode())
    ledger = cells(chinese_admin.get("/admin/nursery/ledger/").content.decode())

    # On hand and available (a property), the unit cost; the ledger's value (a property).
    assert len(re.findall(r">\s*20,000\s*<", lots)) == 2 and shown("1,234.50", lots)
    assert shown("24,690,000.00", ledger) and shown("1,234.50", ledger)
    assert not shown("20000", lots + ledger) and not shown("24690000.00", ledger)


def test_the_count_under_a_listing_is_grouped(chinese_admin):
    assert GroupedCountPaginator(range(48450), per_page=20).items_count_label == "48,450 项"
    assert GroupedCountPaginator(range(1), per_page=20).items_count_label == "1 项"

    make_lot(20)
    page = chinese_admin.get("/admin/nursery/lots/")

    assert isinstance(page.context["paginator"], GroupedCountPaginator)


def test_years_in_a_listing_are_not_grouped(chinese_admin):
    VillagerFactory(birth_year=1965)

    villagers = cells(chinese_admin.get("/admin/workforce/villagers/").content.decode())

    assert shown("1965", villagers) and "1,965" not in villagers


def test_a_listing_export_keeps_plain_numbers(chinese_admin):
    make_lot(20000, unit_cost="1234.50")

    response = chinese_admin.get("/admin/nursery/lots/", {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")

    assert ",20000," in text and "20,000" not in text


def test_the_planting_forms_lots_show_their_stock_grouped():
    lot = make_lot(20000)

    label = LotChoiceField(StockLot.objects.all()).label_from_instance(lot)

    assert label.endswith("(20,000)")


def test_an_attractions_area_reads_grouped_in_chinese(client, site_tree):
    Zone.objects.filter(code="A1").update(area_mu=Decimal("1500.50"))
    page = site_tree.zh.attraction

    html = client.get(page.get_url()).content.decode()

    # 1,500.5 mu × 666.67 m² a mu = 1,000,338.3 m²
    assert "1,500.50 亩（1,000,338 平方米）" in html


def test_the_home_pages_wages_read_grouped_in_chinese(client, home_page):
    task = task_with_rates(day="1000.00")
    for villager in [VillagerFactory() for _ in range(3)]:
        work(villager, timezone.localdate(), task)

    html = client.get("/").content.decode()

    assert "¥3,000" in html  # three days at ¥1,000
