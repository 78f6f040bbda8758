"""Wires the nursery admin: catalogue and stock viewsets, service-backed forms, reports, import."""

from django.db.models import Count
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from core.admin import (
    ListingQuerysetMixin,
    NumberColumnsViewSetMixin,
    PermissionMenuItem,
    YesNoColumn,
)
from core.dashboard import add_panels
from core.export_listings import BackgroundExportViewSetMixin
from core.history_admin import HistoryViewSetMixin
from core.map_widget import POINT, POLYGON, MapWidget

from . import admin_views
from .admin_views import (
    ForbiddenInsteadOfRedirect,
    LotInspectView,
    NurseryCreateView,
    NurseryDeleteView,
    NurseryEditView,
    TreeCreateView,
    TreeEditView,
    TreeInspectView,
)
from .dashboard import ManagerPanel
from .map_layers import zones_reference
from .models import (
    Acquisition,
    AcquisitionLine,
    Customer,
    Planting,
    Reservation,
    Species,
    SpecimenMeasurement,
    SpecimenPhoto,
    SpecimenTree,
    StockEntry,
    StockLot,
    Supplier,
    SurvivalCheck,
    Zone,
)
from .planting_admin import PlantingCreateView
from .zone_map import ZoneMapView

SPEC_FIELDS = [
    "stem_diameter_cm",
    "stem_measured_at",
    "ground_diameter_cm",
    "height_cm",
    "crown_cm",
    "branching_height_cm",
    "root_ball_diameter_cm",
    "root_ball_depth_cm",
]


class ZoneCreateView(ForbiddenInsteadOfRedirect, snippet_views.CreateView):
    pass


class ZoneEditView(ForbiddenInsteadOfRedirect, snippet_views.EditView):
    pass


class ZoneDeleteView(ForbiddenInsteadOfRedirect, snippet_views.DeleteView):
    pass


class ZoneViewSet(NumberColumnsViewSetMixin, BackgroundExportViewSetMixin, SnippetViewSet):
    model = Zone
    icon = "site"
    menu_label = _("Zones")
    add_to_admin_menu = True
    menu_order = 400
    list_display = ["code", "name", "name_en", "area_mu", "area_m2", "use"]
    list_filter = ["use"]
    search_fields = ["code", "name", "name_en"]
    list_export = ["code", "name", "name_en", "area_mu", "area_m2", "use"]
    add_view_class = ZoneCreateView
    edit_view_class = ZoneEditView
    delete_view_class = ZoneDeleteView
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("area_mu"),
        FieldPanel("use"),
        FieldPanel("boundary", widget=MapWidget(POLYGON, reference=zones_reference)),
    ]


register_snippet(ZoneViewSet)


