"""Visitors' ID numbers are erased the configured number of days after their visit, once."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from tests.tickets.factories import SlotFactory, id_number, order_for, real_name_on, visitor
from tourism.tickets.models import Slot
from tourism.tickets.visitors import Visitor

pytestmark = pytest.mark.django_db


def visit_on(adult, day: datetime.date, name: str, number: str) -> Visitor:
    """A visitor booked for next week, then dated ``day`` (bookings cannot be made for the past)."""
    slot = Slot.objects.first() or SlotFactory()
    order = order_for(slot, {adult: 1}, visitors=[visitor(adult, name, number)])
    Visitor.objects.filter(order=order).update(visit_date=day)
    return Visitor.objects.get(order=order)


def raw_row(pk: int) -> tuple[str, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number_encrypted, number_hash FROM tourism_visitor WHERE id = %s", [pk]
        )
        return cursor.fetchone()


def run(*args) -> str:
    out = io.StringIO()
    call_command("erase_visitor_ids", *args, stdout=out)
    return out.getvalue()


def test_numbers_are_erased_after_the_retention_period_and_a_second_run_changes_nothing(
    ticket_types,
):
    real_name_on(id_retention_days=30)
    today = timezone.localdate()
    old = visit_on(
        ticket_types.adult, today - datetime.timedelta(days=31), "甲", id_number("19700101")
    )
    kept = visit_on(
        ticket_types.adult, today - datetime.timedelta(days=30), "乙", id_number("19700102")
    )
    coming = visit_on(
        ticket_types.adult, today + datetime.timedelta(days=7), "丙", id_number("19700103")
    )

    assert run().startswith("1 ")

    old.refresh_from_db()
    assert raw_row(old.pk) == ("", None)
    assert old.erased_at is not None and old.name == "甲"
    with translation.override("en"):
        assert old.masked_number == "erased"
    for still in (kept, coming):
        encrypted, number_hash = raw_row(still.pk)
        assert encrypted and number_hash
        assert Visitor.objects.get(pk=still.pk).number == still.number
    erased_at = old.erased_at
    assert run().startswith("0 ")
    old.refresh_from_db()
    assert old.erased_at == erased_at


def test_the_retention_period_can_be_given_on_the_command_line(ticket_types):
    real_name_on(id_retention_days=365)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    past = visit_on(ticket_types.adult, yesterday - datetime.timedelta(days=1), "甲", id_number())

    assert run("--days", "1").startswith("1 ")
    assert raw_row(past.pk) == ("", None)
