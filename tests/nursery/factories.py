"""Test factories for the nursery: species, zones, suppliers, customers; lots made by the service."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from nursery import services
from nursery.models import Customer, Species, Supplier, Zone


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Z{n}")
    name = factory.Sequence(lambda n: f"苗圃{n}区")
    name_en = factory.Sequence(lambda n: f"Nursery field {n}")
    area_mu = Decimal("100")
    use = Zone.Use.NURSERY_FIELD


class SpeciesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Species

    scientific_name = factory.Sequence(lambda n: f"Osmanthus fragrans var. {n}")
    name = factory.Sequence(lambda n: f"桂花{n}")
    name_en = factory.Sequence(lambda n: f"Sweet osmanthus {n}")
    family = "Oleaceae"
    form = Species.Form.TREE
    leaf_habit = Species.LeafHabit.EVERGREEN
    bloom_months = [9, 10]


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"成都温江苗木场{n}")
    province = "四川"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"蜀景园林工程有限公司{n}")


def days_ago(days: int, hour: int = 12) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


_lot_numbers = iter(range(1, 1_000_000))


def make_lot(quantity: int = 100, *, unit_cost="25.00", days=30, zone=None, species=None, **kwargs):
    """A lot opened by a purchase ``days`` ago, through ``lot_create``."""
    return services.lot_create(
        code=kwargs.pop("code", f"L{next(_lot_numbers):04d}"),
        species=species or SpeciesFactory(),
        zone=zone or ZoneFactory(),
        quantity=quantity,
        unit_cost=Decimal(unit_cost),
        received_at=days_ago(days),
        spec=kwargs.pop(
            "spec", {"stem_diameter_cm": Decimal("8"), "height_cm": 300, "crown_cm": 150}
        ),
        **kwargs,
    )
