"""The booking page's days: each bookable day of the month on screen comes in the page with
its entry times and prices, so a tap on a day shows them without another request.

The month's availability is read anyway for the calendar, slots included, so the days cost
only the prices (two queries for the whole month). With the days in the page, a tourist
reaches an order in four requests: the booking page, the summary, the confirmation and the
order page. Without JavaScript the calendar's links still open each day as a page of its own.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from tourism.models import TicketType

from .models import Slot
from .selectors import DayAvailability, prices_between


@dataclass
class BookingDay:
    date: datetime.date
    slots: list[Slot]
    prices: list[tuple[TicketType, Decimal]]
    options: str = ""

    def slot_options(self, *, checked: str | None, enabled: bool) -> str:
        """The day's entry times as radio buttons; those of a day not shown are disabled, so
        only the shown day's time is sent.

        Built here rather than in the template: a month of the demo park holds some 500
        entry times, and the template engine took most of the page's time drawing them.
        """
        disabled = "" if enabled else " disabled"
        return mark_safe(
            "\n".join(
                f'<label class="slot-option"><input type="radio" name="slot" value="{slot.pk}"'
                f"{' checked' if str(slot.pk) == checked else ''}{disabled} required> "
                f'<span class="slot-option__time">{escape(slot.time_label)}</span> '
                f'<span class="slot-option__left">{escape(left(slot.remaining))}</span></label>'
                for slot in self.slots
            )
        )


def left(places: int) -> str:
    return ngettext("%(counter)s left", "%(counter)s left", places) % {"counter": places}


def booking_days(
    days: list[DayAvailability], *, selected: DayAvailability | None = None
) -> list[BookingDay]:
    """The days among ``days`` (and ``selected``, which may lie in another month) with an
    entry time left to book, in date order."""
    by_date = {day.date: day for day in days}
    if selected is not None:
        by_date.setdefault(selected.date, selected)
    bookable = sorted(
        (day for day in by_date.values() if any(slot.bookable for slot in day.slots)),
        key=lambda day: day.date,
    )
    if not bookable:
        return []
    prices = prices_between(bookable[0].date, bookable[-1].date)
    return [
        BookingDay(day.date, [slot for slot in day.slots if slot.bookable], prices[day.date])
        for day in bookable
    ]
