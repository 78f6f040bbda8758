"""Record a planting in the admin (Nursery › Plantings › Add planting).

The page at ``/admin/nursery/plantings/new/`` (also reached as ``…/add/``) records a
planting from a lot or of specimen trees, or a replacement of a check's losses, through
``services.planting_record`` and its checks: stock on hand, the date, one species at a
time, trees neither dead nor sold, the crew from the crews list. A refusal is shown on
the form and nothing is saved. Plantings are never edited in a generic form: what was
planted is a log, corrected by the ledger.
"""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.widgets import DateInput

from .admin_views import NurseryFormView
from .forms import CheckedImageField, LotChoiceField, crew_field_choices, lot_choices
from .models import SpecimenTree, SurvivalCheck, Zone
from .services import planting_record


class PlantingForm(forms.Form):
    """A planting: where, when, from which lot (or which specimen trees), how many, by which crew."""

    planted_on = forms.DateField(
        label=gettext_lazy("Planted on"), widget=DateInput, initial=timezone.localdate
    )
    zone = forms.ModelChoiceField(label=gettext_lazy("Zone"), queryset=Zone.objects.all())
    lot = LotChoiceField(
        label=gettext_lazy("From lot"),
        queryset=lot_choices(),
        required=False,
        help_text=gettext_lazy("Plant either from a lot or specimen trees."),
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"),
        min_value=1,
        max_value=100_000,
        required=False,
        help_text=gettext_lazy("From a lot: how many plants. Specimen trees count themselves."),
    )
    specimens = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Specimen trees"),
        queryset=SpecimenTree.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    crew = forms.ChoiceField(
        label=gettext_lazy("Crew"),
        choices=crew_field_choices,
        required=False,
        help_text=gettext_lazy("The crews are listed under Workforce › Crews."),
    )
    replaces = forms.ModelChoiceField(
        label=gettext_lazy("Replaces the losses of"),
        queryset=SurvivalCheck.objects.none(),
        required=False,
        help_text=gettext_lazy("A survival check that found dead plants, when this replaces them."),
    )
    photo = CheckedImageField(label=gettext_lazy("Photo"), required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lot_choices()
        self.fields["specimens"].queryset = (
            SpecimenTree.objects.exclude(
                status__in=(SpecimenTree.Status.DEAD, SpecimenTree.Status.SOLD)
            )
            .select_related("species")
            .order_by("tag")
        )
        self.fields["specimens"].label_from_instance = lambda t: f"{t.tag} · {t.species.name}"
        self.fields["replaces"].queryset = (
            SurvivalCheck.objects.filter(checked_on__isnull=False, dead__gt=0)
            .select_related("planting__zone", "planting__species")
            .order_by("-due_on", "-pk")
        )
        self.fields["replaces"].label_from_instance = lambda c: (
            _("%(date)s · %(zone)s · %(species)s: %(dead)s dead")
            % {
                "date": c.checked_on.isoformat(),
                "zone": c.planting.zone.code,
                "species": c.planting.species.name,
                "dead": c.dead,
            }
        )

    def clean_planted_on(self):
        day = self.cleaned_data["planted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("lot") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("Say how many plants from the lot."))
        return data


class PlantingCreateView(NurseryFormView):
    """Add planting: the form above, recorded by the service; 403 without ``nursery.add_planting``."""

    form_class = PlantingForm
    page_title = gettext_lazy("Record a planting")
    header_icon = "pick"
    permission = "nursery.add_planting"
    submit_label = gettext_lazy("Record planting")

    def get_initial(self):
        return {"lot": self.request.GET.get("lot"), "zone": self.request.GET.get("zone")}

    def form_valid(self, form):
        self.photo = None
        response = super().form_valid(form)
        if form.errors and self.photo is not None:
            # The planting was refused: the photo uploaded with it goes too.
            self.photo.delete()
        return response

    def perform(self, data):
        upload = data.get("photo")
        if upload:
            from wagtail.images import get_image_model

            self.photo = get_image_model().objects.create(
                title=_("Planting photo"), file=upload, uploaded_by_user=self.request.user
            )
        planting = planting_record(
            planted_on=data["planted_on"],
            zone=data["zone"],
            lot=data.get("lot"),
            quantity=data.get("quantity"),
            specimens=list(data.get("specimens") or ()),
            crew=data.get("crew") or "",
            photo=self.photo,
            replaces=data.get("replaces"),
            notes=data.get("notes") or "",
            user=self.request.user,
        )
        return _("Planting recorded: %(planting)s.") % {"planting": planting}, reverse(
            "nursery_planting:index"
        )
