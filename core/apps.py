from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = _("Shared parts")

    def ready(self):
        from . import logs, metrics
        from .admin import register_field_displays
        from .exports import make_wagtail_exports_safe
        from .sheets import make_wagtail_xlsx_readable

        make_wagtail_exports_safe()
        register_field_displays()
        make_wagtail_xlsx_readable()
        # The web process and the task worker both load the apps: both get these.
        logs.connect_task_signals()
        metrics.connect_task_signals()
