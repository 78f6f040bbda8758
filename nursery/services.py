"""Writes for the nursery: acquisitions, lots, plantings, survival checks, stock movements, reservations.

Every change to a lot's stock runs in one transaction that first locks the lot's row
(``SELECT … FOR UPDATE``), then checks the ledger, then writes the entry and the
lot's cached ``on_hand``/``reserved``. Two writers on one lot therefore queue, and
the second one checks against what the first one wrote: two overdraws cannot both
pass. A refused change raises ``StockError`` (or ``NurseryError``) with a message
for the farm manager, and nothing is saved.
"""

import calendar
import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import geo, history
from core.crews import crew_names
from core.numbers import count
from core.park_map import ParkMap

from .models import (
    Acquisition,
    AcquisitionLine,
    Customer,
    Planting,
    Reservation,
    Species,
    SpecimenMeasurement,
    SpecimenTree,
    StockEntry,
    StockLot,
    Supplier,
    SurvivalCheck,
    Zone,
)

CENT = Decimal("0.01")
CHECK_MONTHS = (1, 3, 6, 12)
SPEC_FIELDS = (
    "stem_diameter_cm",
    "stem_measured_at",
    "ground_diameter_cm",
    "height_cm",
    "crown_cm",
    "branching_height_cm",
    "root_ball_diameter_cm",
    "root_ball_depth_cm",
)


class NurseryError(Exception):
    """A change refused with a message for the farm manager; ``field`` names the form field at fault."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class StockError(NurseryError):
    """A movement that would take a lot below zero or below what is free of reservations."""


# --- dates -----------------------------------------------------------------------------


def at_noon(day: datetime.date) -> datetime.datetime:
    """The moment a dated event (a planting on a day) is booked at: noon, park time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in park time: "as of a date" counts what happened before it."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


# --- money -----------------------------------------------------------------------------


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Spread ``total`` over ``weights`` in proportion, to the cent; the shares add up to ``total``.

    Rounding leftovers go to the largest weights first, so no share is off by more than a cent.
    """
    total = Decimal(total).quantize(CENT)
    weight_sum = sum((Decimal(w) for w in weights), Decimal("0"))
    if not weights:
        return []
    if weight_sum <= 0:
        weights = [Decimal("1")] * len(weights)
        weight_sum = Decimal(len(weights))
    shares = [
        (total * Decimal(w) / weight_sum).quantize(CENT, rounding=ROUND_HALF_UP) for w in weights
    ]
    leftover = total - sum(shares, Decimal("0"))
    order = sorted(range(len(weights)), key=lambda i: Decimal(weights[i]), reverse=True)
    step = CENT if leftover > 0 else -CENT
    i = 0
    while leftover != 0:
        shares[order[i % len(order)]] += step
        leftover -= step
        i += 1
    return shares


# --- the ledger ------------------------------------------------------------------------


def _lock_lot(lot_id: int) -> StockLot:
    lot = StockLot.objects.select_for_update().select_related("species").filter(pk=lot_id).first()
    if lot is None:
        raise NurseryError(_("That lot does not exist."), field="lot")
    return lot


def _check_draw(lot: StockLot, delta: int, at: datetime.datetime) -> None:
    """Refuse ``delta`` at ``at`` if the lot's balance would go negative then or at any later entry."""
    if delta >= 0:
        return
    rows = list(
        StockEntry.objects.filter(lot=lot)
        .order_by("occurred_at", "pk")
        .values_list("occurred_at", "quantity")
    )
    balance = sum(q for when, q in rows if when <= at)
    if balance + delta < 0:
        raise StockError(
            _(
                "Lot %(lot)s has %(on_hand)s on hand on %(date)s, so %(quantity)s cannot be taken from it."
            )
            % {
                "lot": lot.code,
                "on_hand": count(balance),
                "date": _local_date(at),
                "quantity": count(-delta),
            },
            field="quantity",
        )
    running = balance
    for when, quantity in rows:
        if when <= at:
            continue
        running += quantity
        if running + delta < 0:
            raise StockError(
                _(
                    "Lot %(lot)s has %(on_hand)s on hand on %(date)s, after later movements; taking %(quantity)s on %(when)s would leave it below zero then."
                )
                % {
                    "lot": lot.code,
                    "on_hand": count(running),
                    "date": _local_date(when),
                    "quantity": count(-delta),
                    "when": _local_date(at),
                },
                field="quantity",
            )


