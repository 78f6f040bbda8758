from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NurseryConfig(AppConfig):
    name = "nursery"
    label = "nursery"
    verbose_name = _("Nursery")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.export_jobs import register_export_kind

        from .history import track_changes

        track_changes()
        # Large exports of the reports are built by the task queue (core/export_jobs.py).
        for kind, view in (
            ("nursery_stock_report", "StockReportView"),
            ("nursery_availability_report", "AvailabilityReportView"),
            ("nursery_plantings_report", "PlantingsByMonthReportView"),
            ("nursery_survival_report", "SurvivalReportView"),
        ):
            register_export_kind(kind, f"nursery.admin_views.{view}")
