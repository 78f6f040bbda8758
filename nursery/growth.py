"""A specimen tree's growth as small line charts, drawn on the server as SVG.

``growth_charts`` turns a tree's measurements (oldest first) into one chart per measure
that was taken at least twice (height, crown, stem diameter) and the rows of the table
that carries the same figures for screen readers and for anyone who wants the numbers.
Each chart has its own scale; the values axis starts a little below the smallest value
so that a year's growth shows, and lines mark the smallest and largest values.
The template ``nursery/includes/growth.html`` draws them.
"""

import datetime
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The gallery's pictures (nursery/includes/tree_gallery.html): a thumbnail in WebP with a
# JPEG fallback, and the larger JPEG it links to. Spelled as the template's tags spell them.
GALLERY_RENDITIONS = [
    "format-webp|fill-320x240",
    "format-jpeg|fill-320x240",
    "max-1200x900|format-jpeg",
]

WIDTH, HEIGHT = 320, 130
LEFT, RIGHT, TOP, BOTTOM = 44, 14, 12, 26

# (attribute, title, unit word, divisor from centimetres): all in cm, as the passport and the
# nursery's spec write them.
MEASURES = [
    (
        "height_cm",
        pgettext_lazy("of a tree", "Height"),
        pgettext_lazy("unit of length", "cm"),
        Decimal(1),
    ),
    ("crown_cm", _("Crown spread"), pgettext_lazy("unit of length", "cm"), Decimal(1)),
    ("stem_diameter_cm", _("Stem diameter"), pgettext_lazy("unit of length", "cm"), Decimal(1)),
]


def shown(value: Decimal, unit) -> str:
    """A figure with its unit in the reader's language: 650 cm / 650 厘米."""
    return _("%(value)s %(unit)s") % {"value": number_format(value, use_l10n=True), "unit": unit}


def _figure(raw, divisor: Decimal) -> Decimal | None:
    if raw is None or raw == "":
        return None
    value = Decimal(raw) / divisor
    return value.quantize(Decimal("0.01")).normalize() if value % 1 else value.quantize(Decimal(1))


def _scale(low: Decimal, high: Decimal) -> tuple[Decimal, Decimal]:
    """Axis ends: from a little below the smallest value to a little above the largest."""
    spread = high - low or high or Decimal(1)
    bottom = max(Decimal(0), low - spread * Decimal("0.25"))
    top = high + spread * Decimal("0.1")
    return bottom, top


def _x(day: datetime.date, first: datetime.date, last: datetime.date) -> float:
    span = (last - first).days
    inner = WIDTH - LEFT - RIGHT
    if span == 0:
        return LEFT + inner / 2
    return round(LEFT + inner * (day - first).days / span, 1)


def _y(value: Decimal, bottom: Decimal, top: Decimal) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return round(TOP + inner * float((top - value) / (top - bottom)), 1)


def growth_charts(measurements) -> dict | None:
    """Charts and table rows for ``measurements`` (oldest first); None when there are fewer than two."""
    measurements = list(measurements)
    if len(measurements) < 2:
        return None
    # A measure never taken has no column in the table.
    taken = [
        measure
        for measure in MEASURES
        if any(getattr(m, measure[0]) is not None for m in measurements)
    ]
    rows = [
        {
            "date": m.measured_on,
            "values": [
                ""
                if (value := _figure(getattr(m, attr), divisor)) is None
                else number_format(value)
                for attr, _title, _unit, divisor in taken
            ],
            "stem_measured_at": m.stem_measured_at,
        }
        for m in measurements
    ]
    charts = []
    for attr, title, unit, divisor in MEASURES:
        series = [
            (m.measured_on, value)
            for m in measurements
            if (value := _figure(getattr(m, attr), divisor)) is not None
        ]
        if len(series) < 2:
            continue
        first, last = series[0][0], series[-1][0]
        low, high = min(v for _d, v in series), max(v for _d, v in series)
        bottom, top = _scale(low, high)
        points = [
            {
                "x": _x(day, first, last),
                "y": _y(value, bottom, top),
                "date": day,
                "shown": shown(value, unit),
            }
            for day, value in series
        ]
        charts.append(
            {
                "key": attr,
                "title": title,
                "unit": unit,
                "heading": _("%(title)s (%(unit)s)") % {"title": title, "unit": unit},
                "points": points,
                "line": " ".join(f"{p['x']},{p['y']}" for p in points),
                # Lines at the smallest and largest measured values, labelled with them exactly.
                "ticks": [
                    {"y": _y(value, bottom, top), "label": number_format(value)}
                    for value in sorted({low, high})
                ],
                "first_label": date_format(first, "Y-m"),
                "last_label": date_format(last, "Y-m"),
                "summary": _("%(title)s: %(first)s on %(first_on)s, %(last)s on %(last_on)s")
                % {
                    "title": title,
                    "first": points[0]["shown"],
                    "first_on": date_format(first, "Y-m-d"),
                    "last": points[-1]["shown"],
                    "last_on": date_format(last, "Y-m-d"),
                },
            }
        )
    return {
        "charts": charts,
        "rows": rows,
        "headings": [_("%(title)s (%(unit)s)") % {"title": t, "unit": u} for _a, t, u, _d in taken],
        "stem_at": measurements[-1].stem_measured_at or "1.3",
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_edge": WIDTH - RIGHT,
        "axis_y": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 8,
    }
