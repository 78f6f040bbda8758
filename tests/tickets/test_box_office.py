"""The box office at the gate: selling to walk-in visitors, the day's takings, the gate's panel.

Figures are checked against counts made here from the rows themselves, not against the
selectors that compute them.
"""

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
import segno
from django.test import Client
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from tests.tickets.factories import (
    SlotFactory,
    TicketTypeFactory,
    UserFactory,
    order_for,
    user_in_role,
    whole_day_slot,
)
from tourism.models import TicketType
from tourism.tickets import services
from tourism.tickets.box_office import (
    box_office_default_slot,
    box_office_sell,
    box_office_slots,
    box_office_takings,
    gate_today,
)
from tourism.tickets.models import Order, OrderLog, Payment, Refund, Slot, Ticket
from tourism.tickets.signing import ticket_payload

SELL = "/en/gate/sell/"
TAKINGS = "/admin/box-office/takings/"
CASH, WECHAT, ALIPAY = "cash", "wechat", "alipay"


@pytest.fixture(autouse=True)
def pay_at_the_gate(settings):
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def fares(db):
    return SimpleNamespace(
        adult=TicketTypeFactory(name="成人票", name_en="Adult", price=Decimal("60.00")),
        child=TicketTypeFactory(
            name="儿童票",
            name_en="Child",
            audience=TicketType.Audience.CHILD,
            price=Decimal("30.00"),
        ),
    )


@pytest.fixture
def today_slot(db):
    return whole_day_slot(timezone.localdate(), capacity=10)


@pytest.fixture
def seller(db):
    return user_in_role("Gate staff", username="ticketseller", first_name="Li")


def _saved():
    """Everything a sale writes, counted."""
    return (
        Order.objects.count(),
        Payment.objects.count(),
        Ticket.objects.count(),
        OrderLog.objects.count(),
        list(Slot.objects.order_by("pk").values_list("taken", flat=True)),
    )


# --- the sale service ------------------------------------------------------------------


def test_a_cash_sale_of_two_adults_is_paid_admitted_and_takes_two_places(fares, today_slot, seller):
    order = box_office_sell(
        slot_id=today_slot.pk,
        quantities={fares.adult.pk: 2},
        method=CASH,
        admit=True,
        user=seller,
    )

    assert order.channel == "box_office"
    with translation.override("en"):
        assert order.get_channel_display() == "Box office"
    assert order.status == Order.Status.PAID
    assert order.total == Decimal("120.00")
    assert order.contact_email == ""
    payment = order.payments.get()
    assert (payment.method, payment.amount, payment.taken_by) == (CASH, Decimal("120.00"), seller)
    assert payment.status == Payment.Status.SUCCEEDED
    tickets = list(order.tickets.all())
    assert len(tickets) == 2
    assert all(t.checked_in_at and t.checked_in_by == seller for t in tickets)
    today_slot.refresh_from_db()
    assert today_slot.taken == 2
    assert [entry.action for entry in order.log.all()] == [
        "created",
        "paid_at_box_office",
        "admitted_at_box_office",
    ]
    assert order.log.get(action="paid_at_box_office").user == seller


def test_a_sale_shows_as_the_box_office_channel_in_chinese(fares, today_slot, seller):
    order = box_office_sell(
        slot_id=today_slot.pk, quantities={fares.adult.pk: 1}, method=CASH, user=seller
    )
    with translation.override("zh-hans"):
        assert order.get_channel_display() == "售票窗口"


def test_printed_tickets_wait_for_the_gate_and_are_admitted_there_once(fares, today_slot, seller):
    order = box_office_sell(
        slot_id=today_slot.pk,
        quantities={fares.adult.pk: 1, fares.child.pk: 1},
        method=ALIPAY,
        reference="2026120222001400001234",
        admit=False,
        user=seller,
    )

    assert order.total == Decimal("90.00")
    assert not order.tickets.filter(checked_in_at__isnull=False).exists()
    ticket = order.tickets.first()
    first = services.ticket_check_in(payload=ticket_payload(ticket.code), user=seller)
    again = services.ticket_check_in(payload=ticket_payload(ticket.code), user=seller)
    assert (first.result, first.collect) == ("valid", None)  # paid at the counter already
    assert again.result == "used"