class LogPermissionPolicy(ModelPermissionPolicy):
    """Logs are written by the services (forms that check the ledger), never edited in a generic form."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)


class NurseryViewSet(
    NumberColumnsViewSetMixin,
    BackgroundExportViewSetMixin,
    HistoryViewSetMixin,
    ListingQuerysetMixin,
    ModelViewSet,
):
    add_view_class = NurseryCreateView
    edit_view_class = NurseryEditView
    delete_view_class = NurseryDeleteView
    list_per_page = 50


class PlantingPermissionPolicy(LogPermissionPolicy):
    """Plantings are added through their own page (``nursery/planting_admin.py``), never edited."""

    def user_has_permission(self, user, action):
        if action == "add":
            return ModelPermissionPolicy.user_has_permission(self, user, action)
        return super().user_has_permission(user, action)


for log_model in (Acquisition, AcquisitionLine, StockEntry, SurvivalCheck, Reservation):
    register_permission_policy(log_model, LogPermissionPolicy(log_model))
register_permission_policy(Planting, PlantingPermissionPolicy(Planting))


class LogViewSet(NurseryViewSet):
    inspect_view_enabled = True


class SpeciesViewSet(NurseryViewSet):
    name = "nursery_species"
    url_prefix = "nursery/species"
    model = Species
    icon = "pick"
    menu_label = _("Species")
    list_display = [
        "scientific_name",
        "name",
        "name_en",
        "family",
        "form",
        "leaf_habit",
        "bloom_months_label",
    ]
    list_filter = ["form", "leaf_habit", "family"]
    search_fields = ["scientific_name", "name", "name_en", "family"]
    list_export = [
        "scientific_name",
        "name",
        "name_en",
        "family",
        "form",
        "leaf_habit",
        "bloom_months_label",
    ]
    form_fields = [
        "scientific_name",
        "name",
        "name_en",
        "family",
        "form",
        "leaf_habit",
        "bloom_months",
    ]


class SupplierViewSet(NurseryViewSet):
    name = "nursery_supplier"
    url_prefix = "nursery/suppliers"
    model = Supplier
    icon = "group"
    menu_label = _("Suppliers")
    list_display = ["name", "province", "contact", "phone"]
    list_filter = ["province"]
    search_fields = ["name", "province", "contact"]
    list_export = ["name", "province", "contact", "phone"]
    form_fields = ["name", "province", "contact", "phone"]


class CustomerViewSet(NurseryViewSet):
    name = "nursery_customer"
    url_prefix = "nursery/customers"
    model = Customer
    icon = "user"
    menu_label = _("Customers")
    list_display = ["name", "contact", "phone"]
    search_fields = ["name", "contact"]
    list_export = ["name", "contact", "phone", "notes"]
    form_fields = ["name", "contact", "phone", "notes"]


class StockLotViewSet(NurseryViewSet):
    name = "nursery_stocklot"
    url_prefix = "nursery/lots"
    model = StockLot
    icon = "list-ul"
    menu_label = _("Stock lots")
    inspect_view_enabled = True
    inspect_view_class = LotInspectView
    list_display = [
        "code",
        "species",
        "spec_label",
        "zone",
        "grown",
        "on_hand",
        "reserved",
        "available",
        "unit_cost",
    ]
    list_filter = ["species", "zone", "grown"]
    search_fields = ["code", "species__name", "species__name_en", "species__scientific_name"]
    list_export = [
        "code",
        "species",
        "spec_label",
        "zone",
        "grown",
        "seedling_age_years",
        "on_hand",
        "reserved",
        "available",
        "unit_cost",
        "sale_price",
    ]
    form_fields = [
        "code",
        "species",
        "zone",
        "grown",
        "seedling_age_years",
        *SPEC_FIELDS,
        "unit_cost",
        "sale_price",
        "reorder_level",
        "notes",
    ]
    inspect_view_fields = [
        "code",
        "species",
        "zone",
        "grown",
        "seedling_age_years",
        "unit_cost",
        "sale_price",
        "on_hand",
        "reserved",
        "notes",
    ]

    def listing_queryset(self):
        return StockLot.objects.select_related("species", "zone")


class SpecimenTreeViewSet(NurseryViewSet):
    name = "nursery_specimentree"
    url_prefix = "nursery/trees"
    model = SpecimenTree
    icon = "pick"
    menu_label = _("Specimen trees")
    inspect_view_enabled = True
    inspect_view_class = TreeInspectView
    list_display = [
        "tag",
        "species",
        "origin_province",
        "zone",
        "planted_on",
        "status",
        "cost",
        YesNoColumn(SpecimenTree, "public"),
    ]
    list_filter = ["species", "zone", "status", "public", "origin_province"]
    search_fields = ["tag", "species__name", "species__scientific_name", "origin_province"]
    list_export = [
        "tag",
        "species",
        "origin_province",
        "zone",
        "planted_on",
        "status",
        "cost",
        "public",
    ]
    form_fields = [
        "tag",
        "species",
        "origin_province",
        "origin_province_en",
        "cost",
        "estimated_age_years",
        "zone",
        "planted_on",
        "status",
        "photo",
        "story",
        "story_en",
        "public",
        "location",
        "location_accuracy_m",
    ]
    add_view_class = TreeCreateView
    edit_view_class = TreeEditView
    inspect_view_fields = [
        "tag",
        "species",
        "origin_province",
        "cost",
        "estimated_age_years",
        "zone",
        "planted_on",
        "status",
        "public",
        "story",
    ]

    def listing_queryset(self):
        return SpecimenTree.objects.select_related("species", "zone")

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "location":
            kwargs["widget"] = MapWidget(POINT, reference=zones_reference)
        return super().formfield_for_dbfield(db_field, **kwargs)


class MeasurementViewSet(NurseryViewSet):
    name = "nursery_measurement"
    url_prefix = "nursery/measurements"
    model = SpecimenMeasurement
    icon = "resubmit"
    menu_label = _("Tree measurements")
    list_display = ["tree", "measured_on", "spec_label"]
    list_filter = ["measured_on"]
    search_fields = ["tree__tag"]
    list_export = ["tree", "measured_on", *SPEC_FIELDS]
    form_fields = ["tree", "measured_on", *SPEC_FIELDS]


class PhotoViewSet(NurseryViewSet):
    name = "nursery_specimenphoto"
    url_prefix = "nursery/tree-photos"
    model = SpecimenPhoto
    icon = "image"
    menu_label = _("Tree photos")
    list_display = ["tree", "taken_on", "caption"]
    search_fields = ["tree__tag", "caption"]
    list_export = ["tree", "taken_on", "caption"]
    form_fields = ["tree", "image", "taken_on", "caption"]


class AcquisitionViewSet(LogViewSet):
    name = "nursery_acquisition"
    url_prefix = "nursery/acquisitions"
    model = Acquisition
    icon = "download"
    menu_label = _("Acquisitions")
    list_display = [
        "reference",
        "supplier",
        "origin_province",
        "acquired_on",
        "transport_cost",
        "crane_cost",
        "root_ball_cost",
    ]
    list_filter = {
        "supplier": ["exact"],
        "origin_province": ["exact"],
        "acquired_on": ["gte", "lte"],
    }
    search_fields = ["reference", "supplier__name", "origin_province"]
    list_export = [
        "reference",
        "supplier",
        "origin_province",
        "acquired_on",
        "transport_cost",
        "crane_cost",
        "root_ball_cost",
        "allocation",
    ]
    form_fields = ["reference"]


class AcquisitionLineViewSet(LogViewSet):
    name = "nursery_acquisitionline"
    url_prefix = "nursery/acquisition-lines"
    model = AcquisitionLine
    icon = "list-ol"
    menu_label = _("Acquisition lines")
    list_display = [
        "acquisition",
        "species",
        "quantity",
        "unit_price",
        "allocated_cost",
        "landed_unit_cost",
    ]
    list_filter = ["acquisition__supplier", "species"]
    search_fields = ["acquisition__reference", "species__name", "species__scientific_name"]
    list_export = [
        "acquisition",
        "species",
        "quantity",
        "unit_price",
        "allocated_cost",
        "landed_total",
        "landed_unit_cost",
    ]
    form_fields = ["quantity"]

    def listing_queryset(self):
        return AcquisitionLine.objects.select_related("acquisition__supplier", "species")


class StockEntryViewSet(LogViewSet):
    name = "nursery_stockentry"
    url_prefix = "nursery/ledger"
    model = StockEntry
    icon = "list-ul"
    menu_label = _("Stock ledger")
    list_display = ["occurred_at", "lot", "kind", "quantity", "unit_cost", "value", "created_by"]
    list_filter = {
        "kind": ["exact"],
        "lot__zone": ["exact"],
        "lot__species": ["exact"],
        "occurred_at": ["gte", "lte"],
    }
    search_fields = ["lot__code", "note"]
    list_export = [
        "occurred_at",
        "lot",
        "kind",
        "quantity",
        "unit_cost",
        "value",
        "note",
        "created_by",
    ]
    form_fields = ["note"]
    ordering = ["-occurred_at", "-pk"]

    def listing_queryset(self):
        return StockEntry.objects.select_related("lot__species", "created_by")


class CrewWorkColumn(Column):
    """Links a planting to the crew's-day form that records its crew's work against it."""

    def get_value(self, instance):
        url = f"{reverse('workforce_crew_day')}?planting={instance.pk}"
        if instance.work_entry_count:
            label = ngettext(
                "%(count)s work entry · add",
                "%(count)s work entries · add",
                instance.work_entry_count,
            ) % {"count": instance.work_entry_count}
        else:
            label = _("Record the crew's work")
        return format_html('<a href="{}">{}</a>', url, label)


class PlantingViewSet(LogViewSet):
    name = "nursery_planting"
    url_prefix = "nursery/plantings"
    model = Planting
    icon = "pick"
    menu_label = _("Plantings")
    list_display = [
        "planted_on",
        "zone",
        "species",
        "lot",
        "quantity",
        "crew",
        "supplier",
        CrewWorkColumn("crew_work", label=_("Crew's work")),
    ]
    list_filter = {
        "zone": ["exact"],
        "species": ["exact"],
        "supplier": ["exact"],
        "planted_on": ["gte", "lte"],
    }
    search_fields = ["crew", "notes", "species__name"]
    # Newest first: the planting just recorded heads the list.
    ordering = ["-planted_on", "-pk"]
    list_export = [
        "planted_on",
        "zone",
        "species",
        "lot",
        "quantity",
        "crew",
        "supplier",
        "replaces",
    ]
    form_fields = ["notes"]

    def listing_queryset(self):
        return Planting.objects.select_related(
            "zone", "species", "lot__species", "supplier"
        ).annotate(work_entry_count=Count("work_entries"))

    @property
    def add_view(self):
        # Through the service and its checks, not a generic model form.
        return PlantingCreateView.as_view()

    def get_urlpatterns(self):
        # ``add/`` as well as Wagtail's ``new/``: the address staff guess first.
        return [
            *super().get_urlpatterns(),
            path("add/", self.add_view, name="add_alias"),
        ]


class SurvivalCheckViewSet(LogViewSet):
    name = "nursery_survivalcheck"
    url_prefix = "nursery/survival-checks"
    model = SurvivalCheck
    icon = "tick"
    menu_label = _("Survival checks")
    list_display = ["due_on", "planting", "months_after", "checked_on", "alive", "weak", "dead"]
    list_filter = {
        "months_after": ["exact"],
        "planting__zone": ["exact"],
        "due_on": ["gte", "lte"],
        "checked_on": ["isnull"],
    }
    search_fields = ["planting__species__name", "notes"]
    list_export = [
        "due_on",
        "planting",
        "months_after",
        "checked_on",
        "alive",
        "weak",
        "dead",
        "notes",
    ]
    form_fields = ["notes"]

    def listing_queryset(self):
        return SurvivalCheck.objects.select_related("planting__zone", "planting__species")


class ReservationViewSet(LogViewSet):
    name = "nursery_reservation"
    url_prefix = "nursery/reservations"
    model = Reservation
    icon = "lock"
    menu_label = _("Reservations")
    list_display = [
        "created_at",
        "customer",
        "project",
        "lot",
        "quantity",
        "delivered",
        "unit_price",
        "status",
    ]
    list_filter = ["status", "customer"]
    search_fields = ["customer__name", "project", "lot__code"]
    list_export = [
        "created_at",
        "customer",
        "project",
        "lot",
        "quantity",
        "delivered",
        "unit_price",
        "status",
    ]
    form_fields = ["project"]

    def listing_queryset(self):
        return Reservation.objects.select_related("customer", "lot__species")


class NurseryGroup(ViewSetGroup):
    menu_label = _("Nursery")
    menu_icon = "pick"
    menu_order = 300
    items = (
        StockLotViewSet,
        SpecimenTreeViewSet,
        PlantingViewSet,
        SurvivalCheckViewSet,
        StockEntryViewSet,
        ReservationViewSet,
        AcquisitionViewSet,
        AcquisitionLineViewSet,
        SpeciesViewSet,
        SupplierViewSet,
        CustomerViewSet,
        MeasurementViewSet,
        PhotoViewSet,
    )


@hooks.register("register_admin_viewset")
def register_nursery_viewsets():
    return NurseryGroup()


REPORTS = [
    ("stock", admin_views.StockReportView),
    ("availability", admin_views.AvailabilityReportView),
    ("plantings", admin_views.PlantingsByMonthReportView),
    ("survival", admin_views.SurvivalReportView),
]


@hooks.register("register_admin_urls")
def register_nursery_admin_urls():
    urls = [
        path(
            "nursery/stock/record/",
            admin_views.StockMovementView.as_view(),
            name="nursery_stock_record",
        ),
        path(
            "nursery/reserve/", admin_views.ReservationCreateView.as_view(), name="nursery_reserve"
        ),
        path("nursery/deliver/", admin_views.DeliveryView.as_view(), name="nursery_deliver"),
        path("nursery/import/", admin_views.ImportView.as_view(), name="nursery_import"),
        path("nursery/zone-map/", ZoneMapView.as_view(), name="nursery_zone_map"),
        path(
            "nursery/purchase/",
            admin_views.AcquisitionView.as_view(),
            name="nursery_acquisition_record",
        ),
    ]
    for slug, view in REPORTS:
        urls += [
            path(f"reports/nursery-{slug}/", view.as_view(), name=f"nursery_{slug}_report"),
            path(
                f"reports/nursery-{slug}/results/",
                view.as_view(results_only=True),
                name=f"nursery_{slug}_report_results",
            ),
        ]
    return urls


@hooks.register("register_admin_menu_item")
def register_purchase_menu_item():
    return PermissionMenuItem(
        _("Record a purchase"),
        reverse("nursery_acquisition_record"),
        icon_name="download",
        order=405,
        permission="nursery.add_acquisition",
    )


@hooks.register("register_reports_menu_item")
def register_stock_report_menu_item():
    return PermissionMenuItem(
        _("Nursery stock and valuation"),
        reverse("nursery_stock_report"),
        icon_name="list-ul",
        order=710,
        permission="nursery.view_stocklot",
    )


@hooks.register("register_reports_menu_item")
def register_availability_report_menu_item():
    return PermissionMenuItem(
        _("Nursery availability list"),
        reverse("nursery_availability_report"),
        icon_name="tick",
        order=711,
        permission="nursery.view_stocklot",
    )


@hooks.register("register_reports_menu_item")
def register_plantings_report_menu_item():
    return PermissionMenuItem(
        _("Plantings by month"),
        reverse("nursery_plantings_report"),
        icon_name="date",
        order=712,
        permission="nursery.view_planting",
    )


@hooks.register("register_reports_menu_item")
def register_survival_report_menu_item():
    return PermissionMenuItem(
        _("Survival rates"),
        reverse("nursery_survival_report"),
        icon_name="pick",
        order=713,
        permission="nursery.view_planting",
    )


@hooks.register("register_admin_menu_item")
def register_nursery_forms_menu_item():
    return PermissionMenuItem(
        _("Record stock movement"),
        reverse("nursery_stock_record"),
        icon_name="edit",
        order=301,
        permission="nursery.add_stockentry",
    )


@hooks.register("register_admin_menu_item")
def register_nursery_import_menu_item():
    return PermissionMenuItem(
        _("Import lots and trees"),
        reverse("nursery_import"),
        icon_name="upload",
        order=302,
        permission="nursery.add_stocklot",
    )


@hooks.register("register_admin_menu_item")
def register_zone_map_menu_item():
    return PermissionMenuItem(
        _("Zone map"),
        reverse("nursery_zone_map"),
        icon_name="site",
        order=303,
        permission="nursery.view_stocklot",
    )


@hooks.register("construct_homepage_panels")
def add_manager_panel(request, panels):
    add_panels(request, panels, ManagerPanel)