def _check_available(lot: StockLot, quantity: int) -> None:
    if quantity > lot.available:
        raise StockError(
            _(
                "Lot %(lot)s has %(on_hand)s on hand of which %(reserved)s reserved: only %(available)s available, not %(quantity)s."
            )
            % {
                "lot": lot.code,
                "on_hand": count(lot.on_hand),
                "reserved": count(lot.reserved),
                "available": count(max(lot.available, 0)),
                "quantity": count(quantity),
            },
            field="quantity",
        )


def _post(
    lot: StockLot,
    *,
    kind: str,
    quantity: int,
    occurred_at: datetime.datetime,
    unit_cost: Decimal | None = None,
    user=None,
    reserved_delta: int = 0,
    **source,
) -> StockEntry:
    """Write one entry and move the lot's cached figures; the caller holds the lot's lock."""
    if timezone.is_naive(occurred_at):
        raise NurseryError(_("The time of a stock movement must carry its time zone."))
    _check_draw(lot, quantity, occurred_at)
    entry = StockEntry.objects.create(
        lot=lot,
        kind=kind,
        quantity=quantity,
        unit_cost=lot.unit_cost if unit_cost is None else unit_cost,
        occurred_at=occurred_at,
        created_by=user if user is not None and user.is_authenticated else None,
        **source,
    )
    StockLot.objects.filter(pk=lot.pk).update(
        on_hand=F("on_hand") + quantity, reserved=F("reserved") + reserved_delta
    )
    lot.on_hand += quantity
    lot.reserved += reserved_delta
    return entry


def _positive(quantity, *, field_name: str = "quantity") -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise NurseryError(_("Give a whole number."), field=field_name) from None
    if quantity <= 0:
        raise NurseryError(_("The quantity must be at least 1."), field=field_name)
    return quantity


def _check_code(model, field_name: str, value, *, form_field: str) -> None:
    """Refuse a lot code or tree tag by the model field's own validators (the rule in validators.py)."""
    try:
        model._meta.get_field(field_name).clean(value, None)
    except ValidationError as error:
        raise NurseryError(" ".join(error.messages), field=form_field) from None


def _atomic(fn):
    """Run a service in one transaction, turning a constraint the checks missed into a clear refusal."""

    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except IntegrityError as error:
            raise NurseryError(
                _("The change was refused because it breaks a rule of the nursery: %(error)s")
                % {"error": error}
            ) from error

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


# --- lots and stock movements ----------------------------------------------------------


@_atomic
def lot_create(
    *,
    code: str,
    species: Species,
    zone: Zone,
    quantity: int,
    unit_cost: Decimal,
    received_at: datetime.datetime,
    kind: str = StockEntry.Kind.PURCHASE,
    grown: str = StockLot.Grown.FIELD,
    seedling_age_years: int | None = None,
    sale_price: Decimal | None = None,
    source_line: AcquisitionLine | None = None,
    spec: dict | None = None,
    user=None,
) -> StockLot:
    """A new lot with its opening entry (a purchase or a propagation)."""
    quantity = _positive(quantity)
    _check_code(StockLot, "code", code, form_field="code")
    if kind not in (StockEntry.Kind.PURCHASE, StockEntry.Kind.PROPAGATION):
        raise NurseryError(_("A lot opens with a purchase or a propagation."))
    if StockLot.objects.filter(code=code).exists():
        raise NurseryError(
            _("A lot with code %(code)s already exists.") % {"code": code}, field="code"
        )
    lot = StockLot.objects.create(
        code=code,
        species=species,
        zone=zone,
        grown=grown,
        seedling_age_years=seedling_age_years,
        unit_cost=Decimal(unit_cost).quantize(CENT),
        sale_price=sale_price,
        source_line=source_line,
        **{k: v for k, v in (spec or {}).items() if k in SPEC_FIELDS},
    )
    _post(
        lot,
        kind=kind,
        quantity=quantity,
        occurred_at=received_at,
        user=user,
        acquisition_line=source_line,
    )
    return lot


@_atomic
def stock_propagation_record(
    *, lot: StockLot, quantity: int, occurred_at: datetime.datetime, note: str = "", user=None
) -> StockEntry:
    """Plants raised in the nursery (cuttings, seedlings) added to a lot."""
    quantity = _positive(quantity)
    lot = _lock_lot(lot.pk)
    return _post(
        lot,
        kind=StockEntry.Kind.PROPAGATION,
        quantity=quantity,
        occurred_at=occurred_at,
        note=note,
        user=user,
    )


