"""What of the tickets the history of every change follows (see core/history.py).

An order's secret token and a slot's places taken are not followed (neither is
editable); an order's status moves are logged by the services that make them.
"""

from core import history

from .models import ClosedDay, Order, SeasonPrice, Slot, TicketType


def track_changes() -> None:
    for model in (TicketType, SeasonPrice, Slot, ClosedDay, Order):
        history.track(model)
