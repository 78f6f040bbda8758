"""Forms for the nursery's service-backed writes; they validate input and leave the rules to services.py."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model

from core.crews import crew_choices
from core.numbers import count
from core.widgets import DateInput
from tourism.images import CheckedImageField

from .models import (
    Acquisition,
    Customer,
    Planting,
    Reservation,
    Species,
    SpecimenTree,
    StockLot,
    Supplier,
    SurvivalCheck,
    Zone,
)
from .services import NurseryError
from .validators import LOT_CODE_MAX_LENGTH, validate_code


def crew_field_choices():
    """The crews a planting can name, from the list under Workforce › Crews."""
    return crew_choices(str(_("No crew named")))


def apply_error(form: forms.Form, error: NurseryError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class LotChoiceField(forms.ModelChoiceField):
    """A lot by its code, species and size, with the plants it holds."""

    def label_from_instance(self, lot):
        return f"{lot.code} · {lot.species.name} · {lot.spec_label} ({count(self.shown(lot))})"

    def shown(self, lot) -> int:
        return lot.on_hand


class AvailableLotChoiceField(LotChoiceField):
    """A lot with what is left to sell: its plants not already reserved for a customer."""

    def shown(self, lot) -> int:
        return lot.available


class OutstandingReservationField(forms.ModelChoiceField):
    """A reservation by customer, project and lot, with what is still to be delivered."""

    def label_from_instance(self, reservation):
        project = f" · {reservation.project}" if reservation.project else ""
        return _("%(customer)s%(project)s · %(lot)s: %(n)s to deliver") % {
            "customer": reservation.customer,
            "project": project,
            "lot": reservation.lot.code,
            "n": count(reservation.outstanding),
        }


def lot_choices():
    return StockLot.objects.select_related("species").filter(on_hand__gt=0).order_by("code")


class StockMovementForm(forms.Form):
    """Propagation, loss, sale from free stock or a count, on one lot."""

    KINDS = [
        ("propagation", _("Propagation (plants added)")),
        ("loss", _("Loss (died, stolen, discarded)")),
        ("sale", _("Sale from free stock")),
        ("count", _("Stock count (the number counted)")),
    ]

    lot = LotChoiceField(label=_("Lot"), queryset=StockLot.objects.select_related("species"))
    kind = forms.ChoiceField(label=_("What happened"), choices=KINDS)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=1_000_000)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class ReservationForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.all())
    lot = AvailableLotChoiceField(
        label=_("Lot"), queryset=StockLot.objects.select_related("species")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)
    unit_price = forms.DecimalField(
        label=_("Unit price (CNY)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    project = forms.CharField(label=_("Project"), max_length=200, required=False)


class DeliveryForm(forms.Form):
    reservation = OutstandingReservationField(
        label=_("Reservation"),
        queryset=Reservation.objects.filter(status=Reservation.Status.OPEN).select_related(
            "customer", "lot"
        ),
    )
    quantity = forms.IntegerField(label=_("Quantity delivered"), min_value=1, max_value=1_000_000)
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=DateInput, initial=timezone.localdate
    )

    def clean_delivered_on(self):
        day = self.cleaned_data["delivered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class FieldPlantingForm(forms.Form):
    """The quick field form: a planting from a lot, in under a minute on a phone."""

    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.all())
    lot = LotChoiceField(label=_("From lot"), queryset=StockLot.objects.none())
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    planted_on = forms.DateField(
        label=_("Planted on"), widget=DateInput, initial=timezone.localdate
    )
    crew = forms.ChoiceField(
        label=_("Crew"),
        choices=crew_field_choices,
        required=False,
        help_text=Planting._meta.get_field("crew").help_text,
    )
    photo = CheckedImageField(label=_("Photo"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lot_choices()
        self.fields["photo"].widget.attrs.update({"accept": "image/*", "capture": "environment"})

    def clean_planted_on(self):
        day = self.cleaned_data["planted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if day < timezone.localdate() - datetime.timedelta(days=366):
            raise forms.ValidationError(_("Record plantings within a year of the day."))
        return day

    def save_photo(self, user):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return get_image_model().objects.create(
            title=str(_("Planting photo")), file=upload, uploaded_by_user=user
        )


class FieldCheckForm(forms.Form):
    """The quick field form: what a survival check found."""

    check = forms.ModelChoiceField(
        label=_("Survival check due"), queryset=SurvivalCheck.objects.none()
    )
    alive = forms.IntegerField(
        label=_("Alive"), min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    weak = forms.IntegerField(
        label=_("Weak"),
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    dead = forms.IntegerField(
        label=_("Dead"),
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    checked_on = forms.DateField(
        label=_("Checked on"), widget=DateInput, initial=timezone.localdate
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, checks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["check"].queryset = (
            checks if checks is not None else SurvivalCheck.objects.none()
        )
        self.fields["check"].label_from_instance = check_label


def check_label(check: SurvivalCheck) -> str:
    """A due survival check as the field form lists it: when, which planting, which check."""
    planting = check.planting
    return _(
        "Due %(due)s: %(zone)s %(species)s × %(quantity)s, planted %(planted)s "
        "(%(months)s-month check)"
    ) % {
        "due": date_format(check.due_on, "DATE_FORMAT"),
        "zone": planting.zone.code,
        "species": planting.species.name,
        "quantity": count(planting.quantity),
        "planted": date_format(planting.planted_on, "DATE_FORMAT"),
        "months": check.months_after,
    }


class ImportForm(forms.Form):
    KINDS = [("lots", _("Stock lots")), ("trees", _("Specimen trees"))]

    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS)
    file = forms.FileField(label=_("CSV file (UTF-8)"))
    dry_run = forms.BooleanField(
        label=_("Dry run: check every row and show the preview, save nothing"),
        required=False,
        initial=True,
    )


class AcquisitionForm(forms.Form):
    """A purchase: supplier, origin, date and the costs spread over its lines."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        help_text=_("The supplier's invoice or contract number."),
    )
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.all())
    origin_province = forms.CharField(label=_("Origin province"), max_length=40, required=False)
    acquired_on = forms.DateField(
        label=_("Bought on"), widget=DateInput, initial=timezone.localdate
    )
    transport_cost = forms.DecimalField(
        label=_("Transport (CNY)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    crane_cost = forms.DecimalField(
        label=_("Crane (CNY)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    root_ball_cost = forms.DecimalField(
        label=_("Root-balling (CNY)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    allocation = forms.ChoiceField(
        label=_("Spread the extra costs"), choices=Acquisition.Allocation.choices
    )

    def clean_acquired_on(self):
        day = self.cleaned_data["acquired_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class AcquisitionLineForm(forms.Form):
    """One line: a new lot (code and zone) or tagged specimen trees (one tag a tree)."""

    species = forms.ModelChoiceField(label=_("Species"), queryset=Species.objects.all())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)
    unit_price = forms.DecimalField(
        label=_("Unit price (CNY)"), min_value=0, max_digits=12, decimal_places=2
    )
    lot_code = forms.CharField(
        label=_("New lot code"),
        max_length=LOT_CODE_MAX_LENGTH,
        required=False,
        validators=[validate_code],
    )
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.all(), required=False)
    stem_diameter_cm = forms.DecimalField(
        label=_("Stem diameter (cm)"), min_value=0, max_digits=6, decimal_places=1, required=False
    )
    height_cm = forms.DecimalField(
        label=_("Height H (cm)"), min_value=0, max_digits=7, decimal_places=1, required=False
    )
    crown_cm = forms.DecimalField(
        label=_("Crown P (cm)"), min_value=0, max_digits=7, decimal_places=1, required=False
    )
    specimen_tags = forms.CharField(
        label=_("Specimen tree tags"),
        required=False,
        help_text=_(
            "For individually tagged trees: one tag per tree, separated by spaces or commas."
        ),
    )

    def clean_specimen_tags(self):
        raw = self.cleaned_data.get("specimen_tags") or ""
        tags = [tag for tag in raw.replace(",", " ").replace("，", " ").split() if tag]
        field = SpecimenTree._meta.get_field("tag")
        errors = []
        for tag in tags:
            try:
                field.clean(tag, None)
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return tags


AcquisitionLineFormSet = forms.formset_factory(
    AcquisitionLineForm, extra=3, min_num=1, validate_min=True, max_num=200
)


class TreeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, tree):
        return f"{tree.tag} · {tree.species.name}"


class FieldLocationForm(forms.Form):
    """The quick field form: where a specimen tree stands, from the phone's GPS."""

    tree = TreeChoiceField(
        label=_("Tree"),
        queryset=SpecimenTree.objects.exclude(status__in=SpecimenTree.GONE)
        .select_related("species")
        .order_by("tag"),
        to_field_name="tag",
    )
    # Filled in by js/field-gps.js from the phone's position.
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if any(data.get(name) is None for name in ("lon", "lat", "accuracy_m")):
            raise forms.ValidationError(
                _("Tap “Use my location” and wait for the position before saving.")
            )
        return data
