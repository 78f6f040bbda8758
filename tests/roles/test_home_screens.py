"""The admin's home screen per role: which panels each role sees, and their figures, checked
against counts made here from the rows themselves."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone
from wagtail.admin.views.home import HomeView, RecentEditsPanel
from wagtail.users.models import UserProfile

from nursery import services as nursery_services
from nursery.dashboard import ManagerPanel
from nursery.models import StockLot, SurvivalCheck
from tests.nursery.factories import CustomerFactory, SpeciesFactory, ZoneFactory, make_lot
from tests.tickets.factories import user_in_role
from tests.workforce.factories import VillagerFactory, task_with_rates, work
from tourism.dashboard import EditorPanel
from workforce.dashboard import CrewsTodayPanel, JobFiguresPanel
from workforce.models import Crew, WorkEntry

pytestmark = pytest.mark.django_db


def panel_types(user) -> set[type]:
    request = RequestFactory().get("/admin/")
    request.user = user
    view = HomeView()
    view.setup(request)
    return {type(panel) for panel in view.get_panels()}


def dashboard(client, user, *, language: str = "") -> str:
    """The admin's home screen as ``user`` sees it, in ``language`` when one is given."""
    if language:
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def cell(html: str, row_attr: str, key: str, figure: str) -> str:
    row = re.search(rf'<tr {row_attr}="{re.escape(key)}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row {row_attr}={key}"
    value = re.search(rf'data-(?:figure|period)="{figure}">(.*?)</td>', row.group(1), re.S)
    return value.group(1).strip()


def figure(html: str, name: str) -> int:
    match = re.search(rf'data-figure="{name}"><strong>(\d+)</strong>', html)
    assert match, f"no figure {name}"
    return int(match.group(1))


def number(text: str) -> Decimal:
    """A figure as shown (``¥3,224,417.70``, ``23,331``) as a number, once its grouping is right."""
    assert re.fullmatch(r"¥?-?\d{1,3}(,\d{3})*(\.\d+)?%?", text), f"not a grouped figure: {text}"
    return Decimal(text.replace(",", "").strip("¥%"))


def test_each_role_sees_the_panels_it_serves_and_wagtail_page_panels_only_if_it_edits_pages():
    mine = {ManagerPanel, CrewsTodayPanel, JobFiguresPanel, EditorPanel}
    manager = panel_types(user_in_role("Farm managers"))
    assert manager & mine == {ManagerPanel, CrewsTodayPanel, JobFiguresPanel}
    assert RecentEditsPanel not in manager

    editor = panel_types(user_in_role("Editors"))
    assert editor & mine == {EditorPanel}
    assert RecentEditsPanel in editor

    official = panel_types(user_in_role("Officials"))
    assert official & mine == {JobFiguresPanel}
    assert RecentEditsPanel not in official

    gate = panel_types(user_in_role("Gate staff"))
    assert gate & mine == set()
    assert RecentEditsPanel not in gate

    from tests.tickets.factories import UserFactory

    admin = panel_types(UserFactory(is_superuser=True))
    assert mine <= admin and RecentEditsPanel in admin


def test_manager_sees_survival_checks_overdue_and_due_within_a_week(client):
    today = timezone.localdate()
    zone = ZoneFactory()
    lot = make_lot(500, days=400, zone=zone)
    # Plantings whose checks (1, 3, 6 and 12 months after) fall before, on and after today.
    for days_back in (32, 88, 95, 180, 370):
        nursery_services.planting_record(
            planted_on=today - datetime.timedelta(days=days_back), zone=zone, lot=lot, quantity=5
        )
    # The edges: due today and in six days are listed as due, in seven days not yet.
    later = SurvivalCheck.objects.filter(due_on__gt=today + datetime.timedelta(days=30))
    for check, days in zip(later.order_by("pk")[:3], (0, 6, 7), strict=True):
        SurvivalCheck.objects.filter(pk=check.pk).update(
            due_on=today + datetime.timedelta(days=days)
        )
    done = SurvivalCheck.objects.filter(due_on__lt=today).order_by("due_on").first()
    SurvivalCheck.objects.filter(pk=done.pk).update(checked_on=today, alive=5, weak=0, dead=0)

    open_checks = [c for c in SurvivalCheck.objects.all() if c.checked_on is None]
    overdue = {c.pk for c in open_checks if c.due_on < today}
    due = {c.pk for c in open_checks if today <= c.due_on <= today + datetime.timedelta(days=6)}
    assert overdue and len(due) >= 2, "the plantings above must give both kinds"

    html = dashboard(client, user_in_role("Farm managers"))
    assert figure(html, "checks-overdue") == len(overdue)
    assert figure(html, "checks-due") == len(due)
    listed = {int(pk) for pk in re.findall(r'<tr data-check="(\d+)"', html)}
    assert listed == overdue | due
    assert done.pk not in listed
    # The ways to record the day's work are one tap away.
    assert 'href="/field/"' in html
    assert 'href="/admin/nursery/purchase/"' in html


def test_manager_sees_the_lots_low_on_stock(client, settings):
    settings.NURSERY_LOW_STOCK_LEVEL = 10
    zone, species = ZoneFactory(), SpeciesFactory()
    lots = {
        "SHORT": make_lot(5, zone=zone, species=species),  # under the default level
        "OWNLEVEL": make_lot(50, zone=zone, species=species),  # under its own level of 60
        "RESERVED": make_lot(50, zone=zone, species=species),  # 45 of 50 promised
        "EMPTY": make_lot(4, zone=zone, species=species),  # planted out: finished, not short
        "PLENTY": make_lot(100, zone=zone, species=species),
        "NEVER": make_lot(3, zone=zone, species=species),  # level 0: never low
        "EMPTYWATCHED": make_lot(2, zone=zone, species=species),  # own level, nothing left
    }
    for code, lot in lots.items():
        StockLot.objects.filter(pk=lot.pk).update(code=code)
    StockLot.objects.filter(code="OWNLEVEL").update(reorder_level=60)
    StockLot.objects.filter(code="NEVER").update(reorder_level=0)
    StockLot.objects.filter(code="EMPTYWATCHED").update(reorder_level=5)
    nursery_services.reservation_create(
        customer=CustomerFactory(), lot=StockLot.objects.get(code="RESERVED"), quantity=45
    )
    for code in ("EMPTY", "EMPTYWATCHED"):
        nursery_services.planting_record(
            planted_on=timezone.localdate(),
            zone=zone,
            lot=StockLot.objects.get(code=code),
            quantity=StockLot.objects.get(code=code).on_hand,
        )

    def is_low(lot: StockLot) -> bool:
        available = lot.on_hand - lot.reserved
        if lot.reorder_level is not None:
            return available < lot.reorder_level
        return lot.on_hand > 0 and available < settings.NURSERY_LOW_STOCK_LEVEL

    expected = {lot.code for lot in StockLot.objects.all() if is_low(lot)}
    assert expected == {"SHORT", "OWNLEVEL", "RESERVED", "EMPTYWATCHED"}

    html = dashboard(client, user_in_role("Farm managers"))
    assert set(re.findall(r'<tr data-lot="([^"]+)"', html)) == expected
    reserved = StockLot.objects.get(code="RESERVED")
    assert cell_text(html, "RESERVED") == [str(reserved.on_hand), str(reserved.available), "10"]


def cell_text(html: str, code: str) -> list[str]:
    row = re.search(rf'<tr data-lot="{code}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)][1:]


def test_manager_sees_todays_crews_with_their_villagers_and_pay(client):
    today = timezone.localdate()
    task = task_with_rates(day="120.00", piece="0.50")
    north, south = Crew.objects.create(name="北坡队"), Crew.objects.create(name="南坡队")
    wang, li, zhang, zhao = (VillagerFactory() for _ in range(4))
    work(wang, today, task, crew=north)
    work(wang, today, task, basis="piece", quantity="4000", crew=north)  # ¥2,000
    work(li, today, task, crew=north)
    work(zhang, today, task, crew=south)
    work(zhao, today, task)
    work(zhao, today - datetime.timedelta(days=1), task, crew=south)

    # In Chinese, as the park reads it: Django's Chinese number format has no grouping.
    html = dashboard(client, user_in_role("Farm managers"), language="zh-hans")
    todays = WorkEntry.objects.filter(date=today)
    for crew_key, entries in (
        ("北坡队", todays.filter(crew=north)),
        ("南坡队", todays.filter(crew=south)),
        ("-", todays.filter(crew__isnull=True)),
    ):
        villagers = len({e.villager_id for e in entries})
        amount = sum(e.amount for e in entries)
        assert int(cell(html, "data-crew", crew_key, "villagers")) == villagers
        assert number(cell(html, "data-crew", crew_key, "amount")) == amount
    assert number(re.search(r'data-figure="total-amount">([^<]+)<', html).group(1)) == sum(
        e.amount for e in todays
    )
    assert int(re.search(r'data-figure="total-villagers">(\d+)<', html).group(1)) == 4


def test_official_sees_this_years_job_figures_beside_last_years(client):
    today = timezone.localdate()
    this_year, last_year = today.year, today.year - 1
    task = task_with_rates(day="1000.00")  # wages in thousands: grouped
    villagers = [VillagerFactory() for _ in range(5)]
    days_this = [datetime.date(this_year, 1, 5), datetime.date(this_year, 1, 6)]
    days_last = [datetime.date(last_year, 3, 1)]
    for villager in villagers[:3]:
        for day in days_this:
            work(villager, day, task)
    work(villagers[0], days_this[0], task, basis="piece", quantity="30")
    for villager in villagers[2:]:
        for day in days_last:
            work(villager, day, task, basis="piece", quantity="300")

    def year_figures(year):
        entries = WorkEntry.objects.filter(date__year=year)
        return {
            "employed": len({e.villager_id for e in entries}),
            "person_days": len({(e.villager_id, e.date) for e in entries}),
            "wages": sum((e.amount for e in entries), Decimal("0")),
        }

    html = dashboard(client, user_in_role("Officials"), language="zh-hans")
    for key, value in year_figures(this_year).items():
        assert number(cell(html, "data-figure", key, "current")) == value
    for key, value in year_figures(last_year).items():
        assert number(cell(html, "data-figure", key, "previous")) == value
    assert f'href="/admin/workforce/report/?period=year&amp;year={this_year}"' in html


def test_editor_sees_pages_waiting_and_the_home_pages_blooms_beside_the_nurserys(client, site_tree):
    from wagtail.models import Workflow

    from nursery.models import SpecimenTree
    from tourism.models import HomePage

    month = timezone.localdate().month
    other = month % 12 + 1
    roses, bougainvillea, flower_sea, trees = site_tree.zh.attractions
    rose_zone = site_tree.zone
    sea_zone, tree_zone, nursery_zone = ZoneFactory(), ZoneFactory(), ZoneFactory()
    flowering = SpeciesFactory(name="蜡梅", name_en="Wintersweet", bloom_months=[month])
    also_flowering = SpeciesFactory(name="山茶", name_en="Camellia", bloom_months=[month, other])
    resting = SpeciesFactory(name="紫薇", name_en="Crape myrtle", bloom_months=[other])

    def republish(page, **fields):
        for name, value in fields.items():
            setattr(page, name, value)
        page.save_revision().publish()

    republish(roses, bloom_months=[other])  # says not now, but its zone flowers
    republish(bougainvillea, bloom_months=[month])  # no zone: cannot be compared
    republish(flower_sea, zone=sea_zone)  # all year, and its zone flowers: agrees
    republish(trees, zone=tree_zone)  # says now, but nothing flowers in its zone
    make_lot(20, zone=rose_zone, species=flowering)
    make_lot(20, zone=sea_zone, species=also_flowering)
    make_lot(20, zone=sea_zone, species=resting)
    emptied = make_lot(3, zone=tree_zone, species=flowering)
    nursery_services.planting_record(
        planted_on=timezone.localdate(), zone=sea_zone, lot=emptied, quantity=3
    )
    for tag, zone, status in (
        ("T1", tree_zone, SpecimenTree.Status.DEAD),
        ("T2", nursery_zone, SpecimenTree.Status.HEALTHY),
    ):
        SpecimenTree.objects.create(tag=tag, species=also_flowering, zone=zone, status=status)

    editor = user_in_role("Editors")
    workflow = Workflow.objects.get(name="Moderators approval")
    waiting = site_tree.zh.news
    waiting.save_revision(user=editor)
    workflow.start(waiting, editor)

    html = dashboard(client, editor)
    verdicts = dict(re.findall(r'data-attraction="(\d+)" data-verdict="(\w+)"', html))
    assert verdicts == {
        str(roses.pk): "unsaid",
        str(bougainvillea.pk): "no_zone",
        str(flower_sea.pk): "agrees",
        str(trees.pk): "nothing_flowering",
    }
    row = re.search(rf'data-attraction="{flower_sea.pk}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert "Camellia" in row and "Crape myrtle" not in row and "Wintersweet" not in row
    assert f'data-zone="{nursery_zone.code}"' in html
    assert f'data-waiting="{waiting.pk}"' in html

    # "Said in bloom and shown" is what the home page itself lists this month.
    request = RequestFactory().get("/")
    request.user = editor
    home = HomePage.objects.get(pk=site_tree.zh.home.pk)
    on_home = {page.pk for page in home.get_context(request)["in_bloom"]}
    assert on_home == {bougainvillea.pk, flower_sea.pk, trees.pk}
    listed = set(
        re.findall(r'data-attraction="(\d+)"[^>]*>\s*<td>.*?</td>\s*<td>([^<]*)</td>', html, re.S)
    )
    shown = {int(pk) for pk, label in listed if label.strip() == "Listed as in bloom"}
    assert shown == on_home
