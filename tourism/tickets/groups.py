"""Group bookings (团队票): one order for a tour group, its visitor list, one scan at the gate.

A group books more people than ``TICKETS_MAX_PER_ORDER`` allows a tourist, at least the
park's ``BookingRules.group_minimum``, at the group rate (the ticket type whose audience
is ``group``). The order is an ordinary order with channel ``group``: its places are taken
like any other (``services._take_places``), it is paid online or at the gate, cancelled,
refunded and reported like any other. ``GroupBooking`` adds the leader, the agency and the
group's code, whose QR admits everyone in the group not yet admitted in one scan.

The leader is one of the group: their ID document is the first entry of the visitor list.
The rest of the list may come now or later, until ``group_list_cutoff_hours`` before the
visit; after that only staff may change it. ``group_list_check`` is the one validation
the dry-run preview and the save both run.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.identity import validate_document
from core.phones import normalise_phone
from tourism.models import TicketType

from . import services
from .group_models import GroupBooking
from .models import Order, Payment, Slot, Ticket
from .rules import BookingRules
from .selectors import price_for
from .services import BookingError, CheckIn, NotAllowed

# A list longer than any group could be is refused before any row is checked.
MAX_LIST_ROWS = 1000


@dataclass(frozen=True)
class GroupLeader:
    name: str
    phone: str
    document_type: str
    number: str
    email: str = ""


@dataclass(frozen=True)
class Agency:
    name: str = ""
    licence: str = ""


def group_rate(date: datetime.date) -> tuple[TicketType, Decimal] | None:
    """The group rate ticket type on sale and its price on ``date``; None when groups are not sold."""
    ticket_type = (
        TicketType.objects.filter(active=True, audience=TicketType.Audience.GROUP)
        .order_by("sort_order", "pk")
        .first()
    )
    if ticket_type is None:
        return None
    return ticket_type, price_for(ticket_type, date)


def _clean_leader(leader: GroupLeader) -> GroupLeader:
    name = " ".join((leader.name or "").split())
    if not name:
        raise BookingError(_("Please give the group leader's full name."), field="leader_name")
    if len(name) > 100:
        raise BookingError(_("The name is too long."), field="leader_name")
    try:
        phone = normalise_phone(leader.phone)
    except ValidationError as error:
        raise BookingError(" ".join(error.messages), field="leader_phone") from None
    email = (leader.email or "").strip()
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            raise BookingError(
                _("Please give a valid email address."), field="leader_email"
            ) from None
    return GroupLeader(name, phone, leader.document_type, leader.number, email)


def _clean_agency(agency: Agency) -> Agency:
    name = " ".join((agency.name or "").split())
    licence = " ".join((agency.licence or "").split())
    if len(name) > 200:
        raise BookingError(_("The travel agency's name is too long."), field="agency")
    if len(licence) > 50:
        raise BookingError(_("The licence number is too long."), field="agency_licence")
    if name and not licence:
        raise BookingError(
            _("Please give the travel agency's licence number (旅行社业务经营许可证编号)."),
            field="agency_licence",
        )
    if licence and not name:
        raise BookingError(
            _("Please give the name of the travel agency the licence belongs to."),
            field="agency",
        )
    return Agency(name, licence)


def group_create(
    *,
    slot_id: int,
    people: int,
    leader: GroupLeader,
    agency: Agency = Agency(),
    pay_online: bool = True,
    language: str = "zh-hans",
    channel: str = Order.Channel.GROUP,
    provider=None,
    now: datetime.datetime | None = None,
) -> Order:
    """Book ``people`` places at the group rate as one order, the leader its first visitor.

    ``BookingError`` (``SoldOut`` when the slot is short of places) with nothing saved
    when anything is wrong. ``pay_online`` chooses the configured online provider when
    there is one; otherwise the group pays at the gate.
    """
    now = now or timezone.now()
    return services._booked(
        lambda: _group_create(
            slot_id=slot_id,
            people=people,
            leader=leader,
            agency=agency,
            pay_online=pay_online,
            language=language,
            channel=channel,
            provider=provider,
            now=now,
        )
    )


def _group_create(
    *, slot_id, people, leader, agency, pay_online, language, channel, provider, now
) -> Order:
    from .payments import get_provider, provider_for
    from .realname import VisitorIn, visitors_add

    rules = BookingRules.current()
    leader = _clean_leader(leader)
    agency = _clean_agency(agency)
    if people < rules.group_minimum:
        raise BookingError(
            _("A group booking is for at least %(n)s people; smaller parties book as usual.")
            % {"n": rules.group_minimum},
            field="people",
        )
    if people > MAX_LIST_ROWS:
        raise BookingError(
            _("At most %(n)s people per group booking.") % {"n": MAX_LIST_ROWS}, field="people"
        )
    slot = services._bookable_slot(slot_id, now=now)
    if now > list_deadline(slot):
        # The list would already be closed: the group could never name its visitors.
        raise BookingError(
            _(
                "Groups book at least %(hours)s hours before their entry time, so that the "
                "visitor list can be completed. Please choose a later time."
            )
            % {"hours": rules.group_list_cutoff_hours},
            field="slot",
        )
    rate = group_rate(slot.date)
    if rate is None:
        raise BookingError(_("Group bookings are not offered just now."), field="people")
    ticket_type, price = rate
    # The leader's document, checked before anything is held.
    try:
        number = validate_document(leader.document_type, leader.number, today=now.date())
    except ValidationError as error:
        field = "leader_document_type" if error.code == "document_type" else "leader_number"
        raise BookingError(" ".join(error.messages), field=field) from None
    leader_in = VisitorIn(ticket_type.pk, leader.name, leader.document_type, number)
    default = provider or get_provider()
    provider = default if (pay_online and default.online) else provider_for("gate")

    with services._booking(slot, people, now=now):
        order = services._order_open(
            slot=slot,
            lines=[(ticket_type, people, price)],
            contact=services.Contact(leader.name, leader.phone, leader.email),
            provider=provider,
            language=language,
            channel=channel,
            now=now,
        )
        GroupBooking.objects.create(
            order=order,
            leader_name=leader.name,
            leader_phone=leader.phone,
            agency=agency.name,
            agency_licence=agency.licence,
        )
        try:
            visitors_add(order=order, visitors=[leader_in], now=now)
        except BookingError as error:
            raise BookingError(error.message, field="leader_number") from None
        services._order_opened(order, provider, agency=agency.name)
    return order


# --- the visitor list -------------------------------------------------------------------


def list_deadline(slot: Slot) -> datetime.datetime:
    """Until when a group entering in ``slot`` may add to or change its visitor list."""
    start = slot.starts_at or datetime.time(0, 0)
    visit = timezone.make_aware(datetime.datetime.combine(slot.date, start))
    return visit - datetime.timedelta(hours=BookingRules.current().group_list_cutoff_hours)


def group_list_deadline(order: Order) -> datetime.datetime:
    """Until when the leader may add to or change the visitor list."""
    return list_deadline(order.slot)


def slots_open_to_groups(slots, *, now: datetime.datetime | None = None) -> list[Slot]:
    """Those of ``slots`` a group may still book: its list could still be completed."""
    now = now or timezone.now()
    return [slot for slot in slots if now <= list_deadline(slot)]


def may_change_list(order: Order, *, user=None, now: datetime.datetime | None = None) -> bool:
    """Whether the list may change now: before the cut-off, or by staff who manage orders."""
    if not order.holds_places:
        return False
    if user is not None and user.has_perm("tourism.change_order"):
        return True
    return (now or timezone.now()) <= group_list_deadline(order)


@dataclass(frozen=True)
class ListRow:
    """One visitor of a list as typed or read from a spreadsheet (``line`` as the leader sees it)."""

    line: int
    name: str
    document_type: str
    number: str
    # What went wrong reading the row from a file (a number Excel rounded), if anything.
    read_problem: str = ""


@dataclass
class ListCheck:
    """Every row of a list with its problems; ``ok`` when the list may be saved as it is."""

    rows: list[tuple[ListRow, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the list as a whole

    @property
    def ok(self) -> bool:
        return not self.problems and all(not problems for _row, problems in self.rows)

    @property
    def bad_rows(self) -> int:
        return sum(1 for _row, problems in self.rows if problems)


def group_list_check(
    *, order: Order, rows: list[ListRow], now: datetime.datetime | None = None
) -> ListCheck:
    """Check a visitor list for ``order`` row by row, without saving anything.

    Each row's name and document (the real-name rules: check digit, birth date, pattern),
    duplicates within the list and against visitors already on the order, numbers that
    already hold a ticket that day, and rows beyond the people the group booked.
    """
    from core.id_crypto import id_number_hash

    from .visitors import Visitor

    now = now or timezone.now()
    result = ListCheck(rows=[(row, []) for row in rows])
    line = order.lines.select_related("ticket_type").first()
    if line is None:
        result.problems.append(_("This order has no tickets to name."))
        return result
    named = Visitor.objects.filter(order=order, released_at__isnull=True)
    room = order.quantity - named.count()
    if len(rows) > room:
        result.problems.append(
            _(
                "The group has %(people)s people and %(named)s are already on the list: "
                "%(room)s more can be added, this list has %(rows)s."
            )
            % {
                "people": order.quantity,
                "named": order.quantity - room,
                "room": room,
                "rows": len(rows),
            }
        )
    today = timezone.localdate(now)
    hashes: dict[str, int] = {}
    for row, problems in result.rows:
        if row.read_problem:
            problems.append(row.read_problem)
        name = " ".join((row.name or "").split())
        if not name:
            problems.append(_("The name is missing."))
        elif len(name) > 100:
            problems.append(_("The name is too long."))
        try:
            number = validate_document(row.document_type, row.number, today=today)
        except ValidationError as error:
            problems.extend(error.messages)
            continue
        number_hash = id_number_hash(number)
        if number_hash in hashes:
            problems.append(
                _("The same ID number as row %(line)s.") % {"line": hashes[number_hash]}
            )
            continue
        hashes[number_hash] = row.line
    if hashes:
        on_order = set(named.filter(number_hash__in=hashes).values_list("number_hash", flat=True))
        elsewhere = set(
            Visitor.objects.filter(
                number_hash__in=hashes, visit_date=order.slot.date, released_at__isnull=True
            )
            .exclude(order=order)
            .values_list("number_hash", flat=True)
        )
        by_line = {line_no: h for h, line_no in hashes.items()}
        for row, problems in result.rows:
            number_hash = by_line.get(row.line)
            if number_hash in on_order:
                problems.append(_("Already on this group's list."))
            elif number_hash in elsewhere:
                problems.append(
                    _("This ID number already has a ticket for %(date)s.")
                    % {"date": order.slot.date.isoformat()}
                )
    return result


def group_list_save(
    *, order: Order, rows: list[ListRow], user=None, now: datetime.datetime | None = None
) -> ListCheck:
    """Add the rows to the group's visitor list, all or nothing.

    Runs ``group_list_check`` (the preview's check) and saves only a list without a
    problem; ``NotAllowed`` after the cut-off unless ``user`` may change orders.
    """
    from .realname import VisitorError, VisitorIn, visitors_add

    now = now or timezone.now()
    if not may_change_list(order, user=user, now=now):
        raise NotAllowed(_list_closed_message(order))
    check = group_list_check(order=order, rows=rows, now=now)
    if not check.ok or not rows:
        return check
    line = order.lines.first()
    try:
        visitors_add(
            order=order,
            visitors=[
                VisitorIn(line.ticket_type_id, r.name, r.document_type, r.number) for r in rows
            ],
            now=now,
        )
    except VisitorError as error:
        # A number booked elsewhere between the check and the save: nothing was saved.
        check.problems.append(error.message)
    services._log(order, "group_list_added", user=user, visitors=len(rows))
    return check


def group_visitor_remove(
    *, order: Order, visitor_id: int, user=None, now: datetime.datetime | None = None
) -> None:
    """Take a visitor off the list (not the leader), before the cut-off or by staff."""
    from .visitors import Visitor

    now = now or timezone.now()
    if not may_change_list(order, user=user, now=now):
        raise NotAllowed(_list_closed_message(order))
    visitor = Visitor.objects.filter(order=order, pk=visitor_id, released_at__isnull=True).first()
    if visitor is None:
        raise NotAllowed(_("That visitor is not on this list."))
    first = Visitor.objects.filter(order=order).order_by("pk").values_list("pk", flat=True)[:1]
    if visitor.pk in list(first):
        raise NotAllowed(_("The group leader stays on the list."))
    if (
        visitor.ticket_id
        and Ticket.objects.filter(pk=visitor.ticket_id, checked_in_at__isnull=False).exists()
    ):
        raise NotAllowed(_("This visitor has already been admitted."))
    visitor.delete()
    services._log(order, "group_list_removed", user=user, visitor=visitor_id)


def _list_closed_message(order: Order) -> str:
    deadline = timezone.localtime(group_list_deadline(order))
    return _(
        "The visitor list closed at %(deadline)s; please ask the park's staff to change it."
    ) % {"deadline": deadline.strftime("%Y-%m-%d %H:%M")}


# --- the gate ---------------------------------------------------------------------------


def group_check_in(*, group: GroupBooking, user, now: datetime.datetime | None = None) -> CheckIn:
    """Admit every person of the group not yet admitted, in one action; once only."""
    now = now or timezone.now()
    order = group.order
    leader_ticket = order.tickets.filter(refunded_at__isnull=True).order_by("pk").first()
    if order.status not in (Order.Status.PAID, Order.Status.RESERVED):
        return CheckIn(
            "not_valid",
            _("This group's order is %(status)s.") % {"status": order.get_status_display()},
            leader_ticket,
            group=group,
        )
    if order.slot.date != timezone.localdate(now):
        return CheckIn(
            "wrong_date",
            _("This group is booked for %(date)s.") % {"date": order.slot.date.isoformat()},
            leader_ticket,
            group=group,
        )
    who = _group_label(group)
    valid = Ticket.objects.filter(order=order, refunded_at__isnull=True)
    with transaction.atomic():
        services._lock_timeout()
        admitted = valid.filter(checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=user
        )
        total = valid.count()
        if not admitted:
            last = valid.order_by("-checked_in_at").first()
            return CheckIn(
                "used",
                _(
                    "The whole group (%(total)s people) is already admitted, last at %(time)s. %(who)s"
                )
                % {
                    "total": total,
                    "time": timezone.localtime(last.checked_in_at).strftime("%H:%M:%S")
                    if last and last.checked_in_at
                    else "?",
                    "who": who,
                },
                leader_ticket,
                group=group,
            )
        collect = None
        if order.status == Order.Status.RESERVED:
            collect = order.total
            Payment.objects.create(
                order=order,
                provider="gate",
                amount=order.total,
                status=Payment.Status.SUCCEEDED,
                completed_at=now,
                taken_by=user,
            )
            services._transition(
                order, Order.Status.PAID, from_=(Order.Status.RESERVED,), paid_at=now
            )
            services._log(order, "paid_at_gate", user=user, amount=str(order.total))
        services._log(order, "group_checked_in", user=user, admitted=admitted)
    message = _("Admit the group: %(n)s people now (%(total)s in the group). %(who)s") % {
        "n": admitted,
        "total": total,
        "who": who,
    }
    if admitted < total:
        message += " " + _("%(n)s were admitted earlier.") % {"n": total - admitted}
    if collect is not None:
        message += " " + _("Collect ¥%(amount)s for the whole group.") % {"amount": collect}
    return CheckIn("valid", message, leader_ticket, collect, group=group)


def _group_label(group: GroupBooking) -> str:
    if group.agency:
        return _("Leader %(name)s, %(agency)s.") % {
            "name": group.leader_name,
            "agency": group.agency,
        }
    return _("Leader %(name)s.") % {"name": group.leader_name}


def group_for_code(code: str) -> GroupBooking | None:
    return (
        GroupBooking.objects.select_related("order__slot").filter(code=code).first()
        if code
        else None
    )
