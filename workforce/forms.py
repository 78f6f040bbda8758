"""Forms of the workforce screens: choosing a report's period and village, a crew's day of work."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.widgets import DateInput
from nursery.models import Planting, Zone

from .models import Basis, Crew, Task, Village
from .reports import period_bounds

# "Q2" in English, "第2季度" in Chinese; worded when the form is shown, in its reader's language.
quarter_label = lazy(lambda n: _("Q%(n)s") % {"n": n}, str)

PERIODS = [
    ("year", gettext_lazy("Year")),
    ("income_year", gettext_lazy("Income year (October–September)")),
    ("quarter", gettext_lazy("Quarter")),
    ("month", gettext_lazy("Month")),
    ("custom", gettext_lazy("Custom dates")),
]
DATE = DateInput()
# The inputs each kind of period reads; the others are hidden on the page and ignored here.
PERIOD_INPUTS = {
    "year": ("year",),
    "income_year": ("year",),
    "quarter": ("year", "quarter"),
    "month": ("year", "month"),
    "custom": ("start", "end"),
}
PERIOD_FIELDS = {"year", "quarter", "month", "start", "end"}


class ReportForm(forms.Form):
    """The period and village of a report; ``clean`` leaves ``start`` and ``end`` in the data."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, initial="year")
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"),
        choices=[(n, quarter_label(n)) for n in range(1, 5)],
        coerce=int,
        required=False,
    )
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        choices=[(n, n) for n in range(1, 13)],
        coerce=int,
        required=False,
    )
    start = forms.DateField(
        label=pgettext_lazy("start of a date range", "From"), required=False, widget=DATE
    )
    end = forms.DateField(label=gettext_lazy("To (inclusive)"), required=False, widget=DATE)
    village = forms.ModelChoiceField(
        label=gettext_lazy("Village"),
        queryset=Village.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All villages"),
    )

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        defaults = {
            "period": "year",
            "year": today.year,
            "quarter": (today.month - 1) // 3 + 1,
            "month": today.month,
        }
        given = {k: v for k, v in (data or {}).items() if v not in ("", None)}
        period = given.get("period", defaults["period"])
        # Only the inputs of the chosen kind of period count: a month or a date left in the
        # query from another kind neither changes the report nor makes it an error.
        if period in PERIOD_INPUTS:
            for name in PERIOD_FIELDS - set(PERIOD_INPUTS[period]):
                given.pop(name, None)
        super().__init__({**defaults, **given}, **kwargs)
        self.chosen_inputs = PERIOD_INPUTS.get(period, PERIOD_INPUTS["year"])
        self.fields["year"].required = "year" in self.chosen_inputs

    def fields_shown(self) -> list[tuple]:
        """Each field with the kinds of period it belongs to ("" for always) and whether it is shown now.

        The page hides the inputs the chosen kind does not read; a script shows the right
        ones as soon as the kind changes, and without it the next "Show" does.
        """
        rows = []
        for name in self.fields:
            kinds = " ".join(k for k, names in PERIOD_INPUTS.items() if name in names)
            rows.append(
                (self[name], kinds, name not in PERIOD_FIELDS or name in self.chosen_inputs)
            )
        return rows

    def clean(self):
        data = super().clean()
        period, year = data.get("period"), data.get("year")
        if not period:
            return data
        if period == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of a custom period."))
            if end < start:
                self.add_error("end", _("The last date must not be before the first."))
            elif (end - start).days > 366 * 5:
                self.add_error("end", _("A report covers at most five years."))
            return data
        if not year:
            return data
        number = {"quarter": data.get("quarter"), "month": data.get("month")}.get(period)
        if period in ("quarter", "month") and not number:
            self.add_error(period, _("Choose which one."))
            return data
        data["start"], data["end"] = period_bounds(period, year, number)
        return data

    @property
    def village_code(self) -> str | None:
        village = self.cleaned_data.get("village")
        return village.code if village else None


class CrewDayForm(forms.Form):
    """One crew's day: date, task, basis and, for each villager present, the quantity done."""

    # Today, as the manager mostly records the day's work at its end.
    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE, initial=timezone.localdate)
    task = forms.ModelChoiceField(
        label=pgettext_lazy("kind of work", "Task"), queryset=Task.objects.all()
    )
    basis = forms.ChoiceField(label=gettext_lazy("Basis"), choices=Basis.choices, initial=Basis.DAY)
    crew = forms.ModelChoiceField(
        label=gettext_lazy("Crew"), queryset=Crew.objects.all(), required=False
    )
    zone = forms.ModelChoiceField(
        label=gettext_lazy("Zone"), queryset=Zone.objects.all(), required=False
    )
    planting = forms.ModelChoiceField(
        label=gettext_lazy("Planting"),
        queryset=Planting.objects.select_related("zone", "species").order_by("-planted_on", "-pk"),
        required=False,
        help_text=gettext_lazy("When the crew planted: the entries are that planting's work."),
    )

    def __init__(self, *args, villagers, **kwargs):
        super().__init__(*args, **kwargs)
        self.villagers = list(villagers)
        for villager in self.villagers:
            self.fields[f"q_{villager.pk}"] = forms.DecimalField(
                label=villager.name,
                required=False,
                min_value=Decimal("0.01"),
                max_digits=10,
                decimal_places=2,
                help_text=villager.household.code,
            )

    def villager_fields(self):
        return [self[f"q_{v.pk}"] for v in self.villagers]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError(_("Work cannot be recorded for a future date."))
        return date

    def clean(self):
        data = super().clean()
        data["quantities"] = {
            v.pk: data[f"q_{v.pk}"] for v in self.villagers if data.get(f"q_{v.pk}") is not None
        }
        if not self.errors and not data["quantities"]:
            raise forms.ValidationError(
                _("Enter a quantity for at least one villager who was present.")
            )
        return data


class CorrectionForm(forms.Form):
    """A correction of a locked work entry: the change in quantity and in money, and why."""

    quantity_change = forms.DecimalField(
        label=gettext_lazy("Change in quantity"),
        max_digits=10,
        decimal_places=2,
        initial=Decimal("0"),
        help_text=gettext_lazy("Negative to take work away; 0 when only the amount was wrong."),
    )
    amount_change = forms.DecimalField(
        label=gettext_lazy("Change in amount (CNY)"),
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy(
            "Negative when the villager was paid too much: a later batch recovers it."
        ),
    )
    note = forms.CharField(label=gettext_lazy("Reason for the correction"), max_length=200)
