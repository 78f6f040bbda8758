"""A set of calendar months stored as a 12-bit mask.

Bloom months are asked of the database ("what is in bloom in April?") on every
home page view; a bit mask answers that with one indexed-friendly integer test
that SQLite and PostgreSQL both support, where a JSON list would not.
"""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

MONTH_CHOICES = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]
ALL_MONTHS = range(1, 13)


def month_bit(month: int) -> int:
    """The bit that stands for ``month`` (1–12) in a mask."""
    if month not in ALL_MONTHS:
        raise ValueError(f"month must be 1–12, not {month!r}")
    return 1 << (month - 1)


def months_to_mask(months) -> int:
    mask = 0
    for month in months:
        mask |= month_bit(int(month))
    return mask


def mask_to_months(mask: int) -> list[int]:
    return [m for m in ALL_MONTHS if mask & month_bit(m)]


class MonthSetFormField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.setdefault("choices", MONTH_CHOICES)
        kwargs["coerce"] = int
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return mask_to_months(value)
        return value


class MonthSetField(models.PositiveSmallIntegerField):
    """Months of the year; the Python value is a sorted list of month numbers."""

    description = _("Months of the year")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    @property
    def validators(self):
        # The integer range validators of the parent would compare a list with an int.
        return list(self._validators)

    def from_db_value(self, value, expression, connection):
        return mask_to_months(value or 0)

    def to_python(self, value):
        if isinstance(value, list | tuple | set):
            return sorted({int(v) for v in value})
        if value in (None, ""):
            return []
        if isinstance(value, str):
            # value_to_string()'s form, as found in serialized revisions: "4,5,11" or "3".
            return sorted({int(v) for v in value.split(",") if v.strip()})
        return mask_to_months(int(value))

    def get_prep_value(self, value):
        if isinstance(value, list | tuple | set):
            return months_to_mask(value)
        return super().get_prep_value(value)

    def value_to_string(self, obj):
        return ",".join(str(m) for m in self.value_from_object(obj))

    def formfield(self, **kwargs):
        return MonthSetFormField(
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
        )

    def validate(self, value, model_instance):
        for month in value or []:
            if month not in ALL_MONTHS:
                raise forms.ValidationError(_("%(month)s is not a month.") % {"month": month})


def month_name(month: int) -> str:
    return str(dict(MONTH_CHOICES)[month])


def months_label(months) -> str:
    """Months as a person writes them: runs collapsed ("April–November", "December–February")."""
    chosen = sorted(set(months))
    if not chosen:
        return ""
    if len(chosen) == 12:
        return str(_("all year"))
    # Start from a month that follows a gap, so a run across the new year stays whole.
    start = next(m for m in chosen if (m - 2) % 12 + 1 not in chosen)
    ordered = [(start - 1 + i) % 12 + 1 for i in range(12)]
    runs: list[list[int]] = []
    for month in ordered:
        if month not in chosen:
            continue
        if runs and (runs[-1][-1] % 12) + 1 == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    parts = [
        month_name(run[0]) if len(run) == 1 else f"{month_name(run[0])}–{month_name(run[-1])}"
        for run in runs
    ]
    return pgettext("separator between items of a list", ", ").join(parts)


def blooming_in(month: int, field: str = "bloom_months") -> models.Q:
    """A filter for rows whose month set contains ``month``."""
    return models.Q(
        models.lookups.GreaterThan(
            models.ExpressionWrapper(
                models.F(field).bitand(month_bit(month)), output_field=models.IntegerField()
            ),
            0,
        )
    )
