"""Workforce screens: the job-creation report, the named roster, a wage batch's pay sheet, a crew's day.

Read screens need ``workforce.view_workentry`` (Officials and Farm managers); the crew's
day needs ``workforce.add_workentry`` (Farm managers). Every check is made here, on the
server, whatever the menus show.

Each download is a ``Spreadsheet`` made by one function (``report_spreadsheet``,
``roster_spreadsheet``, ``pay_sheet_spreadsheet``) that the view and the task queue both
call: a download larger than a screen is built by the queue, with the same checks.
"""

import functools
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView

from core.admin import AdminPageMixin
from core.charts import month_bars
from core.export_jobs import ExportRefused, Spreadsheet, export_params, export_response
from core.numbers import count
from core.sheets import Percent
from nursery.models import Planting

from . import services
from .exports import Table, spreadsheet
from .forms import CorrectionForm, CrewDayForm, ReportForm
from .models import Crew, Village, Villager, WageBatch, WorkEntry, locked_message
from .reports import breakdown_headings, breakdown_titles, impact_since_start, job_report
from .selectors import pay_sheet, roster

READ_PERMISSION = "workforce.view_workentry"
FORMATS = ("xlsx", "csv")


def forbidden_as_403(view):
    """Answer a refused request with 403 and a page saying so.

    Wagtail's admin turns ``PermissionDenied`` into a redirect to the dashboard; a
    refusal should say what it is, to people and to scripts alike.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return render(request, "workforce/forbidden.html", status=403)

    return wrapped


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _format(request) -> str | None:
    value = request.GET.get("format")
    return value if value in FORMATS else None


def _refuse_unless(user, *permissions: str) -> None:
    """An export job's check: its owner still holds what the screen asks for."""
    if not all(user.has_perm(permission) for permission in permissions):
        raise ExportRefused(_("You may no longer read the workforce records."))


def _download(request, *, kind: str, sheet: Spreadsheet, fmt: str):
    return export_response(
        request,
        kind=kind,
        params=export_params(request.GET, leave_out=("format",)),
        format=fmt,
        sheet=sheet,
    )


def _period_label(start, end) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"


def report_title_lines(report) -> list[str]:
    """The lines that head every sheet of the report: its name, then its period and village."""
    return [
        _("Job-creation report"),
        _("Period: %(period)s; previous period: %(previous)s; village: %(village)s")
        % {
            "period": _period_label(report.start, report.end),
            "previous": _period_label(report.previous_start, report.previous_end),
            "village": report.village_name or _("All villages"),
        },
    ]


def _figure_cell(value, kind):
    return Percent(value) if kind == "percent" else value


def breakdown_totals(rows) -> dict:
    """The totals row of a breakdown: each villager sits in one row, so the sums are the period's."""
    return {
        "employed": sum(r.employed for r in rows),
        "person_days": sum(r.person_days for r in rows),
        "wages": sum((r.wages for r in rows), Decimal("0")),
        "previous_employed": sum(r.previous_employed for r in rows),
    }


BREAKDOWN_KINDS = [None, "count", "count", "money", "count"]


def report_tables(report) -> list[Table]:
    """The report as tables, for XLSX/CSV: figures with definitions, each breakdown, the months."""
    tables = [
        Table(
            _("Figures"),
            [_("Figure"), _("This period"), _("Previous period"), _("Definition")],
            [
                [
                    r["label"],
                    _figure_cell(r["value"], r["kind"]),
                    _figure_cell(r["previous"], r["kind"]),
                    r["definition"],
                ]
                for r in report.figure_rows()
            ],
            kinds=[None, None, None, None],
        )
    ]
    headings = breakdown_headings()
    for name, title in breakdown_titles().items():
        rows = report.breakdowns[name]
        totals = breakdown_totals(rows)
        tables.append(
            Table(
                title,
                [
                    headings[name],
                    _("Villagers employed"),
                    _("Person-days worked"),
                    _("Wages (CNY)"),
                    _("Villagers employed, previous period"),
                ],
                [[r.label, r.employed, r.person_days, r.wages, r.previous_employed] for r in rows],
                kinds=BREAKDOWN_KINDS,
                totals=[
                    _("Total"),
                    totals["employed"],
                    totals["person_days"],
                    totals["wages"],
                    totals["previous_employed"],
                ],
            )
        )
    tables.append(
        Table(
            _("Month by month"),
            [_("Month"), _("Villagers employed"), _("Person-days worked"), _("Wages (CNY)")],
            [[r.label, r.employed, r.person_days, r.wages] for r in report.months],
            kinds=BREAKDOWN_KINDS[:4],
            totals=[
                _("Total"),
                None,
                sum(r.person_days for r in report.months),
                sum((r.wages for r in report.months), Decimal("0")),
            ],
        )
    )
    return tables


