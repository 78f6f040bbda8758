"""What of the workforce the history of every change follows (see core/history.py).

ID numbers enter the log masked, as everywhere else they are shown.
"""

from core import history
from core.identity import mask_id_number

from .models import (
    Crew,
    Employment,
    Household,
    HouseholdStatus,
    LandLease,
    Rate,
    RentPayment,
    Task,
    Village,
    VillageGroup,
    Villager,
    WageBatch,
    WorkEntry,
)


def track_changes() -> None:
    history.track(Villager, masked={"id_number": mask_id_number})
    for model in (
        Village,
        VillageGroup,
        Household,
        HouseholdStatus,
        Employment,
        Task,
        Rate,
        Crew,
        WorkEntry,
        WageBatch,
        LandLease,
        RentPayment,
    ):
        history.track(model)
