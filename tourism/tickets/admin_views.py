"""Staff screens for tickets beyond plain model listings: opening capacity, the visitors report,
and the slot and closed-day forms that never leave a booked order behind."""

import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.generic import FormView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import CreateView, EditView
from wagtail.admin.views.reports import ReportView

from core.export_jobs import BackgroundExportMixin
from core.reports import ColumnsExportMixin, DecoratedRowsMixin, FigureColumn
from core.widgets import DateInput
from tourism.models import TicketType

from . import closures, opening, services
from .models import ClosedDay, Order, Slot
from .selectors import visitors_by_day

WEEKDAYS = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]


class OpenCapacityForm(forms.Form):
    """Open many slots at once, e.g. every day of April, 9:00–17:00 every 30 minutes, 200 a slot."""

    date_from = forms.DateField(
        label=pgettext_lazy("start of a date range", "From"), widget=DateInput
    )
    date_to = forms.DateField(label=gettext_lazy("To (inclusive)"), widget=DateInput)
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Days of the week"),
        choices=WEEKDAYS,
        coerce=int,
        initial=[d for d, _ in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
    )
    whole_day = forms.BooleanField(
        label=gettext_lazy("One whole-day slot per date"),
        required=False,
        help_text=gettext_lazy(
            "Tick for day tickets without entry times; the times below are then ignored."
        ),
    )
    first_entry = forms.TimeField(
        label=gettext_lazy("First entry"), initial=datetime.time(9), required=False
    )
    last_entry = forms.TimeField(
        label=gettext_lazy("Last entry starts"), initial=datetime.time(16, 30), required=False
    )
    every_minutes = forms.IntegerField(
        label=gettext_lazy("A slot every (minutes)"),
        min_value=10,
        max_value=24 * 60,
        initial=30,
        required=False,
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Places per slot"), min_value=1, max_value=100_000, initial=200
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Entry follows the park's opening hours: the first slot at opening time, the last
        # ending by closing time.
        every = self.fields["every_minutes"].initial
        self.fields["first_entry"].initial = opening.first_entry_time() or datetime.time(9)
        self.fields["last_entry"].initial = opening.last_entry_time(
            every_minutes=every
        ) or datetime.time(16, 30)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The last date must not be before the first."))
            elif (end - start).days > 366:
                self.add_error("date_to", _("Open at most a year at a time."))
        if not data.get("whole_day"):
            for name in ("first_entry", "last_entry", "every_minutes"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Required unless the slot is for the whole day."))
            if (
                data.get("first_entry")
                and data.get("last_entry")
                and data["last_entry"] < data["first_entry"]
            ):
                self.add_error("last_entry", _("The last entry must not be before the first."))
        return data


class OpenCapacityView(WagtailAdminTemplateMixin, FormView):
    """Bulk opening of entry slots."""

    form_class = OpenCapacityForm
    template_name = "tourism/tickets/admin/open_capacity.html"
    page_title = gettext_lazy("Open capacity")
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("tourism.add_slot"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("tourism_slot:index"), "label": _("Entry slots")},
            {"url": "", "label": self.page_title},
        ]

    def form_valid(self, form):
        data = form.cleaned_data
        whole_day = data["whole_day"]
        result = services.slots_open(
            date_from=data["date_from"],
            date_to=data["date_to"],
            weekdays=set(data["weekdays"]),
            first_entry=None if whole_day else data["first_entry"],
            last_entry=None if whole_day else data["last_entry"],
            every_minutes=None if whole_day else data["every_minutes"],
            capacity=data["capacity"],
        )
        messages.success(
            self.request,
            _(
                "Opened %(created)s slots; %(existing)s already existed; %(closed)s dates are closed days."
            )
            % result,
        )
        return redirect(reverse("tourism_slot:index"))


class VisitDateFilterSet(WagtailFilterSet):
    date = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Visit date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Slot
        fields = []


class VisitorsReportView(BackgroundExportMixin, DecoratedRowsMixin, ColumnsExportMixin, ReportView):
    """Visitors per day — booked, checked in — and revenue by ticket type, with CSV/XLSX export
    (by the worker, when it holds more days than a screen)."""

    page_title = gettext_lazy("Visitors per day")
    header_icon = "group"
    index_url_name = "tickets_visitors_report"
    index_results_url_name = "tickets_visitors_report_results"
    filterset_class = VisitDateFilterSet
    export_filename = "visitors-per-day"
    paginate_by = 31

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("tourism.view_order"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Slot.objects.values("date").distinct().order_by("-date")

    def _ticket_types(self):
        if not hasattr(self, "_types"):
            self._types = list(TicketType.objects.all())
        return self._types

    @property
    def columns(self):
        return [
            Column("date", label=_("Visit date")),
            FigureColumn("booked", label=_("Booked")),
            *[
                FigureColumn(
                    f"channel_{value}", label=_("Booked: %(channel)s") % {"channel": label}
                )
                for value, label in Order.Channel.choices
            ],
            FigureColumn("checked_in", label=_("Checked in")),
            *[
                FigureColumn(
                    f"type_{t.pk}", kind="amount", label=_("Revenue: %(type)s") % {"type": t}
                )
                for t in self._ticket_types()
            ],
            FigureColumn("revenue", kind="amount", label=_("Revenue (CNY)")),
        ]

    def decorate_paginated_queryset(self, object_list):
        dates = [row["date"] for row in object_list]
        rows = visitors_by_day(dates)
        for row in rows:
            for t in self._ticket_types():
                row[f"type_{t.pk}"] = row["by_type"].get(t.pk, 0)
            for value in Order.Channel.values:
                row[f"channel_{value}"] = row["by_channel"].get(value, 0)
        return rows


# Closing a day and changing a slot that tourists have booked -------------------------------


class CancelOrdersForm(WagtailAdminModelForm):
    """A model form with the explicit choice to cancel and refund the orders in the way."""

    # A short label: Wagtail shows it as the field's heading, on one line. What ticking it
    # does is its help, which names the orders once a save has listed them.
    cancel_orders = forms.BooleanField(
        label=gettext_lazy("Cancel and refund"),
        help_text=gettext_lazy(
            "When orders are booked, saving lists them above; tick this to cancel and refund "
            "them and email the visitors."
        ),
        required=False,
    )
    # The orders the staff member was shown, so that an order booked meanwhile is never
    # cancelled without being seen.
    confirmed_orders = forms.CharField(
        label=gettext_lazy("Orders to cancel"),
        widget=forms.TextInput(attrs={"readonly": True}),
        required=False,
        help_text=gettext_lazy(
            "Filled in with the orders named above when there are any; only these are cancelled."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and isinstance(self.instance, Slot):
            # A new slot has no orders to cancel.
            del self.fields["cancel_orders"]
            del self.fields["confirmed_orders"]

    def confirmed(self) -> set[str] | None:
        references = {
            ref.strip()
            for ref in self.cleaned_data.get("confirmed_orders", "").split(",")
            if ref.strip()
        }
        if not self.cleaned_data.get("cancel_orders") or not references:
            return None
        return references


class SlotForm(CancelOrdersForm):
    class Meta:
        model = Slot
        fields = ["date", "starts_at", "ends_at", "capacity"]


class ClosedDayForm(CancelOrdersForm):
    class Meta:
        model = ClosedDay
        fields = ["date", "reason", "reason_en"]


class ClosureViewMixin:
    """Saves through ``tourism/tickets/closures.py``; a refusal is a form error naming the orders."""

    def form_valid(self, form):
        try:
            response = super().form_valid(form)
        except closures.ClosureRefused as refusal:
            return self.refused(form, refusal)
        if self.cancelled:
            messages.success(
                self.request,
                ngettext(
                    "%(n)s order cancelled and refunded, its visitor emailed: %(refs)s.",
                    "%(n)s orders cancelled and refunded, their visitors emailed: %(refs)s.",
                    len(self.cancelled),
                )
                % {
                    "n": len(self.cancelled),
                    "refs": ", ".join(o.reference for o in self.cancelled),
                },
            )
        return response

    def refused(self, form, refusal):
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        if refusal.orders:
            data = form.data.copy()
            data["confirmed_orders"] = ",".join(refusal.references)
            form.data = data
            form["cancel_orders"].help_text = ngettext(
                "Cancel and refund this order and email the visitor",
                "Cancel and refund these %(n)s orders and email the visitors",
                len(refusal.orders),
            ) % {"n": len(refusal.orders)}
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class SlotEditView(ClosureViewMixin, EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        slot, self.cancelled = closures.slot_update(
            slot=self.form.instance,
            date=data["date"],
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            capacity=data["capacity"],
            confirmed=self.form.confirmed(),
            user=self.request.user,
        )
        return slot


class ClosedDaySaveMixin(ClosureViewMixin):
    def save_instance(self):
        data = self.form.cleaned_data
        closed_day, self.cancelled = closures.closed_day_save(
            date=data["date"],
            reason=data.get("reason", ""),
            reason_en=data.get("reason_en", ""),
            closed_day=self.form.instance if self.form.instance.pk else None,
            confirmed=self.form.confirmed(),
            user=self.request.user,
        )
        return closed_day


class ClosedDayCreateView(ClosedDaySaveMixin, CreateView):
    pass


class ClosedDayEditView(ClosedDaySaveMixin, EditView):
    pass