def _report_query(form, **extra) -> str:
    params = {k: v for k, v in form.data.items() if k != "format" and v not in ("", None)}
    params.update(extra)
    return urlencode(params)


@forbidden_as_403
def report_view(request):
    """The job-creation report for a period and village, with the previous period beside it."""
    _require(request, READ_PERMISSION)
    form = ReportForm(request.GET)
    if not form.is_valid():
        return render(request, "workforce/report.html", {"form": form, "report": None}, status=400)
    data = form.cleaned_data
    report = job_report(start=data["start"], end=data["end"], village=form.village_code)
    fmt = _format(request)
    if fmt:
        return _download(request, kind="workforce_report", sheet=report_sheet(report), fmt=fmt)
    return render(
        request,
        "workforce/report.html",
        {
            "form": form,
            "report": report,
            "figures": report.figure_rows(),
            "breakdowns": [
                {
                    "title": title,
                    "heading": breakdown_headings()[name],
                    "rows": report.breakdowns[name],
                    "totals": breakdown_totals(report.breakdowns[name]),
                }
                for name, title in breakdown_titles().items()
            ],
            "month_totals": {
                "person_days": sum(r.person_days for r in report.months),
                "wages": sum((r.wages for r in report.months), Decimal("0")),
            },
            "chart": month_bars(
                [(row.month, row.person_days) for row in report.months], kind="count"
            ),
            "query": _report_query(form),
            "villages": Village.objects.all(),
            "since_start": impact_since_start(),
        },
    )


def report_sheet(report) -> Spreadsheet:
    filename = f"job-report-{report.start}-{report.end}" + (
        f"-{report.village}" if report.village else ""
    )
    title_lines = report_title_lines(report)
    return spreadsheet(
        report_tables(report),
        filename=filename,
        title=f"{title_lines[0]} {_period_label(report.start, report.end)}",
        title_lines=title_lines,
    )


def report_spreadsheet(*, params, user) -> Spreadsheet:
    """The job-creation report's download for the period and village in ``params``."""
    _refuse_unless(user, READ_PERMISSION)
    form = ReportForm(params)
    if not form.is_valid():
        raise ExportRefused(_("The report's period or village is not valid."))
    data = form.cleaned_data
    return report_sheet(job_report(start=data["start"], end=data["end"], village=form.village_code))


def roster_tables(lines, *, title) -> list[Table]:
    return [
        Table(
            title,
            [
                _("No."),
                pgettext("person", "Name"),
                _("Gender"),
                _("Birth year"),
                _("Village"),
                _("Group"),
                _("Household"),
                _("Poverty status"),
                _("Employment type"),
                _("ID number"),
                _("Days worked"),
                _("Wages (CNY)"),
            ],
            [
                [
                    n,
                    line.name,
                    line.gender,
                    line.birth_year,
                    line.village,
                    line.group,
                    line.household,
                    line.poverty_status,
                    line.employment_type,
                    line.id_number,
                    line.days,
                    line.amount,
                ]
                for n, line in enumerate(lines, start=1)
            ],
            kinds=[None, None, None, "plain", *[None] * 6, "count", "money"],
            totals=[
                _("Total"),
                *[None] * 9,
                sum((line.days for line in lines), 0),
                sum((line.amount for line in lines), Decimal("0")),
            ],
        )
    ]


