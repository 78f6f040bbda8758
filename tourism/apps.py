from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TourismConfig(AppConfig):
    name = "tourism"
    label = "tourism"
    verbose_name = _("Tourism")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .images import guard_renditions
        from .renditions import register_rendition_tasks
        from .signal_handlers import register_signal_handlers
        from .tickets.history import track_changes

        track_changes()

        register_signal_handlers()
        guard_renditions()
        register_rendition_tasks()
        register_page_permission_policy()


def register_page_permission_policy() -> None:
    """Serve every page permission check through the moderation-aware policy."""
    # Imported first: the module registers Wagtail's own policy when it loads.
    from wagtail.models import AbstractPage
    from wagtail.permissions import register_permission_policy

    from .publishing import ModeratedPagePermissionPolicy

    register_permission_policy(AbstractPage, ModeratedPagePermissionPolicy())
