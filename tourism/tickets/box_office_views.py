"""The box office's pages: sell at ``/gate/sell/``, the sale with its slips, the day's takings.

Selling needs the ``sell_at_box_office`` permission (the Gate staff role holds it); the
takings report is open to the sellers and to staff who read orders. Each view checks
on the server, whatever the menus show.
"""

import datetime
import uuid

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import HeaderButton

from core.reports import ColumnsExportMixin, FigureColumn
from core.widgets import DateInput

from .box_office import (
    SELL_PERMISSION,
    box_office_default_slot,
    box_office_sell,
    box_office_slots,
    box_office_takings,
    gate_today,
)
from .gate import noindex, staff_with
from .models import Order, Payment
from .selectors import prices_on
from .services import BookingError
from .signing import ticket_payload
from .views import qr_svg

TAKINGS_PERMISSIONS = (SELL_PERMISSION, "tourism.view_order")
PAPER_WIDTHS = ("58", "80")


def can_see_takings(user) -> bool:
    return any(user.has_perm(permission) for permission in TAKINGS_PERMISSIONS)


_sellers_only = staff_with(SELL_PERMISSION)


class SaleForm(forms.Form):
    """Today's slot, a quantity per ticket type, how the visitor pays, and what happens next."""

    ADMIT, PRINT = "admit", "print"

    slot = forms.TypedChoiceField(label=gettext_lazy("Entry time"), coerce=int)
    method = forms.ChoiceField(
        label=gettext_lazy("Paid by"),
        choices=Payment.Method.choices,
        initial=Payment.Method.CASH,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=gettext_lazy("Transaction number"),
        max_length=64,
        required=False,
        help_text=gettext_lazy(
            "For WeChat Pay and Alipay: the transaction number on the payment receipt."
        ),
    )
    then = forms.ChoiceField(
        label=gettext_lazy("Then"),
        choices=[
            (ADMIT, gettext_lazy("Admit them now")),
            (PRINT, gettext_lazy("Print QR slips")),
        ],
        initial=ADMIT,
        widget=forms.RadioSelect,
    )
    sale_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, slots, prices, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot_list = slots
        self.fields["slot"].choices = [(s.pk, s.time_label) for s in slots]
        default = box_office_default_slot(slots)
        if default is not None:
            self.fields["slot"].initial = default.pk
        self.fields["sale_key"].initial = uuid.uuid4().hex
        self.prices = prices
        for ticket_type, _price in prices:
            self.fields[f"qty_{ticket_type.pk}"] = forms.IntegerField(
                label=ticket_type.display_name,
                min_value=0,
                max_value=settings.TICKETS_MAX_PER_ORDER,
                initial=0,
                required=False,
            )

    def quantity_rows(self):
        return [
            {"field": self[f"qty_{t.pk}"], "type": t, "price": price} for t, price in self.prices
        ]

    def slot_rows(self):
        return [
            {"slot": s, "checked": str(s.pk) == str(self["slot"].value())} for s in self.slot_list
        ]

    def quantities(self) -> dict[int, int]:
        return {t.pk: self.cleaned_data.get(f"qty_{t.pk}") or 0 for t, _price in self.prices}


@never_cache
@require_http_methods(["GET", "POST"])
@_sellers_only
def sell(request):
    """The box office: pick quantities, take the money, admit or print."""
    now = timezone.now()
    slots = box_office_slots(now=now)
    prices = prices_on(timezone.localdate(now))
    form = SaleForm(request.POST if request.method == "POST" else None, slots=slots, prices=prices)
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = box_office_sell(
                    slot_id=data["slot"],
                    quantities=form.quantities(),
                    method=data["method"],
                    reference=data["reference"],
                    admit=data["then"] == SaleForm.ADMIT,
                    sale_key=data["sale_key"],
                    user=request.user,
                    now=now,
                )
            except BookingError as error:
                field = {"lines": None}.get(error.field, error.field)
                form.add_error(field if field in form.fields else None, error.message)
                status = 409 if error.status == 409 else 422
            else:
                return redirect("box_office_sale", reference=order.reference)
        else:
            status = 422
    context = {
        "form": form,
        "slots": slots,
        "today": timezone.localdate(now),
        "figures": gate_today(date=timezone.localdate(now)),
        "page_title": _("Box office"),
    }
    return noindex(
        TemplateResponse(request, "tourism/tickets/box_office/sell.html", context, status=status)
    )


