"""The visitors report's page shows each day's figures, not only its dates."""

import re
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from tests.tickets.factories import SlotFactory, UserFactory, order_for
from tourism.tickets import services
from tourism.tickets.models import OrderLine, Payment
from tourism.tickets.rules import BookingRules

pytestmark = pytest.mark.django_db


def cells_of_first_row(html: str) -> list[str]:
    table = html[html.find('<table class="listing') :]
    body = table[table.find("<tbody") : table.find("</tbody>")]
    row = body[body.find("<tr") : body.find("</tr>")]
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_the_page_shows_each_days_booked_channels_and_revenue(client, ticket_types, settings):
    settings.TICKETS_MAX_PER_ORDER = 1000
    rules = BookingRules.current()
    rules.max_tickets_per_phone = 1000
    rules.save()
    slot = SlotFactory(capacity=2000)
    paid = order_for(slot, {ticket_types.adult: 3, ticket_types.child: 1})
    services.order_mark_paid(
        order=paid, payment=Payment.objects.create(order=paid, provider="gate", amount=paid.total)
    )
    order_for(slot, {ticket_types.adult: 2})  # reserved, not paid: booked, no revenue yet
    big = order_for(slot, {ticket_types.adult: 1000})
    services.order_mark_paid(
        order=big, payment=Payment.objects.create(order=big, provider="gate", amount=big.total)
    )
    client.force_login(UserFactory(username="su", is_superuser=True, is_staff=True))

    cells = cells_of_first_row(client.get("/admin/reports/visitors/").content.decode())

    lines = OrderLine.objects.filter(order__slot=slot)
    booked = lines.aggregate(n=Sum("quantity"))["n"]
    revenue = {
        row["ticket_type"]: row["total"]
        for row in lines.filter(order__in=[paid, big])
        .values("ticket_type")
        .annotate(total=Sum(F("quantity") * F("unit_price")))
    }
    assert (booked, revenue[ticket_types.adult.pk], revenue[ticket_types.child.pk]) == (
        1006,
        Decimal("60180.00"),
        Decimal("30.00"),
    )
    # Visit date, booked, one column per channel (web first), checked in, revenue per type, total.
    assert cells[1:3] == ["1,006", "1,006"]
    # Paid orders only, read with thousands separators.
    assert [cells[-3], cells[-2], cells[-1]] == ["60,180.00", "30.00", "60,210.00"]
