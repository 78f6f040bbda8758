"""Reads for the workforce screens: the named roster (花名册) and a wage batch's pay sheet.

Each is a fixed number of queries however many villagers or entries there are.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum

from core.identity import shown_id_number

from .models import (
    Employment,
    EmploymentKind,
    HouseholdStatus,
    PovertyStatus,
    Villager,
    WageBatch,
)
from .reports import work_by_villager


@dataclass
class RosterLine:
    villager_id: int
    name: str
    gender: str
    birth_year: int
    village: str
    group: str
    household: str
    poverty_status: str
    employment_type: str
    id_number: str
    phone: str
    days: int
    amount: Decimal


def roster(
    *, start: datetime.date, end: datetime.date, village: str | None = None, user=None
) -> list[RosterLine]:
    """Villagers who worked in the period, with their days and wages (花名册); three queries.

    Days and wages come from the same months of work as the job-creation report's.
    """
    totals = work_by_villager(start, end, village)
    status = (
        HouseholdStatus.objects.filter(household_id=OuterRef("household_id"), since__lte=end)
        .order_by("-since")
        .values("status")[:1]
    )
    kind = (
        Employment.objects.filter(villager_id=OuterRef("pk"), starts_on__lte=end)
        .order_by("-starts_on", "-pk")
        .values("kind")[:1]
    )
    villagers = (
        Villager.objects.filter(pk__in=list(totals))
        .annotate(
            status=Subquery(status),
            kind=Subquery(kind),
            village_name=F("household__group__village__name"),
            group_number=F("household__group__number"),
            household_code=F("household__code"),
        )
        .order_by(
            "household__group__village__code", "household__group__number", "household__code", "pk"
        )
    )
    statuses = dict(PovertyStatus.choices)
    kinds = dict(EmploymentKind.choices)
    genders = dict(Villager.Gender.choices)
    return [
        RosterLine(
            villager_id=v.pk,
            name=v.name,
            gender=str(genders.get(v.gender, v.gender)),
            birth_year=v.birth_year,
            village=v.village_name,
            group=str(v.group_number),
            household=v.household_code,
            poverty_status=str(statuses.get(v.status or PovertyStatus.NONE)),
            employment_type=str(kinds.get(v.kind, "—")),
            id_number=shown_id_number(v.id_number, user=user),
            phone=v.phone,
            days=totals[v.pk][0],
            amount=totals[v.pk][1],
        )
        for v in villagers
    ]


def pay_sheet(*, batch: WageBatch, user=None) -> list[RosterLine]:
    """A wage batch's lines, one per villager: days worked and amount due; two queries."""
    # Days are dates the batch pays the villager something for: a correction adds none.
    totals: dict[int, dict] = {}
    for villager_id, pay in (
        batch.entries.values("villager_id", "date")
        .annotate(pay=Sum("amount"))
        .values_list("villager_id", "pay")
        .order_by()
    ):
        row = totals.setdefault(villager_id, {"days": 0, "amount": Decimal("0")})
        row["days"] += 1 if pay > 0 else 0
        row["amount"] += pay
    villagers = (
        Villager.objects.filter(pk__in=list(totals))
        .select_related("household__group__village")
        .order_by(
            "household__group__village__code", "household__group__number", "household__code", "pk"
        )
    )
    genders = dict(Villager.Gender.choices)
    return [
        RosterLine(
            villager_id=v.pk,
            name=v.name,
            gender=str(genders.get(v.gender, v.gender)),
            birth_year=v.birth_year,
            village=v.household.group.village.name,
            group=str(v.household.group.number),
            household=v.household.code,
            poverty_status="",
            employment_type="",
            id_number=shown_id_number(v.id_number, user=user),
            phone=v.phone,
            days=totals[v.pk]["days"],
            amount=totals[v.pk]["amount"],
        )
        for v in villagers
    ]
