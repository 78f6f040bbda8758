"""Nursery staff screens beyond plain model listings: service-backed forms, the ledger, reports, import.

Every write view checks its permission in ``dispatch`` and answers 403 to a user
without it (Wagtail's own generic views would redirect); reports need ``view_stocklot``.
"""

import datetime
from decimal import Decimal

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, InspectView
from wagtail.admin.views.reports import ReportView

from core.admin import AdminPageMixin
from core.export_jobs import BackgroundExportMixin
from core.numbers import amount
from core.reports import ColumnsExportMixin, FigureColumn, TotalsReportMixin
from core.widgets import DateInput

from . import imports, selectors, services
from .forms import (
    AcquisitionForm,
    AcquisitionLineFormSet,
    DeliveryForm,
    ImportForm,
    ReservationForm,
    StockMovementForm,
    apply_error,
)
from .models import Planting, StockLot


def forbidden(request):
    return HttpResponseForbidden(
        render_to_string(
            "nursery/forbidden.html", {"message": _("You may not change the nursery.")}, request
        )
    )


class ForbiddenInsteadOfRedirect:
    """Answer a refused permission with 403, not Wagtail's redirect to the dashboard."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)


class NurseryCreateView(ForbiddenInsteadOfRedirect, CreateView):
    pass


class NurseryEditView(ForbiddenInsteadOfRedirect, EditView):
    pass


class NurseryDeleteView(ForbiddenInsteadOfRedirect, DeleteView):
    pass


class LotInspectView(InspectView):
    """A lot's fields and its ledger, oldest first, with the running balance."""

    template_name = "nursery/admin/lot_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(
            self.object.entries.select_related(
                "created_by", "planting", "reservation__customer"
            ).order_by("occurred_at", "pk")
        )
        running = 0
        for entry in entries:
            running += entry.quantity
            entry.balance = running
        context["entries"] = entries
        context["reservations"] = list(self.object.reservations.select_related("customer"))
        return context


class TreeInspectView(InspectView):
    """A specimen tree's fields, its measurements over time and its photos."""

    template_name = "nursery/admin/tree_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["measurements"] = list(self.object.measurements.order_by("measured_on"))
        context["photos"] = list(self.object.photos.select_related("image"))
        context["plantings"] = list(self.object.plantings.select_related("zone"))
        return context


class TreeWarningMixin:
    """A tree placed outside its zone's outline saves, with a warning to look again.

    A tree may stand just over a drawn line, or the line may be wrong: neither is reason
    to refuse the position, but the manager should see it, after saving and on its page.
    """

    outside_message = gettext_lazy(
        "Tree %(tag)s stands outside the outline of its zone %(zone)s: check its position "
        "or the zone's boundary."
    )

    def warn_if_outside(self, tree):
        if tree.outside_its_zone:
            messages.warning(
                self.request, self.outside_message % {"tag": tree.tag, "zone": tree.zone.code}
            )

    def form_valid(self, form):
        response = super().form_valid(form)
        self.warn_if_outside(self.object)
        return response


class TreeCreateView(TreeWarningMixin, NurseryCreateView):
    pass


class TreeEditView(TreeWarningMixin, NurseryEditView):
    def get_context_data(self, **kwargs):
        if self.request.method == "GET":
            self.warn_if_outside(self.object)
        return super().get_context_data(**kwargs)


class NurseryFormView(AdminPageMixin, FormView):
    """A form whose valid data goes to one service; a refusal is shown on the form."""

    template_name = "nursery/admin/form.html"
    permission = ""
    submit_label = gettext_lazy("Save")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "submit_label": self.submit_label}

    def form_valid(self, form):
        try:
            message, url = self.perform(form.cleaned_data)
        except services.NurseryError as error:
            apply_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(url)


class StockMovementView(NurseryFormView):
    form_class = StockMovementForm
    page_title = gettext_lazy("Record a stock movement")
    header_icon = "list-ul"
    permission = "nursery.add_stockentry"

    def get_initial(self):
        return {"lot": self.request.GET.get("lot")}

    def perform(self, data):
        lot, when, user = data["lot"], services.at_noon(data["occurred_on"]), self.request.user
        quantity, note = data["quantity"], data["note"]
        if data["kind"] == "count":
            services.stock_count_record(
                lot=lot, counted=quantity, occurred_at=when, note=note, user=user
            )
        else:
            record = {
                "propagation": services.stock_propagation_record,
                "loss": services.stock_loss_record,
                "sale": services.stock_sale_record,
            }[data["kind"]]
            record(lot=lot, quantity=quantity, occurred_at=when, note=note, user=user)
        return _("Recorded on lot %(lot)s.") % {"lot": lot.code}, reverse(
            "nursery_stocklot:inspect", args=[lot.pk]
        )


