"""Group bookings (团队票): the minimum, capacity, the visitor list and its cut-off, one-scan admit,
the visitors report's group channel and group orders through the partner API."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from tests.tickets.factories import (
    SlotFactory,
    TicketTypeFactory,
    bearer,
    id_number,
    partner_key,
    real_name_on,
    user_in_role,
)
from tourism.models import TicketType
from tourism.tickets import groups, services
from tourism.tickets.group_models import GroupBooking
from tourism.tickets.group_sheets import read_visitor_sheet
from tourism.tickets.groups import Agency, GroupLeader, ListRow
from tourism.tickets.models import Order, Slot, Ticket
from tourism.tickets.payments.gate import GateProvider
from tourism.tickets.selectors import prices_on, visitors_by_day
from tourism.tickets.signing import ticket_payload
from tourism.tickets.visitors import Visitor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]

GROUP_PRICE = Decimal("48.00")
LEADER = GroupLeader(
    name="张导游", phone="138 1234 5678", document_type="id_card", number=id_number("19850612")
)


@pytest.fixture
def client(db):
    """A travel agency's client: every request carries its partner API key."""
    return Client(**bearer(partner_key(rate_limit_per_minute=10_000)[1]))


@pytest.fixture
def group_rate(db):
    return TicketTypeFactory(
        name="团队票", name_en="Group rate", audience=TicketType.Audience.GROUP, price=GROUP_PRICE
    )


def booked_ahead() -> datetime.datetime:
    """When a group visiting today booked: two days ahead, before its list closed."""
    return timezone.now() - datetime.timedelta(days=2)


def person(n: int) -> str:
    """The n-th made-up group member's ID number (distinct sequence numbers)."""
    return id_number("19900101", sequence=f"{n:03d}")


def book_group(slot, people=35, *, leader=LEADER, agency=None, now=None) -> Order:
    return groups.group_create(
        slot_id=slot.pk,
        people=people,
        leader=leader,
        agency=agency or Agency(),
        pay_online=False,
        provider=GateProvider(),
        now=now,
    )


def rows(n: int, *, start: int = 1) -> list[ListRow]:
    return [ListRow(i, f"团员{i}", "id_card", person(start + i)) for i in range(1, n + 1)]


# --- booking -------------------------------------------------------------------------------


def test_a_group_is_one_order_at_the_group_rate_with_the_leader_on_its_list(group_rate):
    slot = SlotFactory(capacity=100)
    order = book_group(slot, 35, agency=Agency("花谷演示旅行社", "L-SC-CJ00123"))

    assert order.channel == Order.Channel.GROUP
    assert order.quantity == 35
    assert order.total == GROUP_PRICE * 35
    assert order.tickets.count() == 35
    assert order.contact_phone == "13812345678"
    assert order.group.agency == "花谷演示旅行社"
    assert [v.name for v in Visitor.objects.filter(order=order)] == ["张导游"]
    slot.refresh_from_db()
    assert slot.taken == 35


def test_a_group_below_the_minimum_is_refused(group_rate):
    slot = SlotFactory(capacity=100)
    minimum = groups.BookingRules.current().group_minimum

    with pytest.raises(services.BookingError) as refused:
        book_group(slot, minimum - 1)

    assert str(minimum) in refused.value.message
    assert refused.value.field == "people"
    assert not Order.objects.exists()


def test_an_agency_without_its_licence_number_is_refused(group_rate):
    slot = SlotFactory(capacity=100)
    with pytest.raises(services.BookingError) as refused:
        book_group(slot, 20, agency=Agency("花谷演示旅行社", ""))
    assert refused.value.field == "agency_licence"
    assert not Order.objects.exists()


def test_a_leader_with_a_wrong_check_digit_is_refused_before_anything_is_held(group_rate):
    slot = SlotFactory(capacity=100)
    good = LEADER.number
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(services.BookingError) as refused:
        book_group(slot, 20, leader=GroupLeader("张导游", "13812345678", "id_card", bad))
    assert refused.value.field == "leader_number"
    slot.refresh_from_db()
    assert slot.taken == 0
    assert not Order.objects.exists()


def test_a_group_larger_than_the_places_left_is_refused_with_nothing_saved(group_rate):
    slot = SlotFactory(capacity=40)
    book_group(slot, 30, leader=GroupLeader("李领队", "13900000000", "passport", "E12345678"))

    with pytest.raises(services.SoldOut):
        book_group(slot, 11)

    slot.refresh_from_db()
    assert slot.taken == 30
    assert Order.objects.count() == 1
    assert GroupBooking.objects.count() == 1
    assert Visitor.objects.count() == 1


