"""My exports: the user's own export jobs (``core/export_jobs.py``), and their downloads.

Each user sees and downloads only their own files; another's job, or one that does not
exist, is a 404, so ids say nothing about who exported what.
"""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem

from .admin import AdminPageMixin
from .export_jobs import CONTENT_TYPES, ExportJob

# Jobs are kept for EXPORTS_KEEP_DAYS; this bounds the page for someone who exports a lot.
SHOWN = 200


class ExportJobsView(AdminPageMixin, TemplateView):
    """The user's exports, newest first: waiting, being prepared, ready to download or failed."""

    template_name = "core/export_jobs.html"
    page_title = gettext_lazy("My exports")
    header_icon = "download"

    def get_context_data(self, **kwargs):
        jobs = list(ExportJob.objects.filter(owner=self.request.user)[:SHOWN])
        return {
            **super().get_context_data(**kwargs),
            "jobs": jobs,
            "keep_days": settings.EXPORTS_KEEP_DAYS,
            # The page looks again by itself while a file is being prepared.
            "refresh_seconds": 5 if any(job.pending for job in jobs) else None,
        }


def export_job_download(request, pk: int):
    """A ready export's file, to its owner only."""
    job = get_object_or_404(ExportJob, pk=pk, owner=request.user, status=ExportJob.Status.DONE)
    try:
        file = job.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    return FileResponse(
        file, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format]
    )


class ExportsMenuItem(MenuItem):
    """Reports → My exports, shown to whoever has exports to look at."""

    def is_shown(self, request):
        return ExportJob.objects.filter(owner=request.user).exists()
