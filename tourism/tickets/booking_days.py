"""The booking page's days: each bookable day of the month on screen comes in the page with
its entry times and prices, so a tap on a day shows them without another request.

The month's availability is read anyway for the calendar, slots included, so the days cost
only the prices (two queries for the whole month). With the days in the page, a tourist
reaches an order in four requests: the booking page, the summary, the confirmation and the
order page. Without JavaScript the calendar's links still open each day as a page of its own.

The calendar, the entry times and the days' labels are drawn here rather than in the
template: a month holds some 500 entry times and 35 calendar cells, and the template engine,
resolving each variable and localising each number through the active language, took most
of the page's time drawing them. Every text goes through ``escape``; each count and date is
formatted once per distinct value.
"""

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from core.numbers import count, money
from tourism.models import TicketType

from .models import Slot
from .selectors import DayAvailability, prices_between


@dataclass
class BookingDay:
    date: datetime.date
    slots: list[Slot]
    prices: list[tuple[TicketType, Decimal]]
    options: str = ""

    @property
    def heading(self) -> str:
        """The day as the panel's heading says it (``2027年1月10日``)."""
        return long_date(self.date)

    @property
    def price_labels(self) -> str:
        """The day's price of each ticket type in the form's order, ``|``-separated, for the
        script to put beside the quantities."""
        return "|".join(money(price) if price else gettext("Free") for _type, price in self.prices)

    def slot_options(self, *, checked: str | None, enabled: bool) -> SafeString:
        """The day's entry times as radio buttons; those of a day not shown are disabled, so
        only the shown day's time is sent."""
        disabled = "" if enabled else " disabled"
        return mark_safe(
            "\n".join(
                f'<label class="slot-option"><input type="radio" name="slot" value="{slot.pk}"'
                f"{' checked' if str(slot.pk) == checked else ''}{disabled} required> "
                f'<span class="slot-option__time">{escape(slot.time_label)}</span> '
                f'<span class="slot-option__left">{left(slot.remaining)}</span></label>'
                for slot in self.slots
            )
        )


# Formatted once per value and language: many entry times have the same number of places
# left, and the page shows each day's date twice. Small, bounded caches.
@functools.lru_cache(maxsize=512)
def _left(places: int, language: str) -> str:
    text = ngettext("%(counter)s left", "%(counter)s left", places) % {"counter": count(places)}
    return escape(text)


def left(places: int) -> str:
    """``1,200 left``, escaped."""
    return _left(places, get_language())


@functools.lru_cache(maxsize=512)
def _long_date(day: datetime.date, language: str) -> str:
    return date_format(day, "DATE_FORMAT")


def long_date(day: datetime.date) -> str:
    return _long_date(day, get_language())


def _cell(day, *, today: datetime.date, selected: datetime.date | None) -> str:
    """One day of the calendar: a link when it can be booked, its state in words otherwise."""
    if day is None:
        return '<td class="is-outside"></td>'
    number = f'<span class="date-picker__day">{day.date.day}</span>'
    if day.date < today:
        return f'<td class="is-past"><span>{number}</span></td>'
    status = day.status
    if status in ("available", "few_left"):
        chosen = day.date == selected
        if status == "few_left":
            state = gettext("few left")
        else:
            state = ngettext("%(counter)s place", "%(counter)s", day.remaining) % {
                "counter": count(day.remaining)
            }
        iso = day.date.isoformat()
        selected_class, current = (" is-selected", ' aria-current="date"') if chosen else ("", "")
        return (
            f'<td class="is-{status}{selected_class}">'
            f'<a href="?date={iso}#tickets" data-day="{iso}"{current}>{number}'
            f'<span class="date-picker__status">{escape(state)}</span>'
            f'<span class="visually-hidden">{escape(long_date(day.date))}</span></a></td>'
        )
    state = {"sold_out": gettext("sold out"), "closed": gettext("closed")}.get(status, "—")
    return (
        f'<td class="is-{status}"><span>{number}'
        f'<span class="date-picker__status">{escape(state)}</span></span></td>'
    )


def calendar_rows(
    weeks: list[list], *, today: datetime.date, selected: datetime.date | None
) -> SafeString:
    """The calendar's weeks as table rows; ``weeks`` holds each day's availability, or None
    for a day outside the month."""
    return mark_safe(
        "\n".join(
            "<tr>" + "".join(_cell(day, today=today, selected=selected) for day in week) + "</tr>"
            for week in weeks
        )
    )


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