class ReservationCreateView(NurseryFormView):
    form_class = ReservationForm
    page_title = gettext_lazy("Reserve stock")
    header_icon = "lock"
    permission = "nursery.add_reservation"

    def perform(self, data):
        reservation = services.reservation_create(
            customer=data["customer"],
            lot=data["lot"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            project=data["project"],
            user=self.request.user,
        )
        return _("Reserved %(n)s from lot %(lot)s.") % {
            "n": reservation.quantity,
            "lot": reservation.lot.code,
        }, reverse("nursery_reservation:index")


class DeliveryView(NurseryFormView):
    form_class = DeliveryForm
    page_title = gettext_lazy("Deliver a reservation")
    header_icon = "success"
    permission = "nursery.change_reservation"

    def get_initial(self):
        return {"reservation": self.request.GET.get("reservation")}

    def perform(self, data):
        services.reservation_deliver(
            reservation=data["reservation"],
            quantity=data["quantity"],
            delivered_at=services.at_noon(data["delivered_on"]),
            user=self.request.user,
        )
        return _("Delivery recorded."), reverse("nursery_reservation:index")


class AcquisitionView(AdminPageMixin, FormView):
    """Record a purchase and its lines; the landed cost lands in the new lots and trees."""

    form_class = AcquisitionForm
    template_name = "nursery/admin/acquisition.html"
    page_title = gettext_lazy("Record a purchase")
    header_icon = "download"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("nursery.add_acquisition"):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("lines", AcquisitionLineFormSet(prefix="lines"))
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        lines = AcquisitionLineFormSet(request.POST, prefix="lines")
        if not (form.is_valid() and lines.is_valid()):
            return self.render_to_response(
                self.get_context_data(form=form, lines=lines), status=422
            )
        data = form.cleaned_data
        inputs = [
            services.AcquisitionLineInput(
                species=line["species"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                lot_code=line["lot_code"],
                zone=line["zone"],
                spec={
                    key: line[key]
                    for key in ("stem_diameter_cm", "height_cm", "crown_cm")
                    if line.get(key) is not None
                },
                specimen_tags=line["specimen_tags"],
            )
            for line in lines.cleaned_data
            if line
        ]
        try:
            acquisition = services.acquisition_record(
                reference=data["reference"],
                supplier=data["supplier"],
                acquired_on=data["acquired_on"],
                lines=inputs,
                origin_province=data["origin_province"],
                transport_cost=data["transport_cost"],
                crane_cost=data["crane_cost"],
                root_ball_cost=data["root_ball_cost"],
                allocation=data["allocation"],
                user=request.user,
            )
        except services.NurseryError as error:
            apply_error(form, error)
            return self.render_to_response(
                self.get_context_data(form=form, lines=lines), status=422
            )
        messages.success(
            request,
            _("Purchase %(ref)s recorded: ¥%(total)s with landed costs.")
            % {
                "ref": acquisition.reference,
                # What the purchase cost in all: the lines' prices and the extra costs.
                "total": amount(sum(line.landed_total for line in acquisition.lines.all())),
            },
        )
        return redirect(reverse("nursery_acquisition:index"))


class ImportView(AdminPageMixin, FormView):
    """CSV import of lots or specimen trees, with a dry run that previews every row's errors."""

    form_class = ImportForm
    template_name = "nursery/admin/import.html"
    page_title = gettext_lazy("Import lots or specimen trees")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not (
            request.user.has_perm("nursery.add_stocklot")
            and request.user.has_perm("nursery.add_specimentree")
        ):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lot_columns"] = imports.LOT_COLUMNS
        context["tree_columns"] = imports.TREE_COLUMNS
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        run = imports.lots_import if data["kind"] == "lots" else imports.trees_import
        result = run(file=data["file"], dry_run=data["dry_run"], user=self.request.user)
        if result.saved:
            messages.success(self.request, _("Imported %(n)s rows.") % {"n": result.saved})
            return redirect(reverse("nursery_import"))
        return self.render_to_response(self.get_context_data(form=form, result=result))


# --- reports ---------------------------------------------------------------------------


class AsOfFilterSet(WagtailFilterSet):
    as_of = django_filters.DateFilter(
        label=gettext_lazy("As of"),
        method="no_op",
        widget=DateInput,
    )

    def no_op(self, queryset, name, value):
        return queryset

    class Meta:
        model = StockLot
        fields = []


class NurseryReportView(BackgroundExportMixin, ColumnsExportMixin, TotalsReportMixin, ReportView):
    """A nursery report; its export of more than a screen's rows is built by the task queue
    (``core/export_jobs.py``), which runs the report again at its ``index_url_name``."""

    permission = "nursery.view_stocklot"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filtered_queryset(self):
        # Computed once per request: the page, its totals row and the export share it.
        if not hasattr(self, "_rows"):
            self._rows = self.get_queryset()
        return self._rows

    def filter_value(self, name):
        filters = self.filters
        if filters is not None and filters.is_valid():
            return filters.form.cleaned_data.get(name)
        return None


class StockReportView(NurseryReportView):
    """On hand and value by species and zone, as of any date."""

    page_title = gettext_lazy("Stock and valuation by species and zone")
    header_icon = "list-ul"
    index_url_name = "nursery_stock_report"
    index_results_url_name = "nursery_stock_report_results"
    filterset_class = AsOfFilterSet
    export_filename = "nursery-stock"
    paginate_by = 200

    @property
    def columns(self):
        return [
            Column("species", label=_("Species")),
            Column("scientific_name", label=_("Scientific name")),
            Column("zone", label=_("Zone")),
            FigureColumn("on_hand", label=_("On hand"), kind="count"),
            FigureColumn("value", label=_("Value (CNY)"), kind="amount"),
        ]

    def get_queryset(self):
        """Species in name order, and within a species its zones in code order."""
        rows = selectors.stock_by_species_and_zone(as_of=self.filter_value("as_of"))
        rows.sort(key=lambda row: (row["species_name"], row["species_id"], row["zone_code"]))
        return [
            {
                "species": row["species_name"],
                "scientific_name": row["species_scientific_name"],
                "zone": f"{row['zone_code']} {row['zone_name']}",
                "on_hand": row["on_hand"],
                "value": row["value"],
            }
            for row in rows
        ]

    def totals(self, rows):
        return {
            "on_hand": sum(row["on_hand"] for row in rows),
            "value": sum((row["value"] for row in rows), Decimal("0")),
        }

    def report_scope(self):
        day = self.filter_value("as_of") or timezone.localdate()
        return _("As of the end of %(day)s") % {"day": day.isoformat()}


class AvailabilityReportView(NurseryReportView):
    """What customers can buy: species, spec, quantity free of reservations, price."""

    page_title = gettext_lazy("Availability list")
    header_icon = "tick"
    index_url_name = "nursery_availability_report"
    index_results_url_name = "nursery_availability_report_results"
    export_filename = "nursery-availability"
    paginate_by = 200

    @property
    def columns(self):
        return [
            Column("species", label=_("Species")),
            Column("scientific_name", label=_("Scientific name")),
            Column("spec", label=_("Spec")),
            Column("grown", label=_("Grown")),
            Column("zone", label=_("Zone")),
            FigureColumn("available", label=_("Available"), kind="count"),
            FigureColumn("price", label=_("Price (CNY)"), kind="amount"),
        ]

    def get_queryset(self):
        return [
            {
                "species": lot.species.name,
                "scientific_name": lot.species.scientific_name,
                "spec": lot.spec_label,
                "grown": lot.get_grown_display(),
                "zone": lot.zone.code,
                "available": lot.free,
                "price": lot.sale_price,
            }
            for lot in selectors.availability()
        ]

    def report_scope(self):
        return _("Free of reservations on %(day)s") % {"day": timezone.localdate().isoformat()}


class PlantingMonthFilterSet(WagtailFilterSet):
    planted_on = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Planted on"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Planting
        fields = []


class PlantingsByMonthReportView(NurseryReportView):
    page_title = gettext_lazy("Plantings by month")
    header_icon = "date"
    index_url_name = "nursery_plantings_report"
    index_results_url_name = "nursery_plantings_report_results"
    filterset_class = PlantingMonthFilterSet
    export_filename = "nursery-plantings-by-month"
    paginate_by = 120
    permission = "nursery.view_planting"

    @property
    def columns(self):
        return [
            Column("month", label=_("Month")),
            FigureColumn("plantings", label=_("Number of plantings"), kind="count"),
            FigureColumn("plants", label=_("Plants"), kind="count"),
            FigureColumn("replacements", label=_("Replacements"), kind="count"),
        ]

    def span(self):
        start = end = None
        span = self.filter_value("planted_on")
        if span:
            start, end = span.start, span.stop
        return (
            start.date() if isinstance(start, datetime.datetime) else start,
            end.date() if isinstance(end, datetime.datetime) else end,
        )

    def get_queryset(self):
        start, end = self.span()
        rows = selectors.plantings_by_month(start=start, end=end)
        return [{**row, "month": row["month"].strftime("%Y-%m")} for row in rows]

    def totals(self, rows):
        return {
            key: sum(row[key] or 0 for row in rows)
            for key in ("plantings", "plants", "replacements")
        }

    def report_scope(self):
        start, end = self.span()
        if not (start or end):
            return _("Planted on: every date")
        return _("Planted on: %(start)s – %(end)s") % {
            "start": start.isoformat() if start else "…",
            "end": end.isoformat() if end else "…",
        }


SURVIVAL_HEADINGS = {
    "species": gettext_lazy("Species"),
    "supplier": gettext_lazy("Supplier"),
    "zone": gettext_lazy("Zone"),
}


class SurvivalFilterSet(WagtailFilterSet):
    by = django_filters.ChoiceFilter(
        label=gettext_lazy("By"),
        method="no_op",
        choices=[
            ("species", gettext_lazy("Species")),
            ("supplier", gettext_lazy("Supplier")),
            ("zone", gettext_lazy("Zone")),
        ],
        empty_label=None,
    )

    def no_op(self, queryset, name, value):
        return queryset

    class Meta:
        model = Planting
        fields = []


class SurvivalReportView(NurseryReportView):
    """Survival at the latest check and retention at the end of the care year."""

    page_title = gettext_lazy("Survival rates")
    header_icon = "pick"
    index_url_name = "nursery_survival_report"
    index_results_url_name = "nursery_survival_report_results"
    filterset_class = SurvivalFilterSet
    export_filename = "nursery-survival"
    paginate_by = 200
    permission = "nursery.view_planting"

    def by(self) -> str:
        by = self.filter_value("by")
        return by if by in SURVIVAL_HEADINGS else "species"

    @property
    def columns(self):
        return [
            # Headed by what the rows are: species, suppliers or zones.
            Column("group", label=SURVIVAL_HEADINGS[self.by()]),
            FigureColumn("plantings", label=_("Plantings checked"), kind="count"),
            FigureColumn("planted", label=_("Planted"), kind="count"),
            FigureColumn("surviving", label=_("Surviving at the latest check"), kind="count"),
            FigureColumn("survival_rate", label=_("Survival rate (%)"), kind="percent"),
            FigureColumn("retained_of", label=_("Planted, care year ended"), kind="count"),
            FigureColumn("retained", label=_("Alive after 12 months"), kind="count"),
            FigureColumn("retention_rate", label=_("Retention rate (%)"), kind="percent"),
        ]

    def totals(self, rows):
        totals = {
            key: sum(row[key] or 0 for row in rows)
            for key in ("plantings", "planted", "surviving", "retained_of", "retained")
        }
        totals["survival_rate"] = selectors.rate(totals["surviving"], totals["planted"])
        totals["retention_rate"] = selectors.rate(totals["retained"], totals["retained_of"])
        return totals

    def report_scope(self):
        return _("By %(by)s; plantings checked at least once") % {
            "by": SURVIVAL_HEADINGS[self.by()]
        }

    def get_queryset(self):
        by = self.by()
        rows = selectors.survival_rates(by=by)
        for row in rows:
            if by == "species":
                row["group"] = row["species_name"]
            elif by == "supplier":
                row["group"] = row["supplier_name"] or _("Unknown")
            else:
                row["group"] = f"{row['zone_code']} {row['zone_name']}"
        return rows