@_atomic
def stock_loss_record(
    *, lot: StockLot, quantity: int, occurred_at: datetime.datetime, note: str = "", user=None
) -> StockEntry:
    """Plants that died, were stolen or discarded."""
    quantity = _positive(quantity)
    lot = _lock_lot(lot.pk)
    return _post(
        lot,
        kind=StockEntry.Kind.LOSS,
        quantity=-quantity,
        occurred_at=occurred_at,
        note=note,
        user=user,
    )


@_atomic
def stock_sale_record(
    *,
    lot: StockLot,
    quantity: int,
    occurred_at: datetime.datetime,
    note: str = "",
    user=None,
) -> StockEntry:
    """A sale from stock free of reservations (a reserved sale is ``reservation_deliver``)."""
    quantity = _positive(quantity)
    lot = _lock_lot(lot.pk)
    _check_available(lot, quantity)
    return _post(
        lot,
        kind=StockEntry.Kind.SALE,
        quantity=-quantity,
        occurred_at=occurred_at,
        note=note,
        user=user,
    )


@_atomic
def stock_count_record(
    *, lot: StockLot, counted: int, occurred_at: datetime.datetime, note: str = "", user=None
) -> StockEntry | None:
    """A stock count: the difference from the ledger's figure at that moment becomes an adjustment."""
    try:
        counted = int(counted)
    except (TypeError, ValueError):
        raise NurseryError(_("Give a whole number."), field="counted") from None
    if counted < 0:
        raise NurseryError(_("A count cannot be negative."), field="counted")
    lot = _lock_lot(lot.pk)
    balance = sum(
        StockEntry.objects.filter(lot=lot, occurred_at__lte=occurred_at).values_list(
            "quantity", flat=True
        )
    )
    delta = counted - balance
    if delta == 0:
        return None
    return _post(
        lot,
        kind=StockEntry.Kind.ADJUSTMENT,
        quantity=delta,
        occurred_at=occurred_at,
        note=note,
        user=user,
    )


# --- acquisitions ----------------------------------------------------------------------


@dataclass
class AcquisitionLineInput:
    """One line of a purchase: either a new lot (``lot_code``, ``zone``, ``spec``) or tagged specimen trees."""

    species: Species
    quantity: int
    unit_price: Decimal
    lot_code: str = ""
    zone: Zone | None = None
    spec: dict = field(default_factory=dict)
    specimen_tags: Sequence[str] = ()
    origin_province_en: str = ""


