import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.phones import normalise_phone
from tourism.middleware import has_control_characters


def last_bookable_day(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=settings.TICKETS_BOOKING_HORIZON_DAYS)


def visit_date_from(value: str | None, *, today: datetime.date) -> datetime.date | None:
    """The day an ISO date (``2026-04-18``) names, when it is one a tourist may book.

    Anything else (not a date, a day gone, a day past the booking horizon, ``9999-12-31``)
    is None, so the booking page never computes with a date far from today.
    """
    try:
        day = datetime.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None
    if day is None or not today <= day <= last_bookable_day(today):
        return None
    return day


def visit_month_from(value: str | None, *, today: datetime.date) -> datetime.date | None:
    """The first day of the month ``2026-04`` names, when bookings may fall in it; else None."""
    try:
        first = datetime.date.fromisoformat(f"{value}-01") if value and len(value) == 7 else None
    except ValueError:
        return None
    if first is None or not today.replace(day=1) <= first <= last_bookable_day(today):
        return None
    return first


def refuse_control_characters(value: str) -> None:
    if has_control_characters(value):
        raise ValidationError(
            _("Please remove the control characters (such as tabs or line breaks)."),
            code="control_characters",
        )


class BookingForm(forms.Form):
    """The booking page's form; the service re-checks everything it says.

    ``slots`` are the bookable entry times of the chosen day: a slot of another day, one
    that is full or one that does not exist is refused here, before anything is held.
    """

    slot = forms.TypedChoiceField(
        label=_("Entry time"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _(
                "That entry time is not offered on this day any more; please choose one of the times shown."
            )
        },
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        validators=[refuse_control_characters],
        help_text=_(
            "A mainland mobile number, or another number starting with + and the country code."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=100,
        validators=[refuse_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_(
            "We will send your tickets to this email. Without one, keep the link of the page "
            "that shows your tickets, or find your tickets later by your phone number."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, ticket_types=(), slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket_types = list(ticket_types)
        self.fields["slot"].choices = [(s.pk, s.time_label) for s in slots]
        for ticket_type, _price in self.ticket_types:
            self.fields[f"qty_{ticket_type.pk}"] = forms.IntegerField(
                label=ticket_type.display_name,
                min_value=0,
                max_value=settings.TICKETS_MAX_PER_ORDER,
                initial=0,
                required=False,
            )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def quantity_fields(self):
        return [(self[f"qty_{t.pk}"], t, price) for t, price in self.ticket_types]

    def quantities(self) -> dict[int, int]:
        return {t.pk: self.cleaned_data.get(f"qty_{t.pk}") or 0 for t, _ in self.ticket_types}
