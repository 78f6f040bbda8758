"""Entry slots that follow the park's opening hours (Settings → Site settings → Opening hours).

The first entry of a day is at opening time, and the last slot ends by closing time;
days marked closed get no slots.
"""

import datetime
from collections import defaultdict

from wagtail.models import Site


def opening_times() -> dict[int, tuple[datetime.time, datetime.time]]:
    """Weekday (Monday 0) → (opens, closes) of the default site; closed days are absent."""
    from tourism.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return {}
    settings = SiteSettings.for_site(site)
    if settings.pk is None:
        return {}
    return {
        row.weekday: (row.opens, row.closes)
        for row in settings.opening_hours.all()
        if not row.closed and row.opens and row.closes and row.opens < row.closes
    }


def first_entry_time() -> datetime.time | None:
    """The earliest opening time of the week, to offer as the first entry when opening slots."""
    times = opening_times()
    return min((opens for opens, _closes in times.values()), default=None)


def last_entry_time(*, every_minutes: int) -> datetime.time | None:
    """The latest start of a slot ``every_minutes`` long that still ends by closing time."""
    times = opening_times()
    closes = max((closes for _opens, closes in times.values()), default=None)
    if closes is None:
        return None
    moment = datetime.datetime.combine(datetime.date.min, closes)
    return (moment - datetime.timedelta(minutes=every_minutes)).time()


def slots_open_in_opening_hours(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    every_minutes: int,
    capacity: int,
) -> dict[str, int]:
    """Open slots every ``every_minutes`` from each day's opening time, ending by closing time.

    Weekdays with the same hours are opened together; returns the counts ``slots_open``
    gives, summed, with ``closed`` counting the dates of weekdays the park does not open.
    """
    from .services import slots_open

    by_hours: dict[tuple[datetime.time, datetime.time], set[int]] = defaultdict(set)
    for weekday, hours in opening_times().items():
        by_hours[hours].add(weekday)
    total = {"created": 0, "existing": 0, "closed": 0}
    step = datetime.timedelta(minutes=every_minutes)
    for (opens, closes), weekdays in sorted(by_hours.items()):
        last = (datetime.datetime.combine(date_from, closes) - step).time()
        if last < opens:
            continue
        result = slots_open(
            date_from=date_from,
            date_to=date_to,
            weekdays=weekdays,
            first_entry=opens,
            last_entry=last,
            every_minutes=every_minutes,
            capacity=capacity,
        )
        for key in total:
            total[key] += result[key]
    days = (date_to - date_from).days + 1
    open_weekdays = set().union(*by_hours.values()) if by_hours else set()
    total["closed"] += sum(
        1
        for n in range(days)
        if (date_from + datetime.timedelta(days=n)).weekday() not in open_weekdays
    )
    return total
