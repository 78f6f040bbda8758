"""Demo real-name tickets: the rules switched on, and a plainly made-up visitor on every demo ticket.

Demo visitors are named 演示游客 (demo visitor) and their ID numbers start with region
code 99, which no place in China has; the check digit is right, so the gate and the
desk treat them as they would real ones. A second run adds nothing.
"""

import datetime

from django.db.models import F

from core.id_crypto import encrypt_id_number, id_number_hash
from core.identity import DocumentType, id_check_digit
from tourism.models import BookingRules, Ticket, TicketType, Visitor
from tourism.page_cache import page_cache_invalidate

# No province has code 99: these numbers can belong to nobody.
DEMO_REGION = "990000"
# Birth years by audience, chosen so that each visitor's ID fits their ticket type.
BORN_FROM = {
    TicketType.Audience.ADULT: datetime.date(1970, 1, 1),
    TicketType.Audience.CHILD: datetime.date(2015, 1, 1),
    TicketType.Audience.SENIOR: datetime.date(1945, 1, 1),
    TicketType.Audience.FREE: datetime.date(2021, 1, 1),
}
SENIOR_AGE = 60


def demo_id_number(born: datetime.date, sequence: int) -> str:
    first17 = f"{DEMO_REGION}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_digit(first17)


def ensure_real_name_demo(tally) -> None:
    """Real-name tickets on (the first time the rules are written), seniors' tickets by age."""
    rules = BookingRules.current()
    created = not rules.real_name
    if created:
        rules.real_name = True
        rules.save()
    tally.add("booking rules", created)
    if TicketType.objects.filter(audience=TicketType.Audience.SENIOR, min_age__isnull=True).update(
        min_age=SENIOR_AGE
    ):
        page_cache_invalidate()  # bookings read ticket types from the cache
    ensure_demo_visitors(tally)


def ensure_demo_visitors(tally) -> None:
    """A demo visitor for each demo ticket that has none yet."""
    from tourism.demo.tickets import DEMO_EMAIL_DOMAIN

    tickets = list(
        Ticket.objects.filter(
            order__contact_email__endswith="@" + DEMO_EMAIL_DOMAIN, visitor__isnull=True
        )
        .annotate(visit_date=F("order__slot__date"), audience=F("ticket_type__audience"))
        .order_by("pk")
    )
    visitors = []
    per_order: dict[int, int] = {}
    for ticket in tickets:
        per_order[ticket.order_id] = per_order.get(ticket.order_id, 0) + 1
        born = BORN_FROM.get(ticket.audience, BORN_FROM[TicketType.Audience.ADULT])
        # The ticket's number spreads birth dates and sequences: no two demo numbers alike.
        born += datetime.timedelta(days=ticket.pk // 1000)
        number = demo_id_number(born, ticket.pk)
        visitors.append(
            Visitor(
                order_id=ticket.order_id,
                ticket_type_id=ticket.ticket_type_id,
                ticket=ticket,
                name=f"演示游客 {ticket.order_id:03d}-{per_order[ticket.order_id]}",
                document_type=DocumentType.ID_CARD,
                number_encrypted=encrypt_id_number(number),
                number_hash=id_number_hash(number),
                visit_date=ticket.visit_date,
            )
        )
    Visitor.objects.bulk_create(visitors, batch_size=500)
    tally.rows["demo visitors"][0] += len(visitors)
    if not visitors:
        tally.add("demo visitors", created=False)