def test_a_box_office_ticket_scans_without_an_empty_name_between_dots(fares, today_slot, seller):
    order = box_office_sell(
        slot_id=today_slot.pk, quantities={fares.adult.pk: 2}, method=CASH, admit=False, user=seller
    )
    client = Client()
    client.force_login(seller)

    scanned = client.post(
        "/en/gate/check-in/",
        data=json.dumps({"payload": ticket_payload(order.tickets.first().code)}),
        content_type="application/json",
    ).json()

    assert scanned["ticket"]["summary"] == f"Adult · {order.reference} · 2 visitors"


def test_a_sale_short_of_places_is_refused_and_saves_nothing(fares, seller):
    slot = whole_day_slot(timezone.localdate(), capacity=3)
    order_for(slot, {fares.adult: 2})
    before = _saved()

    with pytest.raises(services.SoldOut):
        box_office_sell(
            slot_id=slot.pk, quantities={fares.adult.pk: 2}, method=CASH, admit=True, user=seller
        )

    assert _saved() == before
    slot.refresh_from_db()
    assert slot.taken == 2


@pytest.mark.parametrize("method", [WECHAT, ALIPAY])
@pytest.mark.parametrize("reference", ["", "   ", "12345", "4200001234;DROP", "x" * 65])
def test_wechat_and_alipay_need_a_valid_payment_reference(
    fares, today_slot, seller, method, reference
):
    before = _saved()

    with pytest.raises(services.BookingError) as refused:
        box_office_sell(
            slot_id=today_slot.pk,
            quantities={fares.adult.pk: 1},
            method=method,
            reference=reference,
            user=seller,
        )

    assert refused.value.field == "reference"
    assert _saved() == before


def test_a_scanned_payment_is_recorded_for_one_sale_only(fares, today_slot, seller):
    first = box_office_sell(
        slot_id=today_slot.pk,
        quantities={fares.adult.pk: 1},
        method=WECHAT,
        reference="4200001234202612020001",
        user=seller,
    )
    before = _saved()

    with pytest.raises(services.BookingError) as refused:
        box_office_sell(
            slot_id=today_slot.pk,
            quantities={fares.adult.pk: 1},
            method=WECHAT,
            reference=" 4200001234202612020001 ",
            user=seller,
        )

    assert first.reference in refused.value.message
    assert _saved() == before
    assert first.payments.get().provider_payment_id == "4200001234202612020001"


def test_the_database_keeps_a_scanned_payment_to_one_sale(fares, today_slot, seller):
    from django.db import IntegrityError, transaction

    order = box_office_sell(
        slot_id=today_slot.pk,
        quantities={fares.adult.pk: 1},
        method=ALIPAY,
        reference="ALI-0001-0002",
        user=seller,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            order=order,
            provider="box_office",
            method=ALIPAY,
            provider_payment_id="ALI-0001-0002",
            amount=1,
        )


def test_cash_takes_no_reference_and_unknown_methods_are_refused(fares, today_slot, seller):
    order = box_office_sell(
        slot_id=today_slot.pk,
        quantities={fares.adult.pk: 1},
        method=CASH,
        reference="anything",
        user=seller,
    )
    assert order.payments.get().provider_payment_id == ""
    before = _saved()
    with pytest.raises(services.BookingError) as refused:
        box_office_sell(
            slot_id=today_slot.pk, quantities={fares.adult.pk: 1}, method="card", user=seller
        )
    assert refused.value.field == "method"
    assert _saved() == before


@pytest.mark.parametrize(
    "quantities", [{}, {"adult": 0}, {"adult": -1}, {"adult": 21}, {"missing": 1}]
)
def test_bad_quantities_are_refused_and_save_nothing(fares, today_slot, seller, quantities):
    wanted = {
        (fares.adult.pk if name == "adult" else 999_999): qty for name, qty in quantities.items()
    }
    before = _saved()
    with pytest.raises(services.BookingError):
        box_office_sell(slot_id=today_slot.pk, quantities=wanted, method=CASH, user=seller)
    assert _saved() == before


