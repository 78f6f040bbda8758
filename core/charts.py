"""Month-by-month bar charts, drawn in HTML and CSS so they read on a phone and print sharply.

``month_bars`` turns ``(month, value)`` pairs into bars with their height, their figure
and a month label in the reader's language (三月 / Mar); the year is written under
the first month and under every January, so a period across two years reads right.
The template ``core/month_bars.html`` draws them.
"""

import datetime

from django.utils.formats import date_format

from . import numbers


def month_bars(values: list[tuple[datetime.date, object]], *, kind: str = "count") -> dict:
    """Bars for a chart: one per month, each with ``label``, ``year`` (or ""), ``value``, ``shown``, ``height`` (% of the peak)."""
    peak = max((value or 0 for _month, value in values), default=0) or 1
    show = numbers.money if kind == "money" else numbers.count
    bars = []
    for index, (month, value) in enumerate(values):
        value = value or 0
        bars.append(
            {
                "month": month,
                "label": date_format(month, "M"),
                "year": str(month.year) if index == 0 or month.month == 1 else "",
                "value": value,
                "shown": show(value),
                "height": round(float(value) / float(peak) * 100, 1),
            }
        )
    return {"bars": bars, "peak": peak, "peak_shown": show(peak if values else 0)}
