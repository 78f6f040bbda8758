"""Reads for the nursery: state derived from the ledger and the logs, as of any date.

Each selector is one query, whatever the number of lots: the ledger is summed in the
database, grouped by what the caller asks for.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from core.months import blooming_in

from .models import (
    Planting,
    Species,
    SpecimenPhoto,
    SpecimenTree,
    StockEntry,
    StockLot,
    SurvivalCheck,
    Zone,
)
from .services import end_of_day

MONEY = DecimalField(max_digits=16, decimal_places=2)
CENT = Decimal("0.01")


def _entries(as_of: datetime.date | None) -> QuerySet:
    entries = StockEntry.objects.all()
    if as_of is not None:
        entries = entries.filter(occurred_at__lt=end_of_day(as_of))
    return entries


def _value():
    return Sum(ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=MONEY))


def lots_on_hand(*, as_of: datetime.date | None = None) -> QuerySet:
    """Lots annotated with ``stock`` and ``stock_value`` as of the end of ``as_of`` (default: now)."""
    when = Q(entries__occurred_at__lt=end_of_day(as_of)) if as_of is not None else Q()
    return StockLot.objects.select_related("species", "zone").annotate(
        stock=Coalesce(Sum("entries__quantity", filter=when), 0),
        stock_value=Coalesce(
            Sum(
                ExpressionWrapper(
                    F("entries__quantity") * F("entries__unit_cost"), output_field=MONEY
                ),
                filter=when,
            ),
            Value(Decimal("0")),
            output_field=MONEY,
        ),
    )


def lot_on_hand(*, lot: StockLot, as_of: datetime.date | None = None) -> int:
    return _entries(as_of).filter(lot=lot).aggregate(n=Coalesce(Sum("quantity"), 0))["n"]


SPECIES_COLUMNS = {
    "species_id": "id",
    "species_name": "name",
    "species_name_en": "name_en",
    "species_scientific_name": "scientific_name",
}
ZONE_COLUMNS = {
    "zone_id": "id",
    "zone_code": "code",
    "zone_name": "name",
    "zone_name_en": "name_en",
}
STOCK_GROUPS = {
    ("species",): (Species, SPECIES_COLUMNS),
    ("zone",): (Zone, ZONE_COLUMNS),
    (
        "species",
        "zone",
    ): (
        Species,
        {
            **SPECIES_COLUMNS,
            **{
                k: "lots__zone_id" if v == "id" else f"lots__zone__{v}"
                for k, v in ZONE_COLUMNS.items()
            },
        },
    ),
}


def stock_by(*group: str, as_of: datetime.date | None = None) -> list[dict]:
    """On hand and value grouped by ``"species"``, ``"zone"`` or both, as of the end of ``as_of``; one query.

    The query starts from the species (or zone) table, so PostgreSQL groups by its
    primary key and the zone's id rather than by every name column: grouping 500,000
    entries by integers is several times faster than by text.
    """
    base, columns = STOCK_GROUPS[tuple(group)]
    # One filter() call: each call on a multi-valued relation would add its own join.
    when = {"lots__entries__isnull": False}
    if as_of is not None:
        when["lots__entries__occurred_at__lt"] = end_of_day(as_of)
    rows = base.objects.filter(**when)
    rows = (
        rows.values(*columns.values())
        .annotate(
            on_hand=Sum("lots__entries__quantity"),
            value=Sum(
                ExpressionWrapper(
                    F("lots__entries__quantity") * F("lots__entries__unit_cost"), output_field=MONEY
                )
            ),
        )
        .order_by(*[v for v in columns.values() if v.endswith("id")])
    )
    return [
        {
            **{key: row[lookup] for key, lookup in columns.items()},
            "on_hand": row["on_hand"],
            "value": Decimal(row["value"] or 0).quantize(CENT),
        }
        for row in rows
        if row["on_hand"]
    ]


def stock_by_species_and_zone(*, as_of: datetime.date | None = None) -> list[dict]:
    return stock_by("species", "zone", as_of=as_of)


def stock_by_species(*, as_of: datetime.date | None = None) -> list[dict]:
    return stock_by("species", as_of=as_of)


def stock_by_zone(*, as_of: datetime.date | None = None) -> list[dict]:
    return stock_by("zone", as_of=as_of)


def availability() -> QuerySet:
    """Lots with stock free of reservations, for customers: species, spec, available, price."""
    return (
        StockLot.objects.select_related("species", "zone")
        .annotate(free=F("on_hand") - F("reserved"))
        .filter(free__gt=0)
        .order_by("species__name", "code")
    )


def plantings_by_month(
    *, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[dict]:
    plantings = Planting.objects.all()
    if start:
        plantings = plantings.filter(planted_on__gte=start)
    if end:
        plantings = plantings.filter(planted_on__lte=end)
    return list(
        plantings.annotate(month=TruncMonth("planted_on"))
        .values("month")
        .annotate(
            plantings=Count("pk"),
            plants=Sum("quantity"),
            replacements=Count("pk", filter=Q(replaces__isnull=False)),
        )
        .order_by("month")
    )


SURVIVAL_GROUPS = {
    "species": ["species_id", "species__name", "species__name_en"],
    "supplier": ["supplier_id", "supplier__name"],
    "zone": ["zone_id", "zone__code", "zone__name", "zone__name_en"],
}


def survival_rates(*, by: str, planted_from: datetime.date | None = None) -> list[dict]:
    """Survival (at each planting's latest check) and retention (at the 12-month check), grouped.

    ``planted`` counts plantings that have been checked at least once; ``surviving`` the
    alive and weak at their latest check; ``retained_of`` and ``retained`` the same for
    plantings whose care year has ended with the 12-month check. ``planted_from`` keeps
    the plantings made on or after that day (this year's, on the manager's map).
    """
    plantings = Planting.objects.all()
    if planted_from is not None:
        plantings = plantings.filter(planted_on__gte=planted_from)
    latest = SurvivalCheck.objects.filter(
        planting=OuterRef("pk"), checked_on__isnull=False
    ).order_by("-months_after")
    final = SurvivalCheck.objects.filter(
        planting=OuterRef("pk"), checked_on__isnull=False, months_after=12
    )
    rows = (
        plantings.annotate(
            last_surviving=Subquery(
                latest.annotate(s=F("alive") + F("weak")).values("s")[:1],
                output_field=IntegerField(),
            ),
            final_surviving=Subquery(
                final.annotate(s=F("alive") + F("weak")).values("s")[:1],
                output_field=IntegerField(),
            ),
        )
        .filter(last_surviving__isnull=False)
        .values(*SURVIVAL_GROUPS[by])
        .annotate(
            plantings=Count("pk"),
            planted=Sum("quantity"),
            surviving=Sum("last_surviving"),
            retained_of=Coalesce(
                Sum(Case(When(final_surviving__isnull=False, then=F("quantity")), default=0)), 0
            ),
            retained=Coalesce(Sum("final_surviving"), 0),
        )
        .order_by(*SURVIVAL_GROUPS[by])
    )
    result = []
    for row in rows:
        row = {k.replace("__", "_"): v for k, v in row.items()}
        row["survival_rate"] = rate(row["surviving"], row["planted"])
        row["retention_rate"] = rate(row["retained"], row["retained_of"])
        result.append(row)
    return result


def rate(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def passport_trees() -> QuerySet:
    """Trees whose passport can be read: public ones, standing or gone (a gone tree's says so)."""
    return SpecimenTree.objects.filter(public=True).select_related("species", "zone", "photo")


def public_trees() -> QuerySet:
    """The public trees still standing in the park: what the lists and maps show."""
    return passport_trees().exclude(status__in=SpecimenTree.GONE).order_by("tag")


def tree_search(
    *,
    text: str = "",
    species: Species | None = None,
    zone: Zone | None = None,
    age_from: int | None = None,
    age_below: int | None = None,
    blooming_month: int | None = None,
) -> QuerySet:
    """Public standing trees matching every criterion given, by tag.

    ``text`` matches the tag or the species' Chinese, English or scientific name; the age
    band is ``age_from`` <= estimated age < ``age_below`` (a tree of unknown age matches no
    band); ``blooming_month`` keeps the trees whose species flowers that month.
    """
    trees = public_trees()
    if text:
        trees = trees.filter(
            Q(tag__icontains=text)
            | Q(species__name__icontains=text)
            | Q(species__name_en__icontains=text)
            | Q(species__scientific_name__icontains=text)
        )
    if species is not None:
        trees = trees.filter(species=species)
    if zone is not None:
        trees = trees.filter(zone=zone)
    if age_from is not None:
        trees = trees.filter(estimated_age_years__gte=age_from)
    if age_below is not None:
        trees = trees.filter(estimated_age_years__lt=age_below)
    if blooming_month is not None:
        trees = trees.filter(blooming_in(blooming_month, "species__bloom_months"))
    return trees


def with_card_images(trees: QuerySet, renditions: list[str]) -> QuerySet:
    """Each tree's photo and its first gallery photo, with the ``renditions`` a card shows.

    A fixed number of queries whatever the number of trees: the renditions come with
    the images instead of one query per picture.
    """
    from wagtail.images import get_image_model

    images = get_image_model().objects.prefetch_renditions(*renditions)
    return (
        trees.select_related(None)
        .select_related("species", "zone")
        .prefetch_related(
            Prefetch("photo", queryset=images),
            Prefetch(
                "photos",
                queryset=SpecimenPhoto.objects.prefetch_related(Prefetch("image", queryset=images)),
            ),
        )
    )


def checks_due(*, on: datetime.date) -> QuerySet:
    """Survival checks not yet done whose date has come, oldest first."""
    return (
        SurvivalCheck.objects.filter(checked_on__isnull=True, due_on__lte=on)
        .select_related("planting__zone", "planting__species")
        .order_by("due_on", "pk")
    )


def next_check_due(*, after: datetime.date) -> SurvivalCheck | None:
    """The first survival check not yet done that falls due after ``after``, or None."""
    return (
        SurvivalCheck.objects.filter(checked_on__isnull=True, due_on__gt=after)
        .select_related("planting__zone", "planting__species")
        .order_by("due_on", "pk")
        .first()
    )
