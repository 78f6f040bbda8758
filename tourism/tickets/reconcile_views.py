"""Reports → Payment reconciliation: what each day's statements and Huagu disagree on."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from core.export_jobs import BackgroundExportMixin
from core.reports import ColumnsExportMixin, DecoratedRowsMixin, FigureColumn

from .payments.choice import LABELS
from .reconcile_models import ReconciliationProblem

# Staff know Stripe by its name; tourists are offered it as "Bank card".
PROVIDERS = {"wechat_pay": LABELS["wechat_pay"], "alipay": LABELS["alipay"], "stripe": "Stripe"}


class ProblemFilterSet(WagtailFilterSet):
    provider = django_filters.ChoiceFilter(
        field_name="reconciliation__provider",
        label=gettext_lazy("Provider"),
        choices=list(PROVIDERS.items()),
    )
    day = django_filters.DateFromToRangeFilter(
        field_name="reconciliation__day",
        label=gettext_lazy("Day"),
        widget=DateRangePickerWidget,
    )

    class Meta:
        model = ReconciliationProblem
        fields = []


class OrderColumn(TitleColumn):
    """The order's reference, linked to its page at the order desk; empty when none is known."""

    empty_value_display = ""


class ReconciliationReportView(
    BackgroundExportMixin, DecoratedRowsMixin, ColumnsExportMixin, ReportView
):
    """Every payment and refund a provider's statement and Huagu disagree on, by day.

    Its export of more than a screen's rows is built by the task queue
    (``core/export_jobs.py``), which runs the report again at its ``index_url_name``.
    """

    page_title = gettext_lazy("Payment reconciliation")
    header_icon = "clipboard-list"
    index_url_name = "tickets_reconciliation_report"
    index_results_url_name = "tickets_reconciliation_report_results"
    filterset_class = ProblemFilterSet
    export_filename = "payment-reconciliation"
    paginate_by = 100

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("tourism.view_order"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return ReconciliationProblem.objects.select_related("reconciliation", "order").order_by(
            "-reconciliation__day", "reconciliation__provider", "kind", "problem", "reference"
        )

    @property
    def columns(self):
        return [
            Column("day", label=_("Day")),
            Column("provider", label=_("Provider")),
            Column("problem", label=_("Problem")),
            Column("kind", label=_("Kind")),
            Column("reference", label=_("Reference")),
            FigureColumn("statement_amount", label=_("Statement (CNY)"), kind="amount"),
            FigureColumn("our_amount", label=_("Huagu (CNY)"), kind="amount"),
            OrderColumn("order", label=_("Order"), get_url=lambda row: row["order_url"]),
        ]

    def decorate_paginated_queryset(self, object_list):
        return [_row(problem) for problem in object_list]


def _row(problem: ReconciliationProblem) -> dict:
    provider = problem.reconciliation.provider
    order = problem.order
    return {
        "day": problem.reconciliation.day,
        "provider": str(PROVIDERS.get(provider, provider)),
        "problem": problem.get_problem_display(),
        "kind": problem.get_kind_display(),
        "reference": problem.reference,
        "statement_amount": problem.statement_amount,
        "our_amount": problem.our_amount,
        "order": order.reference if order else "",
        "order_url": reverse("tourism_order:inspect", args=[order.pk]) if order else "",
    }