def test_a_group_cannot_book_a_time_whose_list_would_already_be_closed(group_rate):
    slot = SlotFactory(capacity=100)
    hours = groups.BookingRules.current().group_list_cutoff_hours
    entry = timezone.make_aware(datetime.datetime.combine(slot.date, slot.starts_at))
    cutoff = entry - datetime.timedelta(hours=hours)

    with pytest.raises(services.BookingError) as refused:
        book_group(slot, 20, now=cutoff + datetime.timedelta(minutes=1))

    assert refused.value.field == "slot"
    assert f"at least {hours} hours before" in str(refused.value)
    assert not Order.objects.exists()
    slot.refresh_from_db()
    assert slot.taken == 0
    # Up to the cut-off itself the group books, and its list is still open.
    order = book_group(slot, 20, now=cutoff)
    assert groups.may_change_list(order, now=cutoff)


def test_the_group_page_offers_only_times_a_list_can_still_be_completed_for(group_rate):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    # Tomorrow's early time closes to groups within the cut-off; a week ahead stays open.
    early = SlotFactory(
        date=tomorrow, starts_at=datetime.time(0, 0), ends_at=datetime.time(1, 0), capacity=100
    )
    later = SlotFactory(capacity=100)
    page = Client()

    soon = page.get("/en/tickets/group/", {"date": tomorrow.isoformat()}).content.decode()
    ahead = page.get("/en/tickets/group/", {"date": later.date.isoformat()}).content.decode()

    assert f'value="{early.pk}"' not in soon
    assert "Groups book at least" in soon and "Please choose a later date." in soon
    assert f'value="{later.pk}"' in ahead and "Groups book at least" not in ahead


def test_a_day_that_cannot_be_booked_is_explained_and_kept_in_the_field(group_rate):
    page = Client()
    for typed in ("2099-01-01", "1999-01-01", ""):
        html = page.get("/en/tickets/group/", {"date": typed}).content.decode()
        assert "That day cannot be booked." in html, typed
        assert f'value="{typed}" required' in html, typed
    # A first visit, with no day asked for yet, is not told off.
    assert "That day cannot be booked." not in page.get("/en/tickets/group/").content.decode()


def test_the_group_rate_is_not_sold_on_the_ordinary_booking_page(group_rate, ticket_types):
    slot = SlotFactory(capacity=100)
    with pytest.raises(services.BookingError):
        services.order_create(
            slot_id=slot.pk,
            quantities={group_rate.pk: 2},
            contact=services.Contact("王小花", "13800000000", "a@example.com"),
            provider=GateProvider(),
        )
    assert group_rate not in [t for t, _price in prices_on(slot.date)]


# --- the visitor list ----------------------------------------------------------------------


def test_the_preview_lists_every_bad_row_and_saving_a_bad_list_saves_nothing(group_rate):
    slot = SlotFactory(capacity=100)
    order = book_group(slot, 35)
    other = book_group(
        SlotFactory(
            date=slot.date, starts_at=datetime.time(11), ends_at=datetime.time(12), capacity=50
        ),
        20,
        leader=GroupLeader("王领队", "13700000000", "id_card", person(900)),
    )
    assert other.pk
    listed = rows(34)
    wrong = listed[4].number[:17] + ("1" if listed[4].number[17] != "1" else "2")
    listed[4] = ListRow(5, "团员5", "id_card", wrong)  # bad check digit
    listed[9] = ListRow(10, "团员10", "id_card", listed[2].number)  # same as row 3
    listed[20] = ListRow(21, "团员21", "id_card", person(900))  # booked that day by another group

    check = groups.group_list_check(order=order, rows=listed)

    bad = {row.line: problems for row, problems in check.rows if problems}
    assert set(bad) == {5, 10, 21}
    assert "row 3" in bad[10][0]
    assert slot.date.isoformat() in bad[21][0]
    assert not check.ok

    saved = groups.group_list_save(order=order, rows=listed)
    assert not saved.ok
    assert Visitor.objects.filter(order=order).count() == 1  # the leader only


def test_a_list_with_more_rows_than_the_group_has_places_for_is_refused(group_rate):
    order = book_group(SlotFactory(capacity=100), 12)
    check = groups.group_list_check(order=order, rows=rows(12))  # the leader is the 12th
    assert check.problems and "11" in check.problems[0]
    assert groups.group_list_save(order=order, rows=rows(12)).ok is False
    assert Visitor.objects.filter(order=order).count() == 1


