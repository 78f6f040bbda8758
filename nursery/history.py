"""What of the nursery the history of every change follows (see core/history.py).

A lot's on-hand and reserved figures are not followed: they are derived from the
stock ledger, whose every entry is followed itself.
"""

from core import history

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
)


def track_changes() -> None:
    for model in (
        StockLot,
        StockEntry,
        SpecimenTree,
        SpecimenMeasurement,
        Planting,
        SurvivalCheck,
        Reservation,
        Acquisition,
        AcquisitionLine,
        Species,
        Supplier,
        Customer,
    ):
        history.track(model)