def test_the_box_office_sells_today_only(fares, seller):
    tomorrow = whole_day_slot(timezone.localdate() + datetime.timedelta(days=1))
    before = _saved()
    with pytest.raises(services.BookingError) as refused:
        box_office_sell(
            slot_id=tomorrow.pk, quantities={fares.adult.pk: 1}, method=CASH, user=seller
        )
    assert refused.value.field == "slot"
    assert _saved() == before


def test_a_repeated_tap_of_one_sale_form_sells_once(fares, today_slot, seller):
    sale = {
        "slot_id": today_slot.pk,
        "quantities": {fares.adult.pk: 2},
        "method": CASH,
        "user": seller,
        "sale_key": "a1b2c3",
    }
    first = box_office_sell(**sale)
    again = box_office_sell(**sale)

    assert again.pk == first.pk
    assert Order.objects.count() == 1
    today_slot.refresh_from_db()
    assert today_slot.taken == 2


def _today_at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute))
    )


def test_the_sale_takes_the_current_slot_or_the_next_with_places(db):
    today = timezone.localdate()
    _nine, ten, eleven = (
        SlotFactory(
            date=today,
            starts_at=datetime.time(h),
            ends_at=datetime.time(h + 1),
            capacity=5,
        )
        for h in (9, 10, 11)
    )
    now = _today_at(10, 30)

    slots = box_office_slots(now=now)
    assert [s.pk for s in slots] == [ten.pk, eleven.pk]  # 9:00–10:00 has closed
    assert box_office_default_slot(slots).pk == ten.pk

    Slot.objects.filter(pk=ten.pk).update(taken=5)
    slots = box_office_slots(now=now)
    assert box_office_default_slot(slots).pk == eleven.pk
    assert [s.remaining for s in slots] == [0, 5]
    assert box_office_slots(now=_today_at(12, 30)) == []


# --- capacity under concurrency (real threads, real locks) -------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_box_office_and_website_racing_for_the_last_places_never_oversell():
    from tests.tickets.test_capacity import CONTACT, _in_threads
    from tourism.tickets.payments.gate import GateProvider

    adult = TicketTypeFactory()
    slot = whole_day_slot(timezone.localdate(), capacity=6)
    seller = UserFactory()

    def work(i):
        try:
            if i % 2:
                box_office_sell(slot_id=slot.pk, quantities={adult.pk: 1}, method=CASH, user=seller)
            else:
                services.order_create(
                    slot_id=slot.pk,
                    quantities={adult.pk: 1},
                    contact=CONTACT,
                    provider=GateProvider(),
                )
        except services.SoldOut:
            return "sold_out"
        return "sold"

    results = _in_threads(16, work)

    assert results.count("sold") == 6
    slot.refresh_from_db()
    assert slot.taken == 6
    assert Ticket.objects.filter(order__slot=slot).count() == 6
    # Every box office sale that went through was paid, once.
    box_office = Order.objects.filter(channel="box_office")
    assert Payment.objects.filter(order__in=box_office).count() == box_office.count()


# --- the day's takings -------------------------------------------------------------------


@pytest.fixture
def day_of_sales(fares, today_slot, seller):
    """Sales by two sellers in three ways, a pay-at-gate booking collected, a refund, and noise."""
    other = user_in_role("Gate staff", username="wang", first_name="Wang", last_name="Fang")
    Slot.objects.filter(pk=today_slot.pk).update(capacity=50)
    sell = box_office_sell
    sales = [
        sell(slot_id=today_slot.pk, quantities={fares.adult.pk: 2}, method=CASH, user=seller),
        sell(
            slot_id=today_slot.pk,
            quantities={fares.adult.pk: 1, fares.child.pk: 1},
            method=WECHAT,
            reference="WX000000001",
            user=seller,
        ),
        sell(slot_id=today_slot.pk, quantities={fares.child.pk: 1}, method=CASH, user=other),
        sell(
            slot_id=today_slot.pk,
            quantities={fares.adult.pk: 1},
            method=ALIPAY,
            reference="ALI00000001",
            user=other,
        ),
    ]
    # A tourist who reserved online pays at the gate when first scanned.
    reserved = order_for(today_slot, {fares.adult: 2})
    services.ticket_check_in(payload=ticket_payload(reserved.tickets.first().code), user=other)
    # Cash handed back for the child's ticket sold by the second seller.
    Refund.objects.create(
        payment=sales[2].payments.get(), amount=Decimal("30.00"), reason="changed their mind"
    )
    # Yesterday's takings are not today's.
    yesterday = timezone.now() - datetime.timedelta(days=1)
    old = sell(slot_id=today_slot.pk, quantities={fares.adult.pk: 3}, method=CASH, user=seller)
    Payment.objects.filter(order=old).update(completed_at=yesterday)
    return SimpleNamespace(sales=sales, reserved=reserved, seller=seller, other=other)


