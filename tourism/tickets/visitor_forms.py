"""The booking page's visitor rows: one per ticket, grouped by ticket type, no JavaScript needed.

The rows follow the quantities chosen on the first step: the summary page renders
them and the confirmation posts them back. Each row checks its document at once, so
the page says which visitor is wrong and why; the booking service checks them again
(ages, one ticket per ID per date) and its refusal lands on the row it names.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.identity import DocumentType, validate_document
from tourism.models import TicketType

from .forms import refuse_control_characters
from .realname import VisitorError, VisitorIn


class VisitorForm(forms.Form):
    """One visitor: full name, the kind of document and its number."""

    name = forms.CharField(
        label=_("Full name"),
        max_length=100,
        validators=[refuse_control_characters],
        help_text=_("As on the document."),
    )
    document_type = forms.ChoiceField(
        label=pgettext_lazy("identity document", "Document"),
        choices=DocumentType.choices,
        initial=DocumentType.ID_CARD,
    )
    number = forms.CharField(
        label=_("Document number"), max_length=40, validators=[refuse_control_characters]
    )

    def __init__(self, *args, ticket_type: TicketType, position: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket_type = ticket_type
        self.position = position

    def clean(self):
        cleaned = super().clean()
        document_type, number = cleaned.get("document_type"), cleaned.get("number")
        if document_type and number:
            try:
                cleaned["number"] = validate_document(document_type, number)
            except ValidationError as error:
                self.add_error("number", error)
        return cleaned

    def visitor_in(self) -> VisitorIn:
        return VisitorIn(
            ticket_type_id=self.ticket_type.pk,
            name=self.cleaned_data["name"],
            document_type=self.cleaned_data["document_type"],
            number=self.cleaned_data["number"],
        )


def visitor_forms(data, lines: list[tuple[TicketType, int]]) -> list[VisitorForm]:
    """A row per ticket, in the order of ``lines``; bound to ``data`` when it is given."""
    rows = []
    for ticket_type, quantity in lines:
        for n in range(quantity):
            rows.append(
                VisitorForm(
                    data,
                    ticket_type=ticket_type,
                    position=len(rows) + 1,
                    prefix=f"visitor-{ticket_type.pk}-{n}",
                )
            )
    return rows


def visitor_groups(rows: list[VisitorForm]) -> list[tuple[TicketType, list[VisitorForm]]]:
    """The rows under their ticket type, for headings on the page."""
    groups: list[tuple[TicketType, list[VisitorForm]]] = []
    for row in rows:
        if not groups or groups[-1][0].pk != row.ticket_type.pk:
            groups.append((row.ticket_type, []))
        groups[-1][1].append(row)
    return groups


def show_refusal(rows: list[VisitorForm], error: VisitorError) -> bool:
    """Put the service's refusal on the row it names; False when it names none."""
    if error.index is None or not 0 <= error.index < len(rows):
        return False
    row = rows[error.index]
    row.add_error(error.part if error.part in row.fields else "number", error.message)
    return True
