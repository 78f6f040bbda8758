"""The demo park sells real-name tickets: every demo ticket has a plainly made-up visitor."""

import io

import pytest
from django.utils import timezone

from core.identity import DocumentType, age_on, birth_date_from_id, validate_document
from tourism.models import BookingRules, Ticket, TicketType, Visitor

pytestmark = pytest.mark.demo


@pytest.fixture
def park(demo, db):
    return demo


def test_the_demo_turns_real_name_tickets_on_with_seniors_shown_by_age(park):
    assert BookingRules.current().real_name is True
    assert TicketType.objects.get(audience="senior").min_age == 60


def test_every_demo_ticket_has_a_demo_visitor_whose_id_fits_the_ticket(park):
    tickets = Ticket.objects.select_related("visitor", "ticket_type", "order__slot").filter(
        visitor__isnull=False
    )
    # The only unnamed places are the coming group's last few, still to be named by its leader.
    unnamed = Ticket.objects.filter(visitor__isnull=True).select_related("order__slot")
    assert {(t.order.channel, t.order.slot.date > timezone.localdate()) for t in unnamed} == {
        ("group", True)
    }

    assert tickets.exists()
    for ticket in tickets:
        visitor = ticket.visitor
        number = visitor.number
        # Demo visitors, group leaders and members alike: 演示游客, 演示领队, 演示团员.
        assert visitor.name.startswith("演示")
        # Region 99 exists nowhere: the number is valid in form and belongs to nobody.
        assert number.startswith("99")
        assert validate_document(DocumentType.ID_CARD, number) == number
        assert visitor.visit_date == ticket.order.slot.date
        if ticket.ticket_type.min_age is not None:
            age = age_on(birth_date_from_id(number), visitor.visit_date)
            assert age >= ticket.ticket_type.min_age


def test_a_second_run_adds_no_visitors(park, load_demo_command):
    before = Visitor.objects.count()

    load_demo_command(stdout=io.StringIO(), verbosity=1)

    assert Visitor.objects.count() == before
