"""Wires the workforce admin: villages to wage batches, the report, the roster, a crew's day."""

from django import forms
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from core.admin import ListingQuerysetMixin, NumberColumnsViewSetMixin, PermissionMenuItem
from core.dashboard import add_panels
from core.export_listings import BackgroundExportViewSetMixin
from core.history_admin import HistoryViewSetMixin
from core.identity import mask_id_number
from core.reports import FigureColumn
from nursery.models import Planting

from . import services, views
from .dashboard import CrewsTodayPanel, JobFiguresPanel
from .models import (
    Crew,
    Employment,
    Household,
    HouseholdStatus,
    LandLease,
    Rate,
    RentPayment,
    Task,
    Village,
    VillageGroup,
    Villager,
    WageBatch,
    WorkEntry,
    days_by_the_day,
)

ID_NUMBER_PATTERN = r"^\d{17}[\dXx]$"


class VillagerForm(WagtailAdminModelForm):
    """The ID number is write-only here: typed in whole, never shown back unmasked."""

    new_id_number = forms.RegexField(
        label=_("ID number"),
        regex=ID_NUMBER_PATTERN,
        required=False,
        error_messages={"invalid": _("An ID number is 17 digits and a final digit or X.")},
    )

    class Meta:
        model = Villager
        fields = ["household", "name", "gender", "birth_year", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.id_number:
            self.fields["new_id_number"].help_text = _(
                "Stored as %(masked)s. Leave blank to keep it; type a new one to replace it."
            ) % {"masked": mask_id_number(self.instance.id_number)}

    def clean_new_id_number(self):
        value = self.cleaned_data["new_id_number"].upper()
        if value and Villager.objects.exclude(pk=self.instance.pk).filter(id_number=value).exists():
            raise forms.ValidationError(_("Another villager has this ID number."))
        return value

    def save(self, commit=True):
        if self.cleaned_data.get("new_id_number"):
            self.instance.id_number = self.cleaned_data["new_id_number"]
        return super().save(commit=commit)


class WorkEntryForm(WagtailAdminModelForm):
    """Rate and amount are not typed: they come from the rate table through the service."""

    class Meta:
        model = WorkEntry
        fields = ["date", "villager", "task", "crew", "zone", "planting", "basis", "quantity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planting"].queryset = Planting.objects.select_related(
            "zone", "species"
        ).order_by("-planted_on", "-pk")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.work_entry_check_unlocked(self.instance)
            data["zone"] = services.planting_work_zone(
                planting=data.get("planting"), zone=data.get("zone"), date=data["date"]
            )
            quantity, rate, amount = services.work_entry_price(
                task=data["task"], basis=data["basis"], date=data["date"], quantity=data["quantity"]
            )
            services.day_pay_check(
                villager=data["villager"],
                date=data["date"],
                amount=amount,
                days=days_by_the_day(data["basis"], quantity),
                excluding=self.instance.pk,
            )
        except services.WorkforceError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
            return data
        self.instance.rate, self.instance.amount = rate, amount
        return data


class WageBatchForm(WagtailAdminModelForm):
    """A new batch is a period; an existing one takes its next step (approve, reopen, pay)."""

    action = forms.ChoiceField(label=_("Next step"), widget=forms.RadioSelect)

    class Meta:
        model = WageBatch
        fields = ["period_start", "period_end", "paid_on", "reference"]
        help_texts = {
            "period_start": _("The batch gathers the unbatched work entries of the period."),
            "paid_on": _("When paying: the day the bank paid the batch."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        batch = self.instance
        if batch.pk is None:
            for name in ("action", "paid_on", "reference"):
                del self.fields[name]
            return
        for name in ("period_start", "period_end"):
            self.fields[name].disabled = True
        steps = {
            WageBatch.Status.DRAFT: [("approve", _("Approve: lock its work entries"))],
            WageBatch.Status.APPROVED: [
                ("pay", _("Paid: record the bank payment (final)")),
                ("reopen", _("Back to draft: unlock its work entries")),
            ],
        }.get(batch.status, [])
        if not steps:
            for name in ("action", "paid_on", "reference"):
                self.fields[name].disabled = True
            del self.fields["action"]
            return
        self.fields["action"].choices = steps
        if batch.status != WageBatch.Status.APPROVED:
            del self.fields["paid_on"]
            del self.fields["reference"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            start, end = data.get("period_start"), data.get("period_end")
            if start and end and end < start:
                self.add_error("period_end", _("The period must not end before it starts."))
        elif data.get("action") == "pay" and not data.get("paid_on"):
            self.add_error("paid_on", _("Give the day the bank paid the batch."))
        return data


class WorkforceViewSet(
    NumberColumnsViewSetMixin,
    BackgroundExportViewSetMixin,
    HistoryViewSetMixin,
    ListingQuerysetMixin,
    ModelViewSet,
):
    """A model viewset whose refusals answer 403 instead of redirecting to the dashboard;
    each object's history is open to those who may see it."""

    def construct_view(self, view_class, **kwargs):
        return views.forbidden_as_403(super().construct_view(view_class, **kwargs))


class VillageViewSet(WorkforceViewSet):
    name = "workforce_village"
    url_prefix = "workforce/villages"
    model = Village
    icon = "home"
    menu_label = _("Villages")
    list_display = ["code", "name", "name_en"]
    list_export = ["code", "name", "name_en"]
    form_fields = ["code", "name", "name_en"]


class VillageGroupViewSet(WorkforceViewSet):
    name = "workforce_villagegroup"
    url_prefix = "workforce/groups"
    model = VillageGroup
    icon = "group"
    menu_label = _("Village groups")
    list_display = ["village", "number", "name"]
    list_filter = ["village"]
    form_fields = ["village", "number", "name"]


class HouseholdViewSet(WorkforceViewSet):
    name = "workforce_household"
    url_prefix = "workforce/households"
    model = Household
    icon = "home"
    menu_label = _("Households")
    list_display = ["code", "head_name", "group"]
    list_filter = ["group__village"]
    search_fields = ["code", "head_name"]
    list_export = ["code", "head_name", "group"]
    form_fields = ["code", "group", "head_name"]

    def listing_queryset(self):
        return Household.objects.select_related("group__village")


class HouseholdStatusViewSet(WorkforceViewSet):
    name = "workforce_householdstatus"
    url_prefix = "workforce/household-statuses"
    model = HouseholdStatus
    icon = "date"
    menu_label = _("Poverty status changes")
    list_display = ["household", "status", "since", "note"]
    list_filter = ["status"]
    list_export = ["household", "status", "since", "note"]
    form_fields = ["household", "status", "since", "note"]

    def listing_queryset(self):
        return HouseholdStatus.objects.select_related("household")


class VillagerViewSet(WorkforceViewSet):
    name = "workforce_villager"
    url_prefix = "workforce/villagers"
    model = Villager
    icon = "user"
    menu_label = _("Villagers")
    list_display = ["name", "household", "gender", "birth_year", "masked_id_number"]
    list_filter = ["gender", "household__group__village"]
    search_fields = ["name", "phone"]
    list_export = ["name", "household", "gender", "birth_year", "phone", "masked_id_number"]
    export_headings = {"masked_id_number": _("ID number")}
    edit_handler = ObjectList(
        [
            FieldPanel("household"),
            FieldPanel("name"),
            FieldPanel("gender"),
            FieldPanel("birth_year"),
            FieldPanel("phone"),
            FieldPanel("new_id_number"),
        ],
        base_form_class=VillagerForm,
    )

    def listing_queryset(self):
        return Villager.objects.select_related("household")


class EmploymentViewSet(WorkforceViewSet):
    name = "workforce_employment"
    url_prefix = "workforce/employment"
    model = Employment
    icon = "clipboard-list"
    menu_label = _("Employment")
    list_display = ["villager", "role", "kind", "starts_on", "ends_on"]
    list_filter = ["kind"]
    list_export = ["villager", "role", "kind", "starts_on", "ends_on"]
    form_fields = ["villager", "role", "kind", "starts_on", "ends_on"]

    def listing_queryset(self):
        return Employment.objects.select_related("villager")


class TaskViewSet(WorkforceViewSet):
    name = "workforce_task"
    url_prefix = "workforce/tasks"
    model = Task
    icon = "tasks"
    menu_label = pgettext_lazy("kinds of work", "Tasks")
    list_display = ["code", "name", "name_en"]
    form_fields = ["code", "name", "name_en"]


class RateViewSet(WorkforceViewSet):
    name = "workforce_rate"
    url_prefix = "workforce/rates"
    model = Rate
    icon = "tag"
    menu_label = _("Rate table")
    list_display = ["task", "basis", "amount", "effective_from"]
    list_filter = ["task", "basis"]
    list_export = ["task", "basis", "amount", "effective_from"]
    form_fields = ["task", "basis", "amount", "effective_from"]

    def listing_queryset(self):
        return Rate.objects.select_related("task")


class CrewViewSet(WorkforceViewSet):
    name = "workforce_crew"
    url_prefix = "workforce/crews"
    model = Crew
    icon = "group"
    menu_label = _("Crews")
    list_display = ["name", "village"]
    form_fields = ["name", "village"]


class WorkEntryViewSet(WorkforceViewSet):
    name = "workforce_workentry"
    url_prefix = "workforce/work"
    model = WorkEntry
    icon = "time"
    menu_label = _("Work entries")
    add_to_admin_menu = False
    list_display = [
        "date",
        "villager",
        "task",
        "crew",
        "basis",
        "quantity",
        FigureColumn("rate", label=_("Rate (CNY)"), kind="amount", sort_key="rate"),
        FigureColumn("amount", label=_("Amount (CNY)"), kind="amount", sort_key="amount"),
        "batch",
    ]
    list_filter = {
        "date": ["gte", "lte"],
        "task": ["exact"],
        "crew": ["exact"],
        "planting": ["exact"],
        "batch": ["exact"],
    }
    list_export = [
        "date",
        "villager",
        "task",
        "crew",
        "zone",
        "planting",
        "basis",
        "quantity",
        "rate",
        "amount",
    ]
    list_per_page = 100
    edit_view_class = views.WorkEntryEditView
    delete_view_class = views.WorkEntryDeleteView
    # Rate and amount come from the rate table through the service, never typed.
    edit_handler = ObjectList(
        [FieldPanel(name) for name in WorkEntryForm.Meta.fields],
        base_form_class=WorkEntryForm,
    )

    def listing_queryset(self):
        return WorkEntry.objects.select_related("villager", "task", "crew", "planting", "batch")


class PaySheetColumn(Column):
    def get_value(self, instance):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("workforce_pay_sheet", args=[instance.pk]),
            _("Pay sheet"),
        )


class WageBatchViewSet(WorkforceViewSet):
    name = "workforce_wagebatch"
    url_prefix = "workforce/wage-batches"
    model = WageBatch
    icon = "doc-full"
    menu_label = _("Wage batches")
    list_display = [
        "__str__",
        "status",
        "paid_on",
        "reference",
        PaySheetColumn("pay_sheet", label=_("Pay sheet")),
    ]
    list_filter = ["status"]
    list_export = ["period_start", "period_end", "status", "paid_on", "reference"]
    add_view_class = views.WageBatchCreateView
    edit_view_class = views.WageBatchEditView
    edit_handler = ObjectList(
        [
            FieldPanel("period_start"),
            FieldPanel("period_end"),
            FieldPanel("action"),
            FieldPanel("paid_on"),
            FieldPanel("reference"),
        ],
        base_form_class=WageBatchForm,
    )


class LandLeaseViewSet(WorkforceViewSet):
    name = "workforce_landlease"
    url_prefix = "workforce/leases"
    model = LandLease
    icon = "site"
    menu_label = _("Land leases")
    list_display = ["household", "area_mu", "area_m2", "rent_per_mu_year", "starts_on", "ends_on"]
    list_export = ["household", "area_mu", "area_m2", "rent_per_mu_year", "starts_on", "ends_on"]
    form_fields = ["household", "area_mu", "rent_per_mu_year", "starts_on", "ends_on"]

    def listing_queryset(self):
        return LandLease.objects.select_related("household")


class RentPaymentViewSet(WorkforceViewSet):
    name = "workforce_rentpayment"
    url_prefix = "workforce/rent"
    model = RentPayment
    icon = "doc-full-inverse"
    menu_label = _("Rent payments")
    list_display = ["lease", "paid_on", "amount", "reference"]
    list_export = ["lease", "paid_on", "amount", "reference"]
    form_fields = ["lease", "paid_on", "amount", "reference"]

    def listing_queryset(self):
        return RentPayment.objects.select_related("lease__household")


class WorkforceGroup(ViewSetGroup):
    menu_label = _("Workforce")
    menu_icon = "group"
    menu_order = 300
    items = (
        VillagerViewSet,
        HouseholdViewSet,
        HouseholdStatusViewSet,
        VillageViewSet,
        VillageGroupViewSet,
        EmploymentViewSet,
        CrewViewSet,
        TaskViewSet,
        RateViewSet,
        WorkEntryViewSet,
        WageBatchViewSet,
        LandLeaseViewSet,
        RentPaymentViewSet,
    )


@hooks.register("register_admin_viewset")
def register_workforce_viewsets():
    return WorkforceGroup()


@hooks.register("register_admin_urls")
def register_workforce_admin_urls():
    return [
        path("workforce/report/", views.report_view, name="workforce_report"),
        path("workforce/roster/", views.roster_view, name="workforce_roster"),
        path("workforce/pay-sheet/<int:pk>/", views.pay_sheet_view, name="workforce_pay_sheet"),
        path(
            "workforce/work/<int:pk>/correct/",
            views.forbidden_as_403(views.WorkEntryCorrectView.as_view()),
            name="workforce_workentry_correct",
        ),
        path(
            "workforce/crew-day/",
            views.forbidden_as_403(views.CrewDayView.as_view()),
            name="workforce_crew_day",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_job_report_menu_item():
    return PermissionMenuItem(
        _("Job-creation report"),
        reverse("workforce_report"),
        icon_name="group",
        order=710,
        permission="workforce.view_workentry",
    )


@hooks.register("register_reports_menu_item")
def register_roster_menu_item():
    return PermissionMenuItem(
        _("Roster (花名册)"),
        reverse("workforce_roster"),
        icon_name="list-ul",
        order=720,
        permission="workforce.view_villager",
    )


@hooks.register("register_admin_menu_item")
def register_crew_day_menu_item():
    return PermissionMenuItem(
        _("Crew's day"),
        reverse("workforce_crew_day"),
        icon_name="time",
        order=310,
        permission="workforce.add_workentry",
    )


@hooks.register("construct_homepage_panels")
def add_workforce_panels(request, panels):
    add_panels(request, panels, CrewsTodayPanel, JobFiguresPanel)
