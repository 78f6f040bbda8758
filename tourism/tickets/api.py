"""The JSON API for channel partners (WeChat mini-program, travel agencies), version 1.

Availability, create an order, read an order's status; the schema is served at
``/api/v1/openapi.json`` and browsable at ``/api/v1/docs``. Every input is bounded by the
schemas below (sizes, ranges, characters, no unknown fields), so a malformed request is
answered 4xx by validation and never reaches the database as something it would refuse
with an error. Orders and order status need a partner's API key (``api_auth.py``) and
are limited per key; availability is open to anyone, limited per client address
(``ratelimit.py``).
"""

import datetime
import functools
import math
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Literal

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.log import log_response
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, Throttled, ValidationError
from pydantic import AfterValidator, ConfigDict, StringConstraints, field_validator

from core.identity import DocumentType

from . import services
from .api_auth import KEY_CALL, partner_key
from .models import Order, Payment
from .partner_keys import ApiKeyRefused, partner_order_create
from .ratelimit import ClientRateLimit
from .realname import VisitorError
from .realname import VisitorIn as RealNameVisitor
from .selectors import day_availability, prices_on
from .services import BookingError, Contact, SoldOut

# Database keys are 64-bit. A larger number can only be a mistake, and some lookups
# (``pk__in`` on SQLite) raise on it instead of finding nothing.
MAX_ID = 2**63 - 1
# Generous against any real order; the service applies TICKETS_MAX_PER_ORDER.
MAX_QUANTITY = 10_000
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

ANY_CALL = ClientRateLimit("api", "API_RATE_LIMIT_PER_MINUTE")


def _language_from_header(run):
    """Answer in the partner's ``Accept-Language``.

    The API is outside the language-prefixed URLs, where Django would otherwise always
    pick the default language (Chinese).
    """

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        with translation.override(translation.get_language_from_request(request)):
            return run(request, *args, **kwargs)

    return wrapper


# Methods whose body the API reads; it reads JSON only.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _json_body_required(run):
    """Answer 415 to a body that does not say it is JSON.

    A browser sends ``text/plain``, form-encoded and multipart bodies to any site without
    asking it first (no CORS preflight), so a page elsewhere could otherwise make its
    visitors' browsers create orders here. ``application/json`` needs that preflight, which
    this API never grants.
    """

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        if request.method in BODY_METHODS and request.content_type.lower() != "application/json":
            detail = _("Send the request body as JSON, with Content-Type: application/json.")
            return api.create_response(request, {"detail": detail}, status=415)
        return run(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="Huagu tickets API",
    version="1",
    description=(
        "Availability, orders and order status for channel partners. Prices are in CNY, "
        "as decimal strings.\n\n"
        "**API keys.** Creating orders and reading an order's status need the API key the "
        "park issued to the partner, sent as `Authorization: Bearer <key>` (the Authorize "
        "button below). A missing, wrong, revoked or expired key is answered 401 with the "
        "reason in `detail`. An order can be read back only with a key of the partner that "
        "made it. Availability needs no key.\n\n"
        "**Limits.** Each key has its own limit of requests a minute, set by the park; "
        "availability without a key is limited per client address. Over a limit the "
        "answer is 429 with a Retry-After header (seconds).\n\n"
        "Request bodies are JSON and must be "
        "sent with Content-Type: application/json (a charset may follow); any other "
        "content type is answered 415."
    ),
    urls_namespace="api_v1",
)
# Added first, so it runs inside the language of the answer.
api.add_decorator(_json_body_required, mode="view")
api.add_decorator(_language_from_header, mode="view")


# --- schemas ----------------------------------------------------------------------------


def _no_control_characters(value: str) -> str:
    # NUL and unpaired surrogates pass JSON decoding but PostgreSQL and UTF-8 refuse them.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValueError("control characters and unpaired surrogates are not allowed")
    return value


def _text(max_length: int):
    return Annotated[
        str,
        StringConstraints(strict=True, min_length=1, max_length=max_length),
        AfterValidator(_no_control_characters),
    ]


Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
# The lengths of the order's columns.
Name = _text(100)
Phone = _text(30)
Email = _text(254)


class StrictSchema(Schema):
    """Input schema that refuses fields it does not know, so a misspelt field is an error."""

    model_config = ConfigDict(extra="forbid")


class LineIn(StrictSchema):
    ticket_type_id: Id
    quantity: Annotated[int, Field(strict=True, ge=0, le=MAX_QUANTITY)]


class ContactIn(StrictSchema):
    name: Name = Field(description="The person the booking is under (姓名).")
    phone: Phone = Field(
        description=(
            "A mainland mobile number (11 digits), or another number in international form "
            "(+ and the country code). One phone number holds a limited number of tickets "
            "per visit date."
        )
    )
    email: Email | None = Field(
        None, description="Optional: the confirmation email goes here when given."
    )