@forbidden_as_403
def roster_view(request):
    """The named roster (花名册): who worked in the period, from which household, days and wages."""
    _require(request, "workforce.view_villager")
    _require(request, READ_PERMISSION)
    form = ReportForm(request.GET)
    if not form.is_valid():
        return render(request, "workforce/roster.html", {"form": form, "lines": None}, status=400)
    data = form.cleaned_data
    lines = roster(
        start=data["start"], end=data["end"], village=form.village_code, user=request.user
    )
    title = _("Roster %(period)s") % {"period": _period_label(data["start"], data["end"])}
    fmt = _format(request)
    if fmt:
        sheet = roster_sheet(lines, data=data, title=title)
        return _download(request, kind="workforce_roster", sheet=sheet, fmt=fmt)
    return render(
        request,
        "workforce/roster.html",
        {
            "form": form,
            "lines": lines,
            "title": title,
            "start": data["start"],
            "end": data["end"],
            "village": data.get("village"),
            "total_days": sum(line.days for line in lines),
            "total_amount": sum((line.amount for line in lines), 0),
            "query": _report_query(form),
        },
    )


def roster_sheet(lines, *, data, title) -> Spreadsheet:
    village = data.get("village")
    # The table's title is the sheet's first title line: the sheet reads "花名册" once.
    return spreadsheet(
        roster_tables(lines, title=_("Roster (花名册)")),
        filename=f"roster-{data['start']}-{data['end']}",
        title=title,
        title_lines=[
            _("Roster (花名册)"),
            _("Period: %(period)s; village: %(village)s")
            % {
                "period": _period_label(data["start"], data["end"]),
                "village": village.name if village else _("All villages"),
            },
        ],
    )


def roster_spreadsheet(*, params, user) -> Spreadsheet:
    """The named roster's download for the period and village in ``params``, ID numbers
    shown as ``user`` may see them."""
    _refuse_unless(user, "workforce.view_villager", READ_PERMISSION)
    form = ReportForm(params)
    if not form.is_valid():
        raise ExportRefused(_("The report's period or village is not valid."))
    data = form.cleaned_data
    lines = roster(start=data["start"], end=data["end"], village=form.village_code, user=user)
    title = _("Roster %(period)s") % {"period": _period_label(data["start"], data["end"])}
    return roster_sheet(lines, data=data, title=title)


@forbidden_as_403
def pay_sheet_view(request, pk: int):
    """A wage batch's pay sheet with a column for each villager's signature."""
    _require(request, "workforce.view_wagebatch")
    batch = get_object_or_404(WageBatch, pk=pk)
    lines = pay_sheet(batch=batch, user=request.user)
    fmt = _format(request)
    if fmt:
        return export_response(
            request,
            kind="workforce_pay_sheet",
            params={"batch": [str(batch.pk)]},
            format=fmt,
            sheet=pay_sheet_sheet(batch, lines),
        )
    return render(
        request,
        "workforce/pay_sheet.html",
        {"batch": batch, "lines": lines, "total": sum((line.amount for line in lines), 0)},
    )


def pay_sheet_sheet(batch, lines) -> Spreadsheet:
    tables = roster_tables(lines, title=_("Pay sheet"))
    table = tables[0]
    keep = [0, 1, 4, 5, 6, 9, 10, 11]
    table.headings = [table.headings[i] for i in keep] + [_("Signature")]
    table.rows = [[row[i] for i in keep] + [""] for row in table.rows]
    table.kinds = [table.kinds[i] for i in keep] + [None]
    table.totals = [table.totals[i] for i in keep] + [None]
    period = _period_label(batch.period_start, batch.period_end)
    return spreadsheet(
        tables,
        filename=f"pay-sheet-{batch.pk}",
        title=f"{_('Pay sheet')} {period}",
        title_lines=[
            _("Pay sheet"),
            _("Wage batch %(period)s, paid on %(paid)s, reference %(ref)s")
            % {
                "period": period,
                "paid": batch.paid_on or "—",
                "ref": batch.reference or "—",
            },
        ],
    )