@_atomic
def acquisition_record(
    *,
    reference: str,
    supplier: Supplier,
    acquired_on: datetime.date,
    lines: Sequence[AcquisitionLineInput],
    origin_province: str = "",
    transport_cost: Decimal = Decimal("0"),
    crane_cost: Decimal = Decimal("0"),
    root_ball_cost: Decimal = Decimal("0"),
    allocation: str = Acquisition.Allocation.VALUE,
    user=None,
) -> Acquisition:
    """A purchase with its landed cost: extra costs spread over the lines, each line into a lot or specimen trees.

    A line of specimen trees gives each tree its zone, when one is named (where the trees
    stand until they are planted), and its size as bought, when one is given: a
    measurement on the day of the purchase.
    """
    if not lines:
        raise NurseryError(_("An acquisition needs at least one line."))
    for line in lines:
        _positive(line.quantity)
        for tag in line.specimen_tags:
            _check_code(SpecimenTree, "tag", tag, form_field="specimen_tags")
        if line.specimen_tags and len(line.specimen_tags) != line.quantity:
            raise NurseryError(
                _("Line for %(species)s: %(tags)s tags for %(quantity)s trees.")
                % {
                    "species": line.species.name,
                    "tags": len(line.specimen_tags),
                    "quantity": line.quantity,
                }
            )
        if not line.specimen_tags and not (line.lot_code and line.zone):
            raise NurseryError(
                _("Line for %(species)s: give a lot code and zone, or the specimen trees' tags.")
                % {"species": line.species.name}
            )
    acquisition = Acquisition.objects.create(
        reference=reference,
        supplier=supplier,
        acquired_on=acquired_on,
        origin_province=origin_province,
        transport_cost=transport_cost,
        crane_cost=crane_cost,
        root_ball_cost=root_ball_cost,
        allocation=allocation,
    )
    weights = [
        Decimal(line.quantity)
        if allocation == Acquisition.Allocation.QUANTITY
        else line.quantity * Decimal(line.unit_price)
        for line in lines
    ]
    shares = allocate(acquisition.extra_cost, weights)
    received_at = at_noon(acquired_on)
    specimens = []
    sizes: dict[str, dict] = {}  # a tree's tag: its size as bought
    for line, share in zip(lines, shares, strict=True):
        row = AcquisitionLine.objects.create(
            acquisition=acquisition,
            species=line.species,
            quantity=line.quantity,
            unit_price=line.unit_price,
            allocated_cost=share,
        )
        if line.specimen_tags:
            costs = [line.unit_price + s for s in allocate(share, [Decimal(1)] * line.quantity)]
            specimens += [
                SpecimenTree(
                    tag=tag,
                    species=line.species,
                    acquisition_line=row,
                    origin_province=origin_province,
                    origin_province_en=line.origin_province_en,
                    zone=line.zone,
                    cost=cost,
                )
                for tag, cost in zip(line.specimen_tags, costs, strict=True)
            ]
            if line.spec:
                sizes.update(dict.fromkeys(line.specimen_tags, line.spec))
        else:
            lot_create.__wrapped__(
                code=line.lot_code,
                species=line.species,
                zone=line.zone,
                quantity=line.quantity,
                unit_cost=row.landed_unit_cost,
                received_at=received_at,
                source_line=row,
                spec=line.spec,
                user=user,
            )
    if specimens:
        taken = set(
            SpecimenTree.objects.filter(tag__in=[s.tag for s in specimens]).values_list(
                "tag", flat=True
            )
        )
        if taken:
            raise NurseryError(
                _("These tags are already used: %(tags)s") % {"tags": ", ".join(sorted(taken))}
            )
        SpecimenTree.objects.bulk_create(specimens)
        trees = SpecimenTree.objects.filter(tag__in=sizes).values_list("tag", "pk")
        SpecimenMeasurement.objects.bulk_create(
            SpecimenMeasurement(tree_id=pk, measured_on=acquired_on, **sizes[tag])
            for tag, pk in trees
        )
    return acquisition


# --- plantings and survival checks -----------------------------------------------------