class VisitorIn(StrictSchema):
    """Who one ticket is for (real-name tickets): name and identity document."""

    ticket_type_id: Id
    name: Name
    document_type: Literal[tuple(DocumentType.values)] = Field(
        description="id_card (resident ID card), hk_macao_permit, hk_macao_home_permit, "
        "taiwan_home_permit, taiwan_permit or passport."
    )
    number: _text(40) = Field(description="The document's number; ID cards are checked in full.")


class OrderIn(StrictSchema):
    """An order for one entry slot: a line per ticket type, and who to contact."""

    slot_id: Id
    lines: list[LineIn] = Field(min_length=1, max_length=50)
    contact: ContactIn
    visitors: list[VisitorIn] | None = Field(
        None,
        max_length=MAX_QUANTITY,
        description="One per ticket, when the park sells real-name tickets (required then); "
        "each ID number may hold one ticket per visit date.",
    )
    language: Literal[LANGUAGES] | None = Field(
        None, description="Language of the confirmation email; default: Accept-Language."
    )

    @field_validator("lines")
    @classmethod
    def _one_line_per_type(cls, lines: list[LineIn]) -> list[LineIn]:
        types = [line.ticket_type_id for line in lines]
        if len(types) != len(set(types)):
            raise ValueError("each ticket type may appear in one line only")
        return lines


class SlotOut(Schema):
    id: int
    starts_at: datetime.time | None = Field(description="Empty for a whole-day ticket.")
    ends_at: datetime.time | None
    remaining: int
    bookable: bool


class PriceOut(Schema):
    ticket_type_id: int
    name: str
    name_en: str
    audience: str
    price: str = Field(description="CNY, a decimal string such as 60.00.")


class AvailabilityOut(Schema):
    date: datetime.date
    closed: bool
    closed_reason: str
    slots: list[SlotOut]
    prices: list[PriceOut]


class OrderCreatedOut(Schema):
    reference: str
    token: str = Field(description="Secret: reads the order here and on its page.")
    status: str
    hold_expires_at: datetime.datetime | None = Field(
        description="A pending order's places are released if it is not paid by then."
    )
    total: str
    payment_url: str | None = Field(description="Where the tourist pays, when paying online.")
    order_url: str = Field(description="The order's page with its QR tickets.")


class LineOut(Schema):
    ticket_type_id: int
    name: str
    name_en: str
    quantity: int
    unit_price: str
    amount: str


class VisitorOut(Schema):
    name: str
    ticket_type_id: int
    document_type: str
    number: str = Field(description="Masked: the first three and last four characters.")


class OrderOut(Schema):
    reference: str
    status: str
    date: datetime.date
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    quantity: int
    total: str
    hold_expires_at: datetime.datetime | None
    paid_at: datetime.datetime | None
    lines: list[LineOut]
    visitors: list[VisitorOut]
    order_url: str


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class FieldErrorsOut(Schema):
    detail: list[FieldError]


# --- errors -----------------------------------------------------------------------------

BODY_PARAM = "order"
# Where each field the booking service names sits in the request body.
SERVICE_FIELDS = {
    "slot": ["body", "slot_id"],
    "lines": ["body", "lines"],
    "name": ["body", "contact", "name"],
    "phone": ["body", "contact", "phone"],
    "email": ["body", "contact", "email"],
}


