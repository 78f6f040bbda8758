from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NurseryConfig(AppConfig):
    name = "nursery"
    label = "nursery"
    verbose_name = _("Nursery")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .history import track_changes

        track_changes()
