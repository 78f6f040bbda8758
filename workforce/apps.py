from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "workforce"
    label = "workforce"
    verbose_name = _("Workforce")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.crews import register_crew_source
        from core.export_jobs import register_export_kind

        from . import signals
        from .history import track_changes
        from .models import Crew, WorkEntry

        register_crew_source(lambda: Crew.objects.values_list("name", flat=True))
        # Downloads larger than a screen are built by the task queue (core/export_jobs.py).
        for kind in ("report", "roster", "pay_sheet"):
            register_export_kind(f"workforce_{kind}", f"workforce.views.{kind}_spreadsheet")

        track_changes()

        pre_save.connect(signals.remember_month, sender=WorkEntry, dispatch_uid="workmonth-before")
        post_save.connect(
            signals.recount_after_save, sender=WorkEntry, dispatch_uid="workmonth-save"
        )
        post_delete.connect(
            signals.recount_after_delete, sender=WorkEntry, dispatch_uid="workmonth-delete"
        )
