from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TourismConfig(AppConfig):
    name = "tourism"
    label = "tourism"
    verbose_name = _("Tourism")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .images import guard_renditions
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        guard_renditions()