def test_a_fixed_list_saves_every_visitor_on_a_ticket_of_the_group(group_rate):
    order = book_group(SlotFactory(capacity=100), 35)

    check = groups.group_list_save(order=order, rows=rows(34))

    assert check.ok
    visitors = Visitor.objects.filter(order=order, released_at__isnull=True)
    assert visitors.count() == 35
    # Each visitor holds one of the group's tickets, so the gate finds them by ID card.
    assert visitors.filter(ticket__order=order).count() == 35
    assert visitors.values("ticket").distinct().count() == 35
    assert "1990" not in "".join(visitors.values_list("number_encrypted", flat=True))


def test_after_the_cut_off_the_leader_cannot_change_the_list_but_staff_can(group_rate):
    slot = SlotFactory(capacity=100)
    order = book_group(slot, 20)
    cutoff = groups.group_list_deadline(order)
    assert cutoff == timezone.make_aware(
        datetime.datetime.combine(slot.date, slot.starts_at)
    ) - datetime.timedelta(hours=groups.BookingRules.current().group_list_cutoff_hours)

    late = cutoff + datetime.timedelta(minutes=1)
    with pytest.raises(services.NotAllowed):
        groups.group_list_save(order=order, rows=rows(3), now=late)
    assert Visitor.objects.filter(order=order).count() == 1

    assert groups.group_list_save(order=order, rows=rows(3), now=cutoff).ok
    staff = user_in_role("Gate staff")
    assert groups.group_list_save(order=order, rows=rows(2, start=50), user=staff, now=late).ok
    assert Visitor.objects.filter(order=order).count() == 6


def test_a_spreadsheet_is_read_with_chinese_headings_and_document_names():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名 Name", "证件类型 Document type", "证件号码 Document number"])
    sheet.append(["团员一", "居民身份证", person(1)])
    sheet.append(["Mary Lee", "Passport", "E12345678"])
    sheet.append(["团员三", "", person(3)])
    sheet.append(["团员四", "身份证", 510104199001010040])  # typed as a number, digits lost
    data = io.BytesIO()
    workbook.save(data)

    class Upload(io.BytesIO):
        name = "list.xlsx"
        size = len(data.getvalue())

    read = read_visitor_sheet(Upload(data.getvalue()))

    assert [(r.line, r.name, r.document_type) for r in read] == [
        (2, "团员一", "id_card"),
        (3, "Mary Lee", "passport"),
        (4, "团员三", "id_card"),
        (5, "团员四", "id_card"),
    ]
    assert read[0].number == person(1)
    assert [bool(r.read_problem) for r in read] == [False, False, False, True]


def test_a_csv_saved_by_a_chinese_excel_is_read():
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["姓名", "证件类型", "证件号码"])
    writer.writerow(["团员一", "居民身份证", person(1)])
    data = text.getvalue().encode("gb18030")

    class Upload(io.BytesIO):
        name = "list.csv"
        size = len(data)

    read = read_visitor_sheet(Upload(data))
    assert [(r.name, r.document_type, r.number) for r in read] == [("团员一", "id_card", person(1))]


def test_the_blank_list_downloads_as_a_spreadsheet_or_csv_and_nothing_else():
    client = Client()
    sheet = client.get("/tickets/group/visitors.xlsx")
    text = client.get("/tickets/group/visitors.csv")

    assert sheet.status_code == 200 and sheet.content.startswith(b"PK")
    assert sheet["Content-Disposition"] == 'attachment; filename="group-visitors.xlsx"'
    assert text.status_code == 200 and text["Content-Type"] == "text/csv; charset=utf-8"
    assert text["Content-Disposition"] == 'attachment; filename="group-visitors.csv"'
    # Another ending is no download, and nothing of the address reaches a header.
    for ending in ("exe", 'x";a="b', "csv.exe", "CSV"):
        response = client.get(f"/tickets/group/visitors.{ending}")
        assert response.status_code == 404, ending
        assert "Content-Disposition" not in response, ending


# --- the gate ------------------------------------------------------------------------------


def test_one_scan_of_the_group_code_admits_all_35_once(group_rate):
    today = timezone.localdate()
    slot = SlotFactory(date=today, starts_at=None, ends_at=None, capacity=100)
    order = book_group(slot, 35, now=booked_ahead())
    gate = user_in_role("Gate staff")

    first = services.ticket_check_in(payload=ticket_payload(order.group.code), user=gate)
    second = services.ticket_check_in(payload=ticket_payload(order.group.code), user=gate)

    assert first.result == "valid"
    assert "35" in first.message
    assert first.collect == GROUP_PRICE * 35
    assert Ticket.objects.filter(order=order, checked_in_at__isnull=False).count() == 35
    assert second.result == "used"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payments.get().amount == GROUP_PRICE * 35


