"""The one model of the shared parts: what a bulk write with no single owner hangs its history on."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BulkWrite(models.Model):
    """One import (or another bulk write with no single object it belongs to).

    Its history holds the one log entry of the write: who, when, how many objects it
    created and the first few of them.
    """

    what = models.CharField(_("what"), max_length=200)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk write")
        verbose_name_plural = _("bulk writes")

    def __str__(self):
        return f"{self.what} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"


# The park's geography and the export jobs are modules of their own; their models
# register with this app.
from .export_jobs import ExportJob  # noqa: E402, F401
from .park_map import Facility, ParkMap  # noqa: E402, F401