def _expected_takings(date):
    """The day's takings counted one payment at a time, in Python."""
    by_method, by_staff = {}, {}
    total = {"sales": 0, "tickets": 0, "amount": Decimal("0"), "refunded": Decimal("0")}
    for payment in Payment.objects.select_related("order", "taken_by"):
        if payment.status != "succeeded" or payment.provider not in ("box_office", "gate"):
            continue
        if timezone.localdate(payment.completed_at) != date:
            continue
        method = payment.method if payment.provider == "box_office" else "collected"
        user = payment.taken_by
        name = user.get_full_name() or user.get_username()
        for bucket in (
            by_method.setdefault(method, {"sales": 0, "tickets": 0, "amount": Decimal("0")}),
            by_staff.setdefault(name, {"sales": 0, "tickets": 0, "amount": Decimal("0")}),
            total,
        ):
            bucket["sales"] += 1
            bucket["tickets"] += payment.order.quantity
            bucket["amount"] += payment.amount
    refunded = {}
    for refund in Refund.objects.select_related("payment"):
        if timezone.localdate(refund.created_at) == date:
            method = (
                refund.payment.method if refund.payment.provider == "box_office" else "collected"
            )
            refunded[method] = refunded.get(method, Decimal("0")) + refund.amount
            total["refunded"] += refund.amount
    return by_method, by_staff, total, refunded


def test_the_days_takings_per_method_and_staff_member_add_up(day_of_sales):
    today = timezone.localdate()
    by_method, by_staff, total, refunded = _expected_takings(today)

    rows = box_office_takings(date=today)

    methods = {r.key: r for r in rows if r.kind == "method"}
    staff = {r.label: r for r in rows if r.kind == "staff"}
    (grand,) = [r for r in rows if r.kind == "total"]
    for key, expected in by_method.items():
        row = methods[key]
        assert (row.sales, row.tickets, row.amount) == (
            expected["sales"],
            expected["tickets"],
            expected["amount"],
        )
        assert row.refunded == refunded.get(key, Decimal("0"))
    assert set(staff) == set(by_staff) == {"Li", "Wang Fang"}
    for name, expected in by_staff.items():
        assert (staff[name].sales, staff[name].tickets, staff[name].amount) == (
            expected["sales"],
            expected["tickets"],
            expected["amount"],
        )
    assert (grand.sales, grand.tickets, grand.amount, grand.refunded) == (
        total["sales"],
        total["tickets"],
        total["amount"],
        total["refunded"],
    )
    # Written out once, so that a mistake shared by both computations still shows.
    assert grand.amount == Decimal("120") + Decimal("90") + Decimal("30") + Decimal("60") + Decimal(
        "120"
    )
    assert grand.net == grand.amount - Decimal("30")
    assert methods["cash"].amount == Decimal("150.00")  # yesterday's ¥180 left out
    assert methods["collected"].amount == Decimal("120.00")


