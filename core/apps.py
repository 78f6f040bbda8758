from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = _("Shared parts")

    def ready(self):
        from .exports import make_wagtail_exports_safe

        make_wagtail_exports_safe()