def pay_sheet_spreadsheet(*, params, user) -> Spreadsheet:
    """A wage batch's pay sheet download; the batch is ``params["batch"]``."""
    _refuse_unless(user, "workforce.view_wagebatch")
    pk = params.get("batch", "")
    batch = WageBatch.objects.filter(pk=pk).first() if pk.isdigit() else None
    if batch is None:
        raise ExportRefused(_("This wage batch no longer exists."))
    return pay_sheet_sheet(batch, pay_sheet(batch=batch, user=user))


class CrewDayView(AdminPageMixin, FormView):
    """A crew's day in one form: date, task, basis, and each present villager's quantity."""

    form_class = CrewDayForm
    template_name = "workforce/crew_day.html"
    page_title = gettext_lazy("Crew's day")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        _require(request, "workforce.add_workentry")
        return super().dispatch(request, *args, **kwargs)

    def village(self):
        code = self.request.GET.get("village")
        if not code and self.planting_crew and self.planting_crew.village_id:
            code = self.planting_crew.village.code
        villages = list(Village.objects.all())
        return next(
            (v for v in villages if v.code == code), villages[0] if villages else None
        ), villages

    @cached_property
    def planting(self):
        """The planting named by ``?planting=``, whose crew's work is being recorded."""
        pk = self.request.GET.get("planting", "")
        if not pk.isdigit():
            return None
        return Planting.objects.select_related("zone").filter(pk=pk).first()

    @cached_property
    def planting_crew(self):
        """The crew the planting names: the crew whose name its crew text starts with, longest first."""
        if not self.planting or not self.planting.crew:
            return None
        named = [
            c
            for c in Crew.objects.select_related("village")
            if self.planting.crew.startswith(c.name)
        ]
        return max(named, key=lambda c: len(c.name), default=None)

    def get_initial(self):
        initial = super().get_initial()
        if self.planting:
            initial.update(
                date=self.planting.planted_on, zone=self.planting.zone, planting=self.planting
            )
            crew = self.planting_crew
            if crew:
                initial["crew"] = crew
                # Those who worked in the crew on its last day up to the planting, as a start.
                crew_work = WorkEntry.objects.filter(crew=crew, date__lte=self.planting.planted_on)
                last_day = crew_work.order_by("-date").values_list("date", flat=True).first()
                for pk in crew_work.filter(date=last_day).values_list("villager_id", flat=True):
                    initial[f"q_{pk}"] = 1
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        village, _villages = self.village()
        kwargs["villagers"] = (
            Villager.objects.filter(household__group__village=village)
            .select_related("household")
            .order_by("household__code", "pk")
            if village
            else Villager.objects.none()
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["village"], context["villages"] = self.village()
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            entries = services.crew_day_record(
                date=data["date"],
                task=data["task"],
                basis=data["basis"],
                quantities=data["quantities"],
                crew=data.get("crew"),
                zone=data.get("zone"),
                planting=data.get("planting"),
            )
        except services.WorkforceError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Recorded %(count)s work entries for %(date)s.")
            % {"count": count(len(entries)), "date": date_format(data["date"], "DATE_FORMAT")},
        )
        return redirect(recorded_listing_url(data))


def recorded_listing_url(data) -> str:
    """The work listing narrowed to the day, task and crew just recorded: the new rows alone."""
    day = data["date"].isoformat()
    query = {"date__gte": day, "date__lte": day, "task": data["task"].pk}
    if data.get("crew"):
        query["crew"] = data["crew"].pk
    return f"{reverse('workforce_workentry:index')}?{urlencode(query)}"


# Wage batches and locked work entries ----------------------------------------------------


def _entry_context(entry: WorkEntry) -> dict:
    batch = entry.stored_batch()
    return {
        "entry": entry,
        "batch": batch,
        "reason": locked_message(batch) if batch is not None and batch.locked else "",
        "corrections": entry.corrections.order_by("pk"),
        "correct_url": reverse("workforce_workentry_correct", args=[entry.pk]),
    }


