"""Real-name tickets: check each visitor's document, hold one ticket per ID number per date.

``order_create`` checks the visitors it is given (``visitors_check``) and attaches them
inside its transaction (``visitors_attach``); group bookings add their list later
(``visitors_add``). The rule "one active ticket per document number per visit date" is
the partial unique index on ``Visitor``: a query before the insert names the visitor
for the tourist, and the index decides when two bookings race. Ending an order or
refunding a ticket releases its visitors (``visitors_release``), so the number may
book again.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.id_crypto import encrypt_id_number, id_number_hash
from core.identity import age_on, document_birth_date, validate_document
from tourism.models import TicketType

from .models import Order, Ticket
from .services import BookingError
from .visitors import Visitor


@dataclass(frozen=True)
class VisitorIn:
    """A visitor as the tourist typed them: for one ticket of ``ticket_type_id``."""

    ticket_type_id: int
    name: str
    document_type: str
    number: str


@dataclass(frozen=True)
class CheckedVisitor:
    """A visitor whose document passed: the number normalised, its search hash computed."""

    index: int
    ticket_type_id: int
    name: str
    document_type: str
    number: str
    number_hash: str


class VisitorError(BookingError):
    """A visitor refused; ``index`` is their place in the list (from 0), ``part`` the field."""

    def __init__(self, message, *, index: int | None = None, part: str = "number"):
        super().__init__(message, field="visitors")
        self.index = index
        self.part = part


def _who(index: int, name: str) -> str:
    if name:
        return _("Visitor %(n)s (%(name)s)") % {"n": index + 1, "name": name}
    return _("Visitor %(n)s") % {"n": index + 1}


def real_name_required(channel: str) -> bool:
    """Whether a booking on ``channel`` must name every visitor now (the park's setting).

    Tourists online and partners give their visitors when they book; the box office
    sells to people standing at the counter, and group orders send their list later.
    """
    from .rules import BookingRules

    return channel in (Order.Channel.WEB, Order.Channel.API) and BookingRules.current().real_name


def visitors_check(
    *,
    visitors: list[VisitorIn],
    ticket_types: dict[int, TicketType],
    visit_date: datetime.date,
    today: datetime.date | None = None,
) -> list[CheckedVisitor]:
    """Each visitor's name, document and age checked; ``VisitorError`` naming the first wrong one.

    Age-restricted types (``min_age``/``max_age``) need a document that shows a birth
    date, the mainland ID card; other documents are refused for them, with a message
    pointing to the box office where staff see the document.
    """
    checked: list[CheckedVisitor] = []
    seen: dict[str, int] = {}
    for index, visitor in enumerate(visitors):
        name = " ".join((visitor.name or "").split())
        if not name:
            raise VisitorError(
                _("%(who)s: please give the visitor's full name.") % {"who": _who(index, "")},
                index=index,
                part="name",
            )
        if len(name) > 100:
            raise VisitorError(
                _("%(who)s: the name is too long.") % {"who": _who(index, "")},
                index=index,
                part="name",
            )
        who = _who(index, name)
        ticket_type = ticket_types.get(int(visitor.ticket_type_id))
        if ticket_type is None:
            raise VisitorError(
                _("%(who)s: that ticket type is not part of this order.") % {"who": who},
                index=index,
                part="ticket_type",
            )
        try:
            number = validate_document(visitor.document_type, visitor.number, today=today)
        except ValidationError as error:
            part = "document_type" if error.code == "document_type" else "number"
            raise VisitorError(
                _("%(who)s: %(problem)s") % {"who": who, "problem": " ".join(error.messages)},
                index=index,
                part=part,
            ) from None
        _check_age(ticket_type, visitor.document_type, number, visit_date, who=who, index=index)
        number_hash = id_number_hash(number)
        if number_hash in seen:
            raise VisitorError(
                _("%(who)s: this ID number is already given for %(other)s in this booking.")
                % {"who": who, "other": _who(seen[number_hash], "")},
                index=index,
            )
        seen[number_hash] = index
        checked.append(
            CheckedVisitor(
                index=index,
                ticket_type_id=ticket_type.pk,
                name=name,
                document_type=visitor.document_type,
                number=number,
                number_hash=number_hash,
            )
        )
    return checked


def _check_age(
    ticket_type: TicketType,
    document_type: str,
    number: str,
    visit_date: datetime.date,
    *,
    who: str,
    index: int,
) -> None:
    if ticket_type.min_age is None and ticket_type.max_age is None:
        return
    birth = document_birth_date(document_type, number)
    if birth is None:
        raise VisitorError(
            _(
                "%(who)s: a %(type)s ticket is for visitors %(rule)s, which only a resident "
                "ID card shows online. Please book another ticket type, or buy this one at "
                "the box office with the document."
            )
            % {"who": who, "type": ticket_type.display_name, "rule": ticket_type.age_rule},
            index=index,
            part="document_type",
        )
    age = age_on(birth, visit_date)
    too_young = ticket_type.min_age is not None and age < ticket_type.min_age
    too_old = ticket_type.max_age is not None and age > ticket_type.max_age
    if too_young or too_old:
        raise VisitorError(
            _(
                "%(who)s: a %(type)s ticket is for visitors %(rule)s; this ID shows age "
                "%(age)s on the visit date."
            )
            % {
                "who": who,
                "type": ticket_type.display_name,
                "rule": ticket_type.age_rule,
                "age": age,
            },
            index=index,
        )


def visitors_for_booking(
    *,
    visitors: list[VisitorIn] | None,
    lines: list[tuple[TicketType, int, object]],
    visit_date: datetime.date,
    channel: str,
    now: datetime.datetime,
) -> list[CheckedVisitor]:
    """The visitors of a new booking, checked against its lines (no database writes).

    ``VisitorError`` when real-name tickets need visitors and none were given, when
    one is wrong, or when they do not match the tickets one for one.
    """
    if visitors is None:
        if real_name_required(channel):
            raise VisitorError(
                _("Real-name tickets: please give each visitor's name and ID document.")
            )
        return []
    checked = visitors_check(
        visitors=visitors,
        ticket_types={t.pk: t for t, _qty, _price in lines},
        visit_date=visit_date,
        today=timezone.localdate(now),
    )
    visitors_match_quantities(checked, {t.pk: qty for t, qty, _price in lines})
    return checked


def visitors_match_quantities(checked: list[CheckedVisitor], quantities: dict[int, int]) -> None:
    """One visitor per ticket: ``BookingError`` when the list and the quantities differ."""
    wanted = Counter({int(k): int(v) for k, v in quantities.items() if int(v)})
    given = Counter(v.ticket_type_id for v in checked)
    if given != wanted:
        raise VisitorError(
            _(
                "Real-name tickets: please give one visitor (name and ID) for each ticket; "
                "%(given)s given for %(wanted)s tickets."
            )
            % {"given": sum(given.values()), "wanted": sum(wanted.values())}
        )


def _refuse_taken(
    checked: list[CheckedVisitor], visit_date: datetime.date, *, exclude_order_id=None
) -> None:
    """``VisitorError`` naming the first visitor whose number already holds a ticket that day."""
    active = Visitor.objects.filter(
        number_hash__in=[v.number_hash for v in checked],
        visit_date=visit_date,
        released_at__isnull=True,
    )
    if exclude_order_id is not None:
        active = active.exclude(order_id=exclude_order_id)
    taken = set(active.values_list("number_hash", flat=True))
    for visitor in checked:
        if visitor.number_hash in taken:
            raise VisitorError(
                _(
                    "%(who)s: this ID number already has a ticket for %(date)s; one ticket per "
                    "person per day."
                )
                % {"who": _who(visitor.index, visitor.name), "date": visit_date.isoformat()},
                index=visitor.index,
            )


def visitors_attach(
    *, order: Order, checked: list[CheckedVisitor], now: datetime.datetime | None = None
) -> list[Visitor]:
    """Record ``checked`` visitors on ``order``, one active ticket per number per date.

    Call inside the transaction that takes the order's places: a refusal raises
    ``VisitorError`` and the caller's transaction (and its places) roll back.
    """
    if not checked:
        return []
    now = now or timezone.now()
    visit_date = order.slot.date
    _refuse_taken(checked, visit_date)
    rows = [
        Visitor(
            order=order,
            ticket_type_id=v.ticket_type_id,
            name=v.name,
            document_type=v.document_type,
            number_encrypted=encrypt_id_number(v.number),
            number_hash=v.number_hash,
            visit_date=visit_date,
            created_at=now,
        )
        for v in checked
    ]
    try:
        # A savepoint: the unique index refuses a number another booking took meanwhile.
        with transaction.atomic():
            created = Visitor.objects.bulk_create(rows)
    except IntegrityError:
        _refuse_taken(checked, visit_date)
        raise VisitorError(
            _("One of these ID numbers already has a ticket for %(date)s.")
            % {"date": visit_date.isoformat()}
        ) from None
    return created


def visitors_link_tickets(*, order: Order) -> None:
    """Give each of the order's visitors without a ticket one of its free tickets of their type."""
    waiting = list(
        Visitor.objects.filter(order=order, ticket__isnull=True, released_at__isnull=True)
    )
    if not waiting:
        return
    free: dict[int, list[int]] = {}
    for ticket_id, type_id in (
        Ticket.objects.filter(order=order, refunded_at__isnull=True, visitor__isnull=True)
        .order_by("pk")
        .values_list("pk", "ticket_type_id")
    ):
        free.setdefault(type_id, []).append(ticket_id)
    linked = []
    for visitor in waiting:
        if free.get(visitor.ticket_type_id):
            visitor.ticket_id = free[visitor.ticket_type_id].pop(0)
            linked.append(visitor)
    Visitor.objects.bulk_update(linked, ["ticket"])


def visitors_add(
    *, order: Order, visitors: list[VisitorIn], now: datetime.datetime | None = None
) -> list[Visitor]:
    """Name more of an order's visitors (a group's list sent after booking).

    The same checks as at booking; at most one visitor per ticket of each type; the
    same one-ticket-per-ID-per-date rule. Nothing is saved if any visitor is refused.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("slot").get(pk=order.pk)
        if not order.holds_places:
            raise BookingError(
                _("This order is already %(status)s.") % {"status": order.get_status_display()}
            )
        lines = {line.ticket_type_id: line.quantity for line in order.lines.all()}
        types = TicketType.objects.in_bulk(list(lines))
        checked = visitors_check(
            visitors=visitors,
            ticket_types=types,
            visit_date=order.slot.date,
            today=timezone.localdate(now),
        )
        named = Counter(
            Visitor.objects.filter(order=order, released_at__isnull=True).values_list(
                "ticket_type_id", flat=True
            )
        )
        adding = Counter(v.ticket_type_id for v in checked)
        for type_id, n in adding.items():
            if named[type_id] + n > lines.get(type_id, 0):
                raise VisitorError(
                    _(
                        "The order has %(tickets)s %(type)s tickets and %(named)s visitors named "
                        "for them already; %(n)s more cannot be added."
                    )
                    % {
                        "tickets": lines.get(type_id, 0),
                        "type": types[type_id].display_name,
                        "named": named[type_id],
                        "n": n,
                    }
                )
        created = visitors_attach(order=order, checked=checked, now=now)
        visitors_link_tickets(order=order)
    return list(Visitor.objects.filter(pk__in=[v.pk for v in created]).order_by("pk"))


def visitors_release(
    *,
    order: Order | None = None,
    tickets: list[Ticket] | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Free the visitors of an ended ``order``, or of refunded or withdrawn ``tickets``."""
    now = now or timezone.now()
    active = Visitor.objects.filter(released_at__isnull=True)
    if tickets is not None:
        active = active.filter(ticket__in=[t.pk for t in tickets])
    elif order is not None:
        active = active.filter(order_id=order.pk)
    else:
        return 0
    return active.update(released_at=now)


def visitors_retake(*, order: Order) -> bool:
    """Make an ended order's visitors active again (a payment came after its hold expired).

    False, with nothing changed, when one of the numbers has booked that date meanwhile.
    """
    released = Visitor.objects.filter(
        order=order, released_at__isnull=False, number_hash__isnull=False
    )
    try:
        with transaction.atomic():
            released.update(released_at=None)
    except IntegrityError:
        return False
    return True


def visitors_move(*, order: Order, visit_date: datetime.date) -> None:
    """The order moved to ``visit_date``: its visitors follow, if their numbers are free that day."""
    active = Visitor.objects.filter(order=order, released_at__isnull=True)
    try:
        with transaction.atomic():
            active.update(visit_date=visit_date)
    except IntegrityError:
        raise BookingError(
            _("A visitor of this order already has a ticket for %(date)s.")
            % {"date": visit_date.isoformat()},
            field="slot",
        ) from None


def visitors_erase_numbers(
    *, now: datetime.datetime | None = None, retention_days: int | None = None
) -> int:
    """Blank the document numbers of visits more than ``retention_days`` ago; how many erased.

    The encrypted number and its search hash go; the visitor's name stays with the
    order (who visited, for the park's accounts and any dispute). Running it again
    erases nothing more.
    """
    from .rules import BookingRules

    now = now or timezone.now()
    if retention_days is None:
        retention_days = BookingRules.current().id_retention_days
    last_kept = timezone.localdate(now) - datetime.timedelta(days=retention_days)
    return Visitor.objects.filter(visit_date__lt=last_kept, erased_at__isnull=True).update(
        number_encrypted="", number_hash=None, erased_at=now
    )
