from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "workforce"
    label = "workforce"
    verbose_name = _("Workforce")
    default_auto_field = "django.db.models.BigAutoField"