class LockedEntryPage(AdminPageMixin, TemplateView):
    """A locked work entry, read-only, with the reason and the way to correct it."""

    template_name = "workforce/work_entry_locked.html"
    page_title = gettext_lazy("Work entry")
    header_icon = "lock"
    http_method_names = ["get", "post"]

    def post(self, request, *args, **kwargs):
        return self.get(request, *args, **kwargs)


class LockedEntryMixin:
    """An entry of an approved or paid batch is shown read-only, with the reason, and never saved."""

    locked_permission = ""

    def dispatch(self, request, *args, **kwargs):
        entry = WorkEntry.objects.select_related("villager", "task", "batch").filter(
            pk=kwargs.get("pk")
        )
        entry = entry.first()
        if entry is not None and entry.locked:
            if not request.user.has_perm(self.locked_permission):
                raise PermissionDenied
            response = LockedEntryPage.as_view(
                extra_context={
                    **_entry_context(entry),
                    "refused": request.method == "POST",
                    "can_correct": request.user.has_perm("workforce.add_workentry"),
                    "index_url": reverse("workforce_workentry:index"),
                }
            )(request)
            if request.method == "POST":
                response.status_code = 409
            return response
        return super().dispatch(request, *args, **kwargs)


class WorkEntryEditView(LockedEntryMixin, EditView):
    locked_permission = "workforce.change_workentry"


class WorkEntryDeleteView(LockedEntryMixin, DeleteView):
    locked_permission = "workforce.delete_workentry"

    def delete_action(self):
        try:
            services.work_entry_delete(entry=self.object)
        except services.WorkforceError as error:
            raise PermissionDenied(error.message) from error


class WorkEntryCorrectView(AdminPageMixin, FormView):
    """Record a correction of a locked entry: a new entry that a later batch pays or recovers."""

    form_class = CorrectionForm
    template_name = "workforce/work_entry_correct.html"
    page_title = gettext_lazy("Record a correction")
    header_icon = "time"

    def dispatch(self, request, *args, **kwargs):
        _require(request, "workforce.add_workentry")
        self.entry = get_object_or_404(
            WorkEntry.objects.select_related("villager", "task", "batch"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_entry_context(self.entry)}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.work_entry_correct(
                entry=self.entry,
                quantity_change=data["quantity_change"],
                amount_change=data["amount_change"],
                note=data["note"],
            )
        except services.WorkforceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Correction recorded; the next wage batch pays or recovers ¥%(amount)s.")
            % {"amount": data["amount_change"]},
        )
        return redirect(reverse("workforce_workentry:edit", args=[self.entry.pk]))


class RefusalMixin:
    """A service's refusal becomes the form's error; nothing is saved."""

    def refused(self, form, error):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class WageBatchCreateView(RefusalMixin, CreateView):
    """A new batch is the period's unbatched work, gathered by the service."""

    def save_instance(self):
        data = self.form.cleaned_data
        return services.wage_batch_create(
            period_start=data["period_start"],
            period_end=data["period_end"],
            user=self.request.user,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.WorkforceError as error:
            return self.refused(form, error)


class WageBatchEditView(RefusalMixin, EditView):
    """A batch's page: its entries and steps, and the next step (approve, reopen, pay)."""

    template_name = "workforce/wage_batch_edit.html"

    def save_instance(self):
        data, batch, user = self.form.cleaned_data, self.form.instance, self.request.user
        batch.refresh_from_db()
        action = data.get("action")
        if action == "approve":
            return services.wage_batch_approve(batch=batch, user=user)
        if action == "reopen":
            return services.wage_batch_reopen(batch=batch, user=user)
        if action == "pay":
            return services.wage_batch_pay(
                batch=batch, paid_on=data["paid_on"], reference=data["reference"], user=user
            )
        return batch

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.WorkforceError as error:
            return self.refused(form, error)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.object
        context["batch_log"] = batch.log.select_related("user")
        context["batch_totals"] = batch.entries.aggregate(count=Count("pk"), amount=Sum("amount"))
        return context
