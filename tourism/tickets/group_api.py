"""Group orders through the partner API: ``POST /api/v1/groups``.

A travel agency books a group as the group form does (``groups.group_create``), optionally
with the visitor list at once; the list is checked by the same ``group_list_check`` as
the leader's page, and a list with any bad row refuses the whole request, nothing saved.
"""

from typing import Annotated, Literal

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from ninja import Field
from ninja.errors import ValidationError

from core.identity import DocumentType

from . import groups, partner_keys, services
from .api import (
    LANGUAGES,
    Email,
    ErrorOut,
    FieldErrorsOut,
    Id,
    Name,
    OrderCreatedOut,
    Phone,
    StrictSchema,
    _local,
    _money,
    _order_url,
    _text,
    api,
)
from .api_auth import KEY_CALL, partner_key
from .groups import Agency, GroupLeader, ListCheck, ListRow
from .services import BookingError, SoldOut

DocumentCode = Literal[tuple(DocumentType.values)]
Number = _text(40)

# Where each field the group service names sits in the request body.
GROUP_FIELDS = {
    "slot": ["body", "slot_id"],
    "people": ["body", "people"],
    "leader_name": ["body", "leader", "name"],
    "leader_phone": ["body", "leader", "phone"],
    "leader_email": ["body", "leader", "email"],
    "leader_document_type": ["body", "leader", "document_type"],
    "leader_number": ["body", "leader", "number"],
    "agency": ["body", "agency", "name"],
    "agency_licence": ["body", "agency", "licence"],
}


class LeaderIn(StrictSchema):
    name: Name
    phone: Phone
    document_type: DocumentCode
    number: Number
    email: Email | None = None


class AgencyIn(StrictSchema):
    name: _text(200)
    licence: _text(50) = Field(description="The agency's business licence number.")


class GroupVisitorIn(StrictSchema):
    name: Name
    document_type: DocumentCode
    number: Number


class GroupOrderIn(StrictSchema):
    """A group for one entry slot at the group rate; the leader is one of ``people``."""

    slot_id: Id
    people: Annotated[int, Field(strict=True, ge=1, le=groups.MAX_LIST_ROWS)]
    leader: LeaderIn
    agency: AgencyIn | None = None
    pay: Literal["online", "gate"] = Field(
        "online", description="Online with the park's provider when it has one; else at the gate."
    )
    visitors: list[GroupVisitorIn] | None = Field(
        None,
        max_length=groups.MAX_LIST_ROWS,
        description="The other visitors (not the leader), now or later on the order's page.",
    )
    language: Literal[LANGUAGES] | None = None


class GroupOrderCreatedOut(OrderCreatedOut):
    group_code: str = Field(description="On the leader's QR code: admits the whole group.")
    people: int
    visitors_named: int = Field(description="The leader and the visitors given so far.")
    visitor_list_url: str = Field(description="Where the leader adds or changes the list.")


class _ListRefused(Exception):
    def __init__(self, check: ListCheck):
        self.check = check


def _list_errors(check: ListCheck) -> ValidationError:
    errors = [{"loc": ["body", "visitors"], "msg": p, "type": "group_list"} for p in check.problems]
    for row, problems in check.rows:
        for problem in problems:
            errors.append(
                {"loc": ["body", "visitors", row.line - 1], "msg": problem, "type": "group_list"}
            )
    return ValidationError(errors)


@api.post(
    "/groups",
    response={
        201: GroupOrderCreatedOut,
        401: ErrorOut,
        409: ErrorOut,
        422: FieldErrorsOut,
        415: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    auth=partner_key,
    throttle=[KEY_CALL],
    summary="Book a group (团队票) at the group rate",
    description=(
        "One order for the whole group, at least the park's smallest group, at the group "
        "rate. The leader's document is checked now; the visitor list may come with the "
        "request or later on visitor_list_url until the park's cut-off. A list with any "
        "bad row is refused as a whole (422, one error per row at visitors.<index>) and "
        "nothing is booked. 409 when the slot has too few places left."
    ),
    operation_id="group_order_create",
)
def create_group_order(request, order: GroupOrderIn):
    agency = order.agency or None
    try:
        with transaction.atomic():
            created = groups.group_create(
                slot_id=order.slot_id,
                people=order.people,
                leader=GroupLeader(
                    name=order.leader.name,
                    phone=order.leader.phone,
                    document_type=order.leader.document_type,
                    number=order.leader.number,
                    email=order.leader.email or "",
                ),
                agency=Agency(agency.name, agency.licence) if agency else Agency(),
                pay_online=order.pay == "online",
                language=order.language or translation.get_language(),
                channel="group",
            )
            partner_keys.partner_order_record(order=created, api_key=request.auth)
            if order.visitors:
                rows = [
                    ListRow(n, v.name, v.document_type, v.number)
                    for n, v in enumerate(order.visitors, start=1)
                ]
                check = groups.group_list_save(order=created, rows=rows)
                if not check.ok:
                    raise _ListRefused(check)
        services._log(created, "booked_through_api")
        payment = services.order_start_payment(
            order=created, base_url=request.build_absolute_uri("/")
        )
    except _ListRefused as refused:
        raise _list_errors(refused.check) from None
    except SoldOut as error:
        return 409, {"detail": error.message}
    except BookingError as error:
        if error.status in (409, 503):
            return error.status, {"detail": error.message}
        loc = GROUP_FIELDS.get(error.field or "", ["body"])
        raise ValidationError([{"loc": loc, "msg": error.message, "type": "booking"}]) from None
    with translation.override(created.language):
        list_url = request.build_absolute_uri(
            reverse("tickets:group_list", kwargs={"token": created.token})
        )
    return 201, {
        "reference": created.reference,
        "token": created.token,
        "status": created.status,
        "hold_expires_at": _local(created.hold_expires_at),
        "total": _money(created.total),
        "payment_url": (payment.redirect_url or None) if payment else None,
        "order_url": _order_url(request, created),
        "group_code": created.group.code,
        "people": created.quantity,
        "visitors_named": created.visitors.filter(released_at__isnull=True).count(),
        "visitor_list_url": list_url,
    }
