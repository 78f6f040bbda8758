"""Forms of the group booking pages; ``groups.py`` re-checks everything they say."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.identity import DocumentType

from .forms import refuse_control_characters

# Blank rows offered on the visitor list page at a time.
LIST_FORM_ROWS = 5


class GroupBookingForm(forms.Form):
    """The group leader books for the whole group: who leads, which agency, how many, when."""

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
    people = forms.IntegerField(
        label=_("Number of people"),
        min_value=1,
        max_value=1000,
        help_text=_("Everyone in the group, the leader included."),
    )
    leader_name = forms.CharField(
        label=_("Group leader's full name"), max_length=100, validators=[refuse_control_characters]
    )
    leader_phone = forms.CharField(
        label=_("Group leader's mobile phone"),
        max_length=30,
        validators=[refuse_control_characters],
        help_text=_(
            "A mainland mobile number, or another number starting with + and the country code."
        ),
    )
    leader_document_type = forms.ChoiceField(
        label=_("Group leader's document"), choices=DocumentType.choices
    )
    leader_number = forms.CharField(
        label=_("Document number"), max_length=40, validators=[refuse_control_characters]
    )
    leader_email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_(
            "The confirmation is sent here; the order page's link is shown after booking either way."
        ),
    )
    agency = forms.CharField(
        label=_("Travel agency (optional)"),
        max_length=200,
        required=False,
        validators=[refuse_control_characters],
    )
    agency_licence = forms.CharField(
        label=_("Travel agency licence number"),
        max_length=50,
        required=False,
        validators=[refuse_control_characters],
        help_text=_("Required when a travel agency is given."),
    )
    pay = forms.ChoiceField(
        label=_("Payment"),
        widget=forms.RadioSelect,
        choices=[("online", _("Pay online now")), ("gate", _("Pay at the gate on the day"))],
        initial="online",
    )

    def __init__(self, *args, slots=(), online=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(s.pk, s.time_label) for s in slots]
        if not online:
            # Nothing to choose: the park takes payment at the gate.
            del self.fields["pay"]


class VisitorRowForm(forms.Form):
    """One visitor of the list typed on the page."""

    name = forms.CharField(
        label=_("Full name"), max_length=100, required=False, validators=[refuse_control_characters]
    )
    document_type = forms.ChoiceField(
        label=pgettext_lazy("identity document", "Document"),
        choices=DocumentType.choices,
        initial=DocumentType.ID_CARD,
    )
    number = forms.CharField(
        label=_("Document number"),
        max_length=40,
        required=False,
        validators=[refuse_control_characters],
    )

    def has_visitor(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("name") or data.get("number"))


VisitorRowFormSet = forms.formset_factory(VisitorRowForm, extra=LIST_FORM_ROWS, max_num=50)


class VisitorSheetForm(forms.Form):
    sheet = forms.FileField(
        label=_("Visitor list (.xlsx or .csv)"),
        help_text=_("Columns 姓名 (name), 证件类型 (document type), 证件号码 (document number)."),
    )