def _box_office_order(reference: str) -> Order:
    return get_object_or_404(
        Order.objects.select_related("slot").prefetch_related(
            "lines__ticket_type", "tickets__ticket_type", "payments"
        ),
        reference=reference,
        channel=Order.Channel.BOX_OFFICE,
    )


@never_cache
@require_http_methods(["GET"])
@_sellers_only
def sale(request, reference: str):
    """A sale just made: what was sold and paid, whether the visitors are in, and the slips."""
    order = _box_office_order(reference)
    payment = order.payments.all()[0] if order.payments.all() else None
    tickets = list(order.tickets.all())
    context = {
        "order": order,
        "payment": payment,
        "tickets": tickets,
        "admitted": sum(1 for t in tickets if t.checked_in_at),
        "page_title": _("Sale %(ref)s") % {"ref": order.reference},
        "paper_widths": PAPER_WIDTHS,
    }
    return noindex(TemplateResponse(request, "tourism/tickets/box_office/sale.html", context))


@never_cache
@require_http_methods(["GET"])
@_sellers_only
def slips(request, reference: str):
    """One slip per ticket for a 58 mm or 80 mm receipt printer, each with its signed QR code."""
    order = _box_office_order(reference)
    paper = request.GET.get("paper", "80")
    if paper not in PAPER_WIDTHS:
        paper = "80"
    slips = [
        {
            "ticket": ticket,
            "svg": mark_safe(
                qr_svg(
                    ticket_payload(ticket.code), title=_("Ticket %(code)s") % {"code": ticket.code}
                )
            ),
        }
        for ticket in order.tickets.all()
    ]
    context = {"order": order, "slips": slips, "paper": paper, "paper_widths": PAPER_WIDTHS}
    return noindex(TemplateResponse(request, "tourism/tickets/box_office/slips.html", context))


# --- the day's takings (Wagtail admin report) ----------------------------------------


class TakingsDateFilterSet(WagtailFilterSet):
    date = django_filters.DateFilter(
        label=gettext_lazy("Day"),
        widget=DateInput,
        method="keep",
    )

    class Meta:
        model = Payment
        fields = []

    def keep(self, queryset, name, value):
        return queryset


class TakingsReportView(ColumnsExportMixin, ReportView):
    """The day's takings at the gate by payment method and by staff member, with totals; CSV/XLSX."""

    page_title = gettext_lazy("Box office takings")
    header_icon = "doc-full"
    index_url_name = "box_office_takings"
    index_results_url_name = "box_office_takings_results"
    filterset_class = TakingsDateFilterSet
    export_filename = "box-office-takings"
    paginate_by = None

    def dispatch(self, request, *args, **kwargs):
        if not can_see_takings(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def day(self) -> datetime.date:
        filters = self.filters
        if filters is not None and filters.is_valid() and filters.form.cleaned_data.get("date"):
            return filters.form.cleaned_data["date"]
        return timezone.localdate()

    def get_page_subtitle(self):
        return date_format(self.day, "DATE_FORMAT")

    def get_export_filename(self):
        return f"{self.export_filename}-{self.day:%Y-%m-%d}"

    def get_queryset(self):
        return box_office_takings(date=self.day)

    def filter_queryset(self, queryset):
        return queryset  # the day is read in get_queryset; the rows are figures, not records

    @property
    def columns(self):
        return [
            Column("group", label=_("By")),
            Column("label", label=_("Name")),
            FigureColumn("sales", label=_("Sales")),
            FigureColumn("tickets", label=_("Number of tickets")),
            FigureColumn("amount", label=_("Taken (CNY)"), kind="amount"),
            FigureColumn("refunded", label=_("Refunded (CNY)"), kind="amount"),
            FigureColumn("net", label=_("Net (CNY)"), kind="amount"),
        ]

    def get_header_buttons(self):
        buttons = super().get_header_buttons()
        if self.request.user.has_perm(SELL_PERMISSION):
            buttons.append(
                HeaderButton(
                    _("Back to the box office"), url=reverse("box_office"), icon_name="arrow-left"
                )
            )
        return buttons