@api.exception_handler(ValidationError)
def _field_errors(request, exc: ValidationError):
    """422 with ``{"detail": [{"loc", "msg", "type"}]}``, the same for schema and service errors."""
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        # Ninja names the body by the view's parameter; partners know the body only.
        if loc[:2] == ["body", BODY_PARAM]:
            loc = ["body", *loc[2:]]
        errors.append(
            {"loc": loc, "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}
        )
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(ApiKeyRefused)
def _key_refused(request, exc: ApiKeyRefused):
    response = api.create_response(request, {"detail": exc.message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    return response


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    if getattr(request, "auth", None) is not None:
        detail = _("Too many requests with this API key; please wait a minute and try again.")
    else:
        detail = _("Too many requests from this address; please wait a minute and try again.")
    response = api.create_response(request, {"detail": detail}, status=429)
    if exc.wait is not None:
        response["Retry-After"] = str(math.ceil(exc.wait))
    return response


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc: RequestDataTooBig):
    return api.create_response(request, {"detail": _("The request body is too large.")}, status=413)


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    """JSON 500 for anything unexpected, logged and signalled as Django does its own 500s.

    Ninja's handlers for validation, HTTP and 404 errors are more specific and still apply.
    """
    signals.got_request_exception.send(sender=None, request=request)
    response = api.create_response(
        request,
        {"detail": _("Something went wrong on our side; please try again shortly.")},
        status=500,
    )
    log_response(
        "Internal Server Error: %s", request.path, response=response, request=request, exception=exc
    )
    return response


def _booking_error(error: BookingError) -> ValidationError:
    loc = SERVICE_FIELDS.get(error.field or "", ["body"])
    if isinstance(error, VisitorError):
        # The visitor the service names: ["body", "visitors", 1, "number"].
        loc = ["body", "visitors"]
        if error.index is not None:
            loc += [error.index, error.part]
    return ValidationError([{"loc": loc, "msg": error.message, "type": "booking"}])


# --- helpers ----------------------------------------------------------------------------


def _money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment) if moment else None


def _order_url(request: HttpRequest, order: Order) -> str:
    # The page in the order's language, whatever language the partner reads the API in.
    with translation.override(order.language):
        return request.build_absolute_uri(reverse("tickets:order", kwargs={"token": order.token}))


# --- endpoints --------------------------------------------------------------------------


@api.get(
    "/availability",
    response={200: AvailabilityOut, 422: FieldErrorsOut, 429: ErrorOut},
    throttle=[ANY_CALL],
    summary="Entry slots with places left, and prices, on a date (no key needed)",
    operation_id="availability",
)
def availability(request, date: datetime.date):
    day = day_availability(date)
    return {
        "date": day.date,
        "closed": day.closed,
        "closed_reason": day.closed_reason,
        "slots": [
            {
                "id": slot.pk,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "remaining": slot.remaining,
                "bookable": slot.bookable,
            }
            for slot in day.slots
        ],
        "prices": [
            {
                "ticket_type_id": ticket_type.pk,
                "name": ticket_type.name,
                "name_en": ticket_type.name_en,
                "audience": ticket_type.audience,
                "price": _money(price),
            }
            for ticket_type, price in prices_on(date)
        ],
    }


@api.post(
    "/orders",
    response={
        201: OrderCreatedOut,
        401: ErrorOut,
        409: ErrorOut,
        422: FieldErrorsOut,
        415: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    auth=partner_key,
    throttle=[KEY_CALL],
    summary="Book places in a slot",
    description=(
        "Takes the places at once. 409 when fewer places are left than asked for; 422 with "
        "the fields at fault for anything else wrong. With online payment the order is "
        "pending until paid at payment_url; otherwise it is reserved and paid at the gate. "
        "503 when online payment cannot be started: the order is cancelled, nothing charged."
    ),
    operation_id="order_create",
)
def create_order(request, order: OrderIn):
    try:
        created = partner_order_create(
            api_key=request.auth,
            slot_id=order.slot_id,
            quantities={line.ticket_type_id: line.quantity for line in order.lines},
            contact=Contact(order.contact.name, order.contact.phone, order.contact.email or ""),
            language=order.language or translation.get_language(),
            visitors=(
                [
                    RealNameVisitor(v.ticket_type_id, v.name, v.document_type, v.number)
                    for v in order.visitors
                ]
                if order.visitors is not None
                else None
            ),
        )
        payment: Payment | None = services.order_start_payment(
            order=created, base_url=request.build_absolute_uri("/")
        )
    except SoldOut as error:
        return 409, {"detail": error.message}
    except BookingError as error:
        if error.status in (409, 503):
            return error.status, {"detail": error.message}
        raise _booking_error(error) from None
    return 201, {
        "reference": created.reference,
        "token": created.token,
        "status": created.status,
        "hold_expires_at": _local(created.hold_expires_at),
        "total": _money(created.total),
        "payment_url": (payment.redirect_url or None) if payment else None,
        "order_url": _order_url(request, created),
    }


@api.get(
    "/orders/{token}",
    response={200: OrderOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    auth=partner_key,
    throttle=[KEY_CALL],
    summary="An order's status and lines",
    description="Only orders made with a key of the same partner; any other token is 404.",
    operation_id="order_status",
)
def order_status(request, token: str):
    order = None
    if TOKEN_RE.fullmatch(token):
        order = (
            Order.objects.select_related("slot")
            .prefetch_related("lines__ticket_type", "visitors")
            .filter(token=token, partner_record__api_key__partner_id=request.auth.partner_id)
            .first()
        )
    if order is None:
        raise HttpError(404, _("No order has this token."))
    return {
        "reference": order.reference,
        "status": order.status,
        "date": order.slot.date,
        "starts_at": order.slot.starts_at,
        "ends_at": order.slot.ends_at,
        "quantity": order.quantity,
        "total": _money(order.total),
        "hold_expires_at": _local(order.hold_expires_at),
        "paid_at": _local(order.paid_at),
        "lines": [
            {
                "ticket_type_id": line.ticket_type_id,
                "name": line.ticket_type.name,
                "name_en": line.ticket_type.name_en,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "amount": _money(line.amount),
            }
            for line in order.lines.all()
        ],
        "visitors": [
            {
                "name": v.name,
                "ticket_type_id": v.ticket_type_id,
                "document_type": v.document_type,
                "number": v.masked_number,
            }
            for v in order.visitors.all()
            if v.released_at is None
        ],
        "order_url": _order_url(request, order),
    }


# Group orders (``POST /groups``) live in their own module, on this API.
from . import group_api  # noqa: E402, F401
