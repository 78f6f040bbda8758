from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class BookingForm(forms.Form):
    """The booking page's form; the service re-checks everything it says."""

    slot = forms.IntegerField(label=_("Entry time"), widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)
    email = forms.EmailField(label=_("Email"), help_text=_("Your tickets are sent here."))

    def __init__(self, *args, ticket_types=(), slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket_types = list(ticket_types)
        self.fields["slot"].widget = forms.RadioSelect(
            choices=[(s.pk, s.time_label) for s in slots]
        )
        for ticket_type, _price in self.ticket_types:
            self.fields[f"qty_{ticket_type.pk}"] = forms.IntegerField(
                label=ticket_type.display_name,
                min_value=0,
                max_value=settings.TICKETS_MAX_PER_ORDER,
                initial=0,
                required=False,
            )

    def quantity_fields(self):
        return [(self[f"qty_{t.pk}"], t, price) for t, price in self.ticket_types]

    def quantities(self) -> dict[int, int]:
        return {t.pk: self.cleaned_data.get(f"qty_{t.pk}") or 0 for t, _ in self.ticket_types}