@_atomic
def planting_record(
    *,
    planted_on: datetime.date,
    zone: Zone,
    lot: StockLot | None = None,
    quantity: int | None = None,
    specimens: Sequence[SpecimenTree] = (),
    crew: str = "",
    photo=None,
    replaces: SurvivalCheck | None = None,
    notes: str = "",
    user=None,
) -> Planting:
    """Transplant plants from a lot, or specimen trees, into a zone; schedule its survival checks."""
    if (lot is None) == (not specimens):
        raise NurseryError(
            _("Plant either from a lot or specimen trees, not both or neither."), field="lot"
        )
    if planted_on > timezone.localdate():
        raise NurseryError(
            _("A planting cannot be recorded before it happens."), field="planted_on"
        )
    crew = (crew or "").strip()
    if crew:
        crews = crew_names()
        # A park that keeps a list of crews names one of them, so its work can be recorded.
        if crews and crew not in crews:
            raise NurseryError(
                _("Choose the crew from the list of crews (Workforce › Crews)."), field="crew"
            )
    supplier = None
    if lot is not None:
        quantity = _positive(quantity)
        lot = _lock_lot(lot.pk)
        species = lot.species
        if lot.source_line_id:
            supplier = Supplier.objects.filter(acquisitions__lines__pk=lot.source_line_id).first()
    else:
        specimens = list(
            # Only the trees' rows: PostgreSQL refuses to lock the nullable side of the join.
            SpecimenTree.objects.select_for_update(of=("self",))
            .filter(pk__in=[s.pk for s in specimens])
            .select_related("acquisition_line__acquisition")
        )
        quantity = len(specimens)
        species_ids = {s.species_id for s in specimens}
        if len(species_ids) != 1:
            raise NurseryError(_("Plant one species at a time."), field="specimens")
        species = specimens[0].species
        suppliers = {
            s.acquisition_line.acquisition.supplier_id for s in specimens if s.acquisition_line_id
        }
        if len(suppliers) == 1:
            supplier = Supplier.objects.get(pk=suppliers.pop())
        gone = [
            s.tag
            for s in specimens
            if s.status in (SpecimenTree.Status.DEAD, SpecimenTree.Status.SOLD)
        ]
        if gone:
            raise NurseryError(
                _("These trees are dead or sold: %(tags)s") % {"tags": ", ".join(gone)},
                field="specimens",
            )
    if replaces is not None:
        replaces = (
            SurvivalCheck.objects.select_for_update().select_related("planting").get(pk=replaces.pk)
        )
        if replaces.checked_on is None or not replaces.dead:
            raise NurseryError(
                _("Only a check that found losses can be replaced."), field="replaces"
            )
        already = sum(replaces.replacements.values_list("quantity", flat=True))
        if already + quantity > replaces.dead:
            raise NurseryError(
                _(
                    "That check found %(dead)s dead, %(already)s already replaced; %(quantity)s more is too many."
                )
                % {"dead": replaces.dead, "already": already, "quantity": quantity},
                field="replaces",
            )
        if replaces.planting.species_id != species.pk:
            raise NurseryError(_("A replacement must be of the same species."), field="replaces")
    planting = Planting.objects.create(
        planted_on=planted_on,
        zone=zone,
        species=species,
        supplier=supplier,
        lot=lot,
        quantity=quantity,
        crew=crew,
        photo=photo,
        replaces=replaces,
        notes=notes,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if lot is not None:
        _check_available(lot, quantity)
        _post(
            lot,
            kind=StockEntry.Kind.PLANTING,
            quantity=-quantity,
            occurred_at=at_noon(planted_on),
            planting=planting,
            user=user,
        )
    else:
        planting.specimens.set(specimens)
        SpecimenTree.objects.filter(pk__in=[s.pk for s in specimens]).update(
            zone=zone, planted_on=planted_on
        )
        # Each tree's history shows where it went and when (a planting moves a few trees).
        for tree in specimens:
            before = history.snapshot(tree, names=["zone", "planted_on"])
            tree.zone, tree.planted_on = zone, planted_on
            history.log_change(
                tree,
                before=before,
                after=history.snapshot(tree, names=["zone", "planted_on"]),
                user=user,
            )
    SurvivalCheck.objects.bulk_create(
        [
            SurvivalCheck(planting=planting, months_after=m, due_on=add_months(planted_on, m))
            for m in CHECK_MONTHS
        ]
    )
    return planting


@_atomic
def survival_check_record(
    *,
    check: SurvivalCheck,
    checked_on: datetime.date,
    alive: int,
    weak: int,
    dead: int,
    notes: str = "",
    user=None,
) -> SurvivalCheck:
    """Record what a survival check found; the counts must add up to what was planted."""
    check = SurvivalCheck.objects.select_for_update().select_related("planting").get(pk=check.pk)
    counts = {}
    for name, value in (("alive", alive), ("weak", weak), ("dead", dead)):
        try:
            counts[name] = int(value)
        except (TypeError, ValueError):
            raise NurseryError(_("Give a whole number."), field=name) from None
        if counts[name] < 0:
            raise NurseryError(_("Counts cannot be negative."), field=name)
    planted = check.planting.quantity
    if sum(counts.values()) != planted:
        raise NurseryError(
            _("Alive, weak and dead must add up to the %(planted)s planted, not %(total)s.")
            % {"planted": planted, "total": sum(counts.values())},
            field="alive",
        )
    if checked_on < check.planting.planted_on:
        raise NurseryError(_("A check cannot come before the planting."), field="checked_on")
    if checked_on > timezone.localdate():
        raise NurseryError(_("A check cannot be recorded before it happens."), field="checked_on")
    SurvivalCheck.objects.filter(pk=check.pk).update(
        checked_on=checked_on,
        notes=notes,
        checked_by=user if user is not None and user.is_authenticated else None,
        **counts,
    )
    check.refresh_from_db()
    return check


# --- reservations ----------------------------------------------------------------------


@_atomic
def reservation_create(
    *,
    customer: Customer,
    lot: StockLot,
    quantity: int,
    unit_price: Decimal | None = None,
    project: str = "",
    user=None,
) -> Reservation:
    """Hold stock for a customer: never more than the lot has available (on hand − reserved)."""
    quantity = _positive(quantity)
    lot = _lock_lot(lot.pk)
    _check_available(lot, quantity)
    reservation = Reservation.objects.create(
        customer=customer,
        lot=lot,
        project=project,
        quantity=quantity,
        unit_price=lot.sale_price or Decimal("0") if unit_price is None else unit_price,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    StockLot.objects.filter(pk=lot.pk).update(reserved=F("reserved") + quantity)
    return reservation


@_atomic
def reservation_deliver(
    *,
    reservation: Reservation,
    quantity: int,
    delivered_at: datetime.datetime,
    user=None,
) -> StockEntry:
    """Deliver reserved stock: a sale entry that lowers both on hand and reserved."""
    quantity = _positive(quantity)
    lot = _lock_lot(reservation.lot_id)
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.status != Reservation.Status.OPEN:
        raise NurseryError(_("This reservation is no longer open."))
    if quantity > reservation.outstanding:
        raise NurseryError(
            _("Only %(outstanding)s of this reservation remain to be delivered.")
            % {"outstanding": reservation.outstanding},
            field="quantity",
        )
    entry = _post(
        lot,
        kind=StockEntry.Kind.SALE,
        quantity=-quantity,
        occurred_at=delivered_at,
        unit_cost=None,
        reservation=reservation,
        reserved_delta=-quantity,
        user=user,
    )
    delivered = reservation.delivered + quantity
    Reservation.objects.filter(pk=reservation.pk).update(
        delivered=delivered,
        status=Reservation.Status.DELIVERED
        if delivered == reservation.quantity
        else Reservation.Status.OPEN,
    )
    return entry


@_atomic
def reservation_cancel(*, reservation: Reservation) -> Reservation:
    """Release what is still outstanding of a reservation."""
    lot = _lock_lot(reservation.lot_id)
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.status != Reservation.Status.OPEN:
        raise NurseryError(_("This reservation is no longer open."))
    StockLot.objects.filter(pk=lot.pk).update(reserved=F("reserved") - reservation.outstanding)
    Reservation.objects.filter(pk=reservation.pk).update(status=Reservation.Status.CANCELLED)
    reservation.refresh_from_db()
    return reservation


# --- specimen trees on the map ---------------------------------------------------------

#: A phone's fix rougher than this (its reported accuracy, in metres) is not a tree's place.
LOCATION_ACCURACY_LIMIT_M = Decimal("50")


@_atomic
def specimen_locate(*, tree: SpecimenTree, lon, lat, accuracy_m, by=None) -> SpecimenTree:
    """Set where ``tree`` stands from a phone's GPS fix (WGS-84) and how accurate it was.

    A fix rougher than ``LOCATION_ACCURACY_LIMIT_M`` or outside the park boundary is
    refused. A point outside the tree's zone is saved (``tree.outside_its_zone`` says so).
    """
    try:
        lon, lat = float(lon), float(lat)
        accuracy = Decimal(str(accuracy_m))
    except (TypeError, ValueError, ArithmeticError):
        raise NurseryError(_("The phone gave no usable position; try again.")) from None
    if not (math.isfinite(lon) and math.isfinite(lat) and accuracy.is_finite()) or accuracy < 0:
        raise NurseryError(_("The phone gave no usable position; try again."))
    if accuracy > LOCATION_ACCURACY_LIMIT_M:
        raise NurseryError(
            _(
                "The phone's position is only accurate to %(accuracy)s m; at most %(limit)s m is "
                "needed. Wait under open sky for a better fix and try again."
            )
            % {"accuracy": round(accuracy), "limit": LOCATION_ACCURACY_LIMIT_M}
        )
    location = geo.point(lon, lat)
    try:
        geo.validate_point(location)
        ParkMap.load().check_inside(location, "location")
    except ValidationError as error:
        raise NurseryError(" ".join(error.messages)) from None
    tree = SpecimenTree.objects.select_for_update().get(pk=tree.pk)
    before = history.snapshot(tree, names=["location", "location_accuracy_m"])
    tree.location = location
    tree.location_accuracy_m = accuracy.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    SpecimenTree.objects.filter(pk=tree.pk).update(
        location=tree.location, location_accuracy_m=tree.location_accuracy_m
    )
    history.log_change(
        tree,
        before=before,
        after=history.snapshot(tree, names=["location", "location_accuracy_m"]),
        user=by,
        note=str(_("Position from the phone's GPS")),
    )
    return tree