def test_a_group_scan_admits_only_those_not_admitted_one_by_one(group_rate):
    today = timezone.localdate()
    slot = SlotFactory(date=today, starts_at=None, ends_at=None, capacity=100)
    order = book_group(slot, 12, now=booked_ahead())
    gate = user_in_role("Gate staff")
    one = order.tickets.order_by("pk").last()
    assert services.ticket_check_in(payload=ticket_payload(one.code), user=gate).result == "valid"

    check_in = services.ticket_check_in(payload=order.group.code, user=gate)

    assert check_in.result == "valid"
    assert "11" in check_in.message
    assert Ticket.objects.filter(order=order, checked_in_at__isnull=False).count() == 12


def test_a_group_code_on_another_day_admits_no_one(group_rate):
    order = book_group(SlotFactory(capacity=100), 12)
    gate = user_in_role("Gate staff")
    check_in = services.ticket_check_in(payload=ticket_payload(order.group.code), user=gate)
    assert check_in.result == "wrong_date"
    assert not Ticket.objects.filter(order=order, checked_in_at__isnull=False).exists()


# --- the visitors report -------------------------------------------------------------------


def test_groups_are_their_own_channel_in_the_visitors_report(group_rate, ticket_types):
    from tests.tickets.factories import order_for

    slot = SlotFactory(capacity=200)
    book_group(slot, 35)
    book_group(slot, 12, leader=GroupLeader("王领队", "13700000000", "passport", "E7654321"))
    order_for(slot, {ticket_types.adult: 3})
    cancelled = book_group(
        slot, 10, leader=GroupLeader("赵领队", "13600000000", "passport", "G1234567")
    )
    services.order_cancel(order=cancelled)

    [day] = visitors_by_day([slot.date])

    expected_group = sum(
        o.quantity
        for o in Order.objects.filter(channel="group", status__in=Order.HOLDING, slot=slot)
    )
    assert expected_group == 47
    assert day["by_channel"]["group"] == expected_group
    assert day["by_channel"]["web"] == 3
    assert day["booked"] == 50
    assert Slot.objects.get(pk=slot.pk).taken == 50


# --- the partner API -----------------------------------------------------------------------


def _api_body(slot, **over):
    body = {
        "slot_id": slot.pk,
        "people": 20,
        "leader": {
            "name": "张导游",
            "phone": "13812345678",
            "document_type": "id_card",
            "number": LEADER.number,
        },
        "agency": {"name": "花谷演示旅行社", "licence": "L-SC-CJ00123"},
        "pay": "gate",
    }
    body.update(over)
    return body


def test_a_partner_books_a_group_with_its_visitor_list(client, group_rate):
    slot = SlotFactory(capacity=100)
    visitors = [
        {"name": f"团员{i}", "document_type": "id_card", "number": person(i)} for i in range(1, 6)
    ]
    response = client.post(
        "/api/v1/groups", _api_body(slot, visitors=visitors), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get(reference=body["reference"])
    assert order.channel == "group"
    assert body["total"] == str(GROUP_PRICE * 20)
    assert body["visitors_named"] == 6
    assert body["group_code"] == order.group.code


def test_a_partner_group_with_a_bad_visitor_is_refused_whole_with_the_row_named(client, group_rate):
    slot = SlotFactory(capacity=100)
    visitors = [
        {"name": "团员1", "document_type": "id_card", "number": person(1)},
        {"name": "团员2", "document_type": "id_card", "number": person(2)[:17] + "Y"},
    ]
    response = client.post(
        "/api/v1/groups", _api_body(slot, visitors=visitors), content_type="application/json"
    )

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "visitors", 1]]
    assert not Order.objects.exists()
    slot.refresh_from_db()
    assert slot.taken == 0


def test_a_partner_group_below_the_minimum_is_a_422_on_people(client, group_rate):
    slot = SlotFactory(capacity=100)
    response = client.post(
        "/api/v1/groups", _api_body(slot, people=3), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "people"]
    assert not Order.objects.exists()


def test_real_name_on_still_lets_a_group_book_now_and_name_its_visitors_later(group_rate):
    real_name_on()
    order = book_group(SlotFactory(capacity=100), 20)
    assert order.quantity == 20
    assert Visitor.objects.filter(order=order).count() == 1