def _export(client, fmt):
    response = client.get(TAKINGS, {"export": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_takings_export_as_csv_and_xlsx_carry_the_figures(day_of_sales):
    client = Client()
    client.force_login(day_of_sales.seller)
    today = timezone.localdate()
    by_method, by_staff, total, _refunded = _expected_takings(today)

    rows = list(csv.reader(io.StringIO(_export(client, "csv").decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    # The admin speaks Chinese unless the user chose otherwise.
    assert header == [
        "分组依据",
        "名称",
        "笔数",
        "票数",
        "收款（元）",
        "退款（元）",
        "净收款（元）",
    ]
    as_dict = {(r[0], r[1]): r for r in body}
    cash = as_dict[("付款方式", "现金")]
    assert (int(cash[2]), int(cash[3]), Decimal(cash[4])) == (
        by_method["cash"]["sales"],
        by_method["cash"]["tickets"],
        by_method["cash"]["amount"],
    )
    wang = as_dict[("售票员", "Wang Fang")]
    assert Decimal(wang[4]) == by_staff["Wang Fang"]["amount"]
    grand = as_dict[("合计", "全部收款")]
    assert Decimal(grand[4]) == total["amount"]
    assert Decimal(grand[6]) == total["amount"] - total["refunded"]

    sheet = openpyxl.load_workbook(io.BytesIO(_export(client, "xlsx"))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # The sheet opens with its title rows; the table starts at its headings.
    assert values[0][0] == "售票窗口收款"
    start = values.index(header)
    xlsx = {(r[0], r[1]): r for r in values[start + 1 :]}
    assert Decimal(str(xlsx[("合计", "全部收款")][4])) == total["amount"]
    assert xlsx[("付款方式", "微信支付")][3] == by_method["wechat"]["tickets"]


def test_a_staff_name_that_looks_like_a_formula_exports_as_text(day_of_sales):
    day_of_sales.other.first_name, day_of_sales.other.last_name = "=HYPERLINK(1)", ""
    day_of_sales.other.save()
    client = Client()
    client.force_login(day_of_sales.seller)
    rows = list(csv.reader(io.StringIO(_export(client, "csv").decode("utf-8-sig"))))
    names = [r[1] for r in rows if r[0] == "售票员"]
    assert "'=HYPERLINK(1)" in names


def test_the_takings_page_answers_sellers_and_order_readers_only(day_of_sales, settings):
    page = Client()
    page.force_login(day_of_sales.seller)
    response = page.get(TAKINGS)
    assert response.status_code == 200
    assert "Wang Fang" in response.content.decode()
    assert page.get(TAKINGS, {"date": "not-a-date"}).status_code == 200

    official = Client()
    official.force_login(user_in_role("Officials"))
    # Wagtail answers an admin view's refusal with a redirect to the admin home.
    for query in ({}, {"export": "csv"}):
        refused = official.get(TAKINGS, query)
        assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    editor = Client()
    editor.force_login(user_in_role("Editors"))
    assert editor.get(TAKINGS).status_code == 200
    assert Client().get(TAKINGS).status_code == 302


def test_the_takings_page_groups_its_figures_for_a_chinese_reader(day_of_sales, today_slot):
    guided = TicketTypeFactory(name="讲解套票", name_en="Guided", price=Decimal("1234.50"))
    box_office_sell(
        slot_id=today_slot.pk, quantities={guided.pk: 1}, method=CASH, user=day_of_sales.seller
    )
    by_method, _by_staff, total, _refunded = _expected_takings(timezone.localdate())
    profile = UserProfile.get_for_user(day_of_sales.seller)
    profile.preferred_language = "zh-hans"
    profile.save()
    client = Client()
    client.force_login(day_of_sales.seller)

    html = client.get(TAKINGS).content.decode()

    assert by_method["cash"]["amount"] == Decimal("1384.50")
    assert total["amount"] == Decimal("1654.50")
    assert "1,384.50" in html and "1,654.50" in html
    assert "1384.50" not in html and "1654.50" not in html


def test_another_days_takings_are_shown_for_that_day(day_of_sales):
    client = Client()
    client.force_login(day_of_sales.seller)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(TAKINGS, {"export": "csv", "date": yesterday.isoformat()})
                ).decode("utf-8-sig")
            )
        )
    )
    grand = next(r for r in rows if r[0] == "合计")
    assert Decimal(grand[4]) == Decimal("180.00")


# --- the pages -------------------------------------------------------------------------


def _sale_form(client):
    response = client.get(SELL)
    assert response.status_code == 200
    html = response.content.decode()
    key = re.search(r'name="sale_key" value="([0-9a-f]+)"', html).group(1)
    return html, key


def test_gate_staff_sell_on_the_page_and_see_the_sale(fares, today_slot, seller):
    client = Client()
    client.force_login(seller)
    html, key = _sale_form(client)
    assert f'value="{today_slot.pk}" checked' in html

    response = client.post(
        SELL,
        {
            "slot": today_slot.pk,
            f"qty_{fares.adult.pk}": "2",
            f"qty_{fares.child.pk}": "0",
            "method": CASH,
            "reference": "",
            "then": "admit",
            "sale_key": key,
        },
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/gate/sell/{order.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert "2 visitors admitted." in page
    assert "¥120.00 paid by Cash" in page
    # The same sale in Chinese, punctuated as Chinese is.
    day = today_slot.date
    chinese = client.get(f"/gate/sell/{order.reference}/").content.decode()
    assert f"入园：{day.year}年{day.month}月{day.day}日" in chinese
    # A second tap on the same form (the browser resending it) sells nothing more.
    client.post(
        SELL,
        {
            "slot": today_slot.pk,
            f"qty_{fares.adult.pk}": "2",
            "method": CASH,
            "then": "admit",
            "sale_key": key,
        },
    )
    assert Order.objects.count() == 1


def test_a_large_sale_reads_its_money_grouped_on_the_sale_page_and_the_order_desk(fares, seller):
    slot = whole_day_slot(timezone.localdate(), capacity=30)
    order = box_office_sell(
        slot_id=slot.pk, quantities={fares.adult.pk: 20}, method=CASH, admit=False, user=seller
    )
    assert order.total == Decimal("1200.00")
    client = Client()
    client.force_login(seller)

    sale = client.get(f"/gate/sell/{order.reference}/").content.decode()
    desk = client.get(f"/admin/tickets/orders/inspect/{order.pk}/").content.decode()

    assert "20 张票，¥1,200.00" in sale
    assert "<td>¥1,200.00</td>" in sale
    assert "<dd>¥1,200.00</dd>" in desk and "<dd data-paid>¥1,200.00</dd>" in desk
    assert "<dd data-refunded>¥0.00</dd>" in desk


@pytest.mark.parametrize(
    "data, message",
    [
        ({"method": WECHAT}, "transaction number"),
        ({"qty": "abc"}, "Enter a whole number."),
        ({"qty": "0"}, "Choose at least one ticket."),
        ({"slot": "x"}, "Select a valid choice."),
        ({"method": "bitcoin"}, "Select a valid choice."),
        ({"qty": "11"}, "not enough places"),
    ],
)
def test_bad_input_on_the_sale_page_is_a_message_and_saves_nothing(
    fares, today_slot, seller, data, message
):
    client = Client()
    client.force_login(seller)
    _html, key = _sale_form(client)
    before = _saved()
    post = {
        "slot": data.get("slot", today_slot.pk),
        f"qty_{fares.adult.pk}": data.get("qty", "1"),
        "method": data.get("method", CASH),
        "then": "print",
        "sale_key": key,
    }
    response = client.post(SELL, post)
    assert response.status_code in (409, 422)
    assert message in response.content.decode()
    assert _saved() == before


def test_only_sellers_reach_the_box_office(fares, today_slot):
    assert Client().get(SELL).status_code == 302
    for role in ("Officials", "Editors", "Farm managers"):
        client = Client()
        client.force_login(user_in_role(role))
        assert client.get(SELL).status_code == 403
        assert client.post(SELL, {"slot": today_slot.pk}).status_code == 403
    assert Order.objects.count() == 0


def test_slips_print_one_signed_qr_per_ticket_on_receipt_paper(fares, today_slot, seller):
    order = box_office_sell(
        slot_id=today_slot.pk,
        quantities={fares.adult.pk: 2, fares.child.pk: 1},
        method=CASH,
        user=seller,
    )
    client = Client()
    client.force_login(seller)
    for paper in ("58", "80"):
        html = client.get(f"/gate/sell/{order.reference}/slips/", {"paper": paper}).content.decode()
        assert f"@page {{ size: {paper}mm auto;" in html
        assert html.count('class="slip"') == 3
        for ticket in order.tickets.all():
            assert ticket.code in html
        # Each slip's QR says the ticket's signed payload, as the e-ticket's does.
        drawn = re.findall(r'<path[^>]* d="([^"]+)"', html)
        for ticket in order.tickets.all():
            signed = segno.make(ticket_payload(ticket.code), error="m").svg_inline(
                scale=5, border=2
            )
            assert re.search(r' d="([^"]+)"', signed).group(1) in drawn
    other = order_for(today_slot, {fares.adult: 1})  # a web order is not the box office's
    assert client.get(f"/gate/sell/{other.reference}/slips/").status_code == 404
    assert client.get(f"/gate/sell/{order.reference}/slips/", {"paper": "A4"}).status_code == 200


def test_the_gate_links_to_the_box_office_and_uses_the_compact_staff_layout(seller, db):
    client = Client()
    client.force_login(seller)
    html = client.get("/gate/").content.decode()
    assert 'href="/gate/sell/"' in html
    assert 'class="staff-bar"' in html
    assert "site-header" not in html and "site-footer" not in html
    assert "wagtail-userbar" not in html
    assert 'action="/admin/logout/"' in html
    assert 'href="/admin/"' in html


def test_the_field_form_uses_the_compact_staff_layout(db):
    manager = user_in_role("Farm managers")
    client = Client()
    client.force_login(manager)
    html = client.get("/field/").content.decode()
    assert 'class="staff-bar"' in html
    assert "site-header" not in html and "site-footer" not in html
    assert "wagtail-userbar" not in html


# --- the gate's panel on the admin home -------------------------------------------------


def _panel_figures(client) -> dict[str, int]:
    html = client.get("/admin/").content.decode()
    return {name: int(value) for name, value in re.findall(r'data-gate-panel="(\w+)">(\d+)<', html)}


def test_the_gate_panel_counts_todays_expected_arrived_and_walk_ins(fares, today_slot, seller):
    today = timezone.localdate()
    booked = order_for(today_slot, {fares.adult: 2, fares.child: 1})
    services.ticket_check_in(payload=ticket_payload(booked.tickets.first().code), user=seller)
    cancelled = order_for(today_slot, {fares.adult: 4})
    services.order_cancel(order=cancelled, user=seller)
    order_for(whole_day_slot(today + datetime.timedelta(days=1)), {fares.adult: 5})
    box_office_sell(
        slot_id=today_slot.pk, quantities={fares.adult.pk: 2}, method=CASH, admit=True, user=seller
    )
    box_office_sell(slot_id=today_slot.pk, quantities={fares.child.pk: 1}, method=CASH, user=seller)

    valid_today = [
        t
        for t in Ticket.objects.select_related("order__slot")
        if t.order.slot.date == today and t.order.status in ("paid", "reserved")
    ]
    expected = {
        "expected": len(valid_today),
        "arrived": sum(1 for t in valid_today if t.checked_in_at),
        "walk_ins": sum(1 for t in valid_today if t.order.channel == "box_office"),
    }
    assert expected == {"expected": 6, "arrived": 3, "walk_ins": 3}
    client = Client()
    client.force_login(seller)
    assert _panel_figures(client) == expected
    assert {k: gate_today()[k] for k in expected} == expected
    html = client.get("/admin/").content.decode()
    assert 'href="/gate/"' in html and 'href="/gate/sell/"' in html


def test_the_gate_panel_is_for_gate_staff_only(db):
    for role in ("Officials", "Editors", "Farm managers"):
        client = Client()
        client.force_login(user_in_role(role))
        assert "data-gate-panel" not in client.get("/admin/").content.decode()


def test_the_visitors_report_shows_box_office_sales_as_a_channel(fares, today_slot, seller):
    order_for(today_slot, {fares.adult: 3})
    box_office_sell(slot_id=today_slot.pk, quantities={fares.adult.pk: 2}, method=CASH, user=seller)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/reports/visitors/", {"export": "csv"})
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        if response.streaming
        else csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    )
    header = rows[0]
    today_row = dict(
        zip(header, next(r for r in rows[1:] if r[0] == str(today_slot.date)), strict=True)
    )
    assert today_row["已预订"] == "5"
    assert today_row["预订：售票窗口"] == "2"
    assert today_row["预订：网站"] == "3"
