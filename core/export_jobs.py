"""Exports larger than a screen are built by the task queue, not while the request waits.

A report of a few hundred rows downloads at once. A larger one (more than
``EXPORTS_INLINE_MAX_ROWS`` rows) becomes an ``ExportJob``: the request records what to
build and for whom, a worker builds the file (``core.tasks.export_job_build``) and the
owner downloads it from "My exports" (``core/export_jobs_admin.py``). A roster of a whole
year, or every lot of the nursery, then holds up no web worker and meets no proxy's timeout.

The worker builds the file by the very code the download uses, so its cells go through
``core.exports.safe_cell`` the same way:

- an app's own export (the workforce's report, roster and pay sheet) is a
  ``Spreadsheet``, made by a function the app registers (``register_export_kind``) that the
  view calls too;
- a Wagtail report or listing with ``BackgroundExportMixin`` (a viewset's ``list_export``
  through ``core/export_listings.py``) is run again by the worker at its address, as its
  owner, with the filters the owner chose: the job's kind is the view's URL name.

Files live in the default storage under a random name (``exports/<random>.xlsx``): the
name is not a link anyone is given, since only the download view, which checks the owner,
serves them. Jobs and their files are deleted after ``EXPORTS_KEEP_DAYS``
(``core.tasks.export_jobs_clean``, daily).
"""

import datetime
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

logger = logging.getLogger(__name__)

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class ExportRefused(Exception):
    """What to build cannot be built for this user: a permission taken away, a bad filter."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Spreadsheet:
    """An export before it is written: its file's name, what it is called, its rows, its writer.

    ``rows`` counts the rows of data (what "larger than a screen" is measured in);
    ``write(format)`` gives the file's bytes in ``xlsx`` or ``csv``.
    """

    filename: str  # without the extension
    title: str
    rows: int
    write: Callable[[str], bytes]


# What a job may build besides the views: its kind's name, and the dotted path of a
# function ``(params=QueryDict, user=...) -> Spreadsheet``. Paths, not objects: the apps
# register in ``ready()``, before their views may be imported. A view with
# ``BackgroundExportMixin`` needs no entry: its kind is its URL name.
EXPORT_KINDS: dict[str, str] = {}


def register_export_kind(kind: str, builder: str) -> None:
    """Let export jobs of ``kind`` be built by ``builder`` (a dotted path, see ``EXPORT_KINDS``)."""
    EXPORT_KINDS[kind] = builder


def spreadsheet_for(*, kind: str, params: QueryDict, user) -> Spreadsheet:
    """The export a job of ``kind`` builds, for ``user``; ``ExportRefused`` when it may not be."""
    if kind in EXPORT_KINDS:
        builder = import_string(EXPORT_KINDS[kind])
        return builder(params=params, user=user)
    return view_spreadsheet(kind, params=params, user=user)


def export_params(query: QueryDict, *, leave_out=()) -> dict[str, list[str]]:
    """A request's query as JSON for a job: every value of every key, less ``leave_out``."""
    return {key: query.getlist(key) for key in query if key not in leave_out}


def params_query(params: dict) -> QueryDict:
    """A job's recorded query back as the request's ``GET`` it came from."""
    query = QueryDict(mutable=True)
    for key, values in (params or {}).items():
        query.setlist(
            str(key),
            [str(value) for value in values] if isinstance(values, list) else [str(values)],
        )
    return query


def row_count(rows) -> int:
    """How many rows a listing holds: counted by the database for a queryset."""
    return rows.count() if isinstance(rows, models.QuerySet) else len(rows)


# --- Wagtail's reports and listings --------------------------------------------------


class BackgroundExportMixin:
    """A Wagtail report or listing whose export of more than a screen's rows becomes a job.

    The job's kind is the view's ``index_url_name``. The worker runs the view again at
    that address (``view_spreadsheet``), with the same filters, as the same user: the file
    is what the download would have been, permission checks included.
    """

    def get_export_rows(self):
        """The rows the export holds, counted to decide whether it is a job."""
        return self.get_filtered_queryset()

    def get(self, request, *args, **kwargs):
        if getattr(request, "builds_export_job", False):
            # The worker reads the file's name and its rows from the view that wrote it.
            request.export_view = self
        elif self.is_export:
            rows = row_count(self.get_export_rows())
            if rows > settings.EXPORTS_INLINE_MAX_ROWS:
                return export_job_redirect(
                    request,
                    kind=self.index_url_name,
                    params=export_params(request.GET, leave_out=("export", "p")),
                    format=request.GET["export"],
                    title=str(self.get_page_title()),
                    rows=rows,
                )
        return super().get(request, *args, **kwargs)


def export_view_path(url_name: str) -> str | None:
    """The address of the view named ``url_name`` if it builds its large exports as jobs."""
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    try:
        path = reverse(url_name)
        view_class = getattr(resolve(path).func, "view_class", None)
    except (NoReverseMatch, Resolver404):
        return None
    if view_class is None or not issubclass(view_class, BackgroundExportMixin):
        return None
    return path


def view_spreadsheet(url_name: str, *, params: QueryDict, user) -> Spreadsheet:
    """A Wagtail report's or listing's export, made by its view at ``url_name`` for ``user``.

    The request goes through what the URL configuration wraps the view in (the admin's
    access check, the user's language and time zone) and through the view's own
    permission checks, as the download would have.
    """
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory
    from django.urls import resolve

    path = export_view_path(url_name)
    if path is None:
        raise ExportRefused(_("This kind of export no longer exists."))
    sheet = Spreadsheet(filename=url_name, title="", rows=0, write=None)

    def write(format: str) -> bytes:
        query = params.copy()
        query["export"] = format
        request = RequestFactory().get(path, query)
        request.user = user
        # The admin answers a refusal with a message; the worker has no session to keep it.
        request._messages = CookieStorage(request)
        # Marked on the request, not the view: the view is built by the URL configuration.
        request.builds_export_job = True
        match = resolve(path)
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except PermissionDenied as error:
            raise ExportRefused(_("You may no longer read this report.")) from error
        view = getattr(request, "export_view", None)
        if response.status_code != 200 or view is None:
            raise ExportRefused(_("You may no longer read this report."))
        content = b"".join(response.streaming_content) if response.streaming else response.content
        sheet.rows = row_count(view.object_list)
        sheet.filename = view.get_filename()
        sheet.title = str(view.get_page_title())
        return content

    sheet.write = write
    return sheet


# --- the jobs ------------------------------------------------------------------------


def export_file_path(instance, filename: str) -> str:
    """A random name in ``exports/``: nobody can guess another's file."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else instance.format
    return f"exports/{secrets.token_urlsafe(24)}.{extension}"


class ExportJob(models.Model):
    """One export being built, or built, for its owner: what to build, and the file once built."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export", "Waiting")
        RUNNING = "running", pgettext_lazy("export", "Being prepared")
        DONE = "done", pgettext_lazy("export", "Ready")
        FAILED = "failed", pgettext_lazy("export", "Failed")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=gettext_lazy("owner"),
    )
    title = models.CharField(gettext_lazy("title"), max_length=200)
    kind = models.CharField(gettext_lazy("kind"), max_length=100)
    params = models.JSONField(gettext_lazy("filters"), default=dict, blank=True)
    language = models.CharField(gettext_lazy("language"), max_length=16, blank=True)
    format = models.CharField(gettext_lazy("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        gettext_lazy("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    row_count = models.PositiveIntegerField(gettext_lazy("rows"), null=True, blank=True)
    file = models.FileField(
        gettext_lazy("file"), upload_to=export_file_path, max_length=200, blank=True
    )
    filename = models.CharField(gettext_lazy("file name"), max_length=200, blank=True)
    error = models.TextField(gettext_lazy("error"), blank=True)
    created_at = models.DateTimeField(
        gettext_lazy("queued at"), default=timezone.now, db_index=True
    )
    finished_at = models.DateTimeField(gettext_lazy("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = gettext_lazy("export")
        verbose_name_plural = gettext_lazy("exports")
        indexes = [models.Index(fields=["owner", "-created_at"], name="core_export_owner_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="core_export_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(format__in=FORMATS), name="core_export_format_known"
            ),
            # A job said to be ready has a file to download.
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(file=""),
                name="core_export_done_has_file",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.format.upper()})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


def _delete_file_with_job(sender, instance: ExportJob, **kwargs) -> None:
    """A deleted job takes its file with it, once the deletion is committed."""
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))


post_delete.connect(_delete_file_with_job, sender=ExportJob, dispatch_uid="core_export_job_file")


def export_job_queue(*, owner, kind: str, params: dict, format: str, title: str) -> ExportJob:
    """Record an export for ``owner`` and hand it to the task queue once committed.

    The same export asked for again while the first is still waiting (a second click)
    is the same job.
    """
    if format not in FORMATS or (kind not in EXPORT_KINDS and export_view_path(kind) is None):
        raise ExportRefused(_("This export cannot be prepared."))
    for job in ExportJob.objects.filter(
        owner=owner,
        kind=kind,
        format=format,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
    ):
        if job.params == params:
            return job
    job = ExportJob.objects.create(
        owner=owner,
        kind=kind,
        params=params,
        format=format,
        title=title[:200],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: _queue(job.pk))
    return job


def _queue(job_id: int) -> None:
    from .tasks import export_job_build

    try:
        export_job_build.delay(job_id)
    except Exception:  # the broker down: the job says so, the request still answers
        logger.exception("export job %s could not be queued", job_id)
        export_job_fail(
            job_id=job_id, message=_("The task queue could not be reached; try again later.")
        )


def export_job_fail(*, job_id: int, message: str = "") -> None:
    """Mark a job not built, saying why (by default: its file could not be stored)."""
    job = ExportJob.objects.filter(pk=job_id).only("language").first()
    if job is None:
        return
    if not message:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            message = _("The file could not be stored; try again later.")
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.DONE).update(
        status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
    )


def export_file_build(*, job_id: int) -> ExportJob | None:
    """Build a job's file and store it; the job, or None when there is nothing to build.

    A job already built or given up (a message delivered twice) is left alone. A refusal
    (``ExportRefused``) fails the job with its reason; any other error fails it and is
    raised, to be logged and counted as the task's failure. ``OSError`` (storage out of
    reach) is raised with the job still running, for the task to try again.
    """
    started = ExportJob.objects.filter(
        pk=job_id, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    ).update(status=ExportJob.Status.RUNNING)
    if not started:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    # The file reads in the language its owner asked for it in; so does a refusal.
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            sheet = spreadsheet_for(kind=job.kind, params=params_query(job.params), user=job.owner)
            content = sheet.write(job.format)
        except ExportRefused as refusal:
            export_job_fail(job_id=job.pk, message=refusal.message)
            return None
        except OSError:
            raise
        except Exception:
            export_job_fail(
                job_id=job.pk, message=_("The file could not be built; the error has been logged.")
            )
            raise
    job.filename = f"{sheet.filename}.{job.format}"
    job.file.save(job.filename, ContentFile(content), save=False)
    job.row_count = sheet.rows
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.error = ""
    job.save(update_fields=["filename", "file", "row_count", "status", "finished_at", "error"])
    return job


def export_jobs_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the jobs queued more than ``EXPORTS_KEEP_DAYS`` ago, with their files; how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.EXPORTS_KEEP_DAYS)
    deleted, _by_model = ExportJob.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- what the export views answer ----------------------------------------------------


def spreadsheet_response(content: bytes, *, filename: str, format: str) -> HttpResponse:
    """The file as an attachment named ``filename``."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[format])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def export_job_redirect(request, *, kind: str, params: dict, format: str, title: str, rows: int):
    """Queue the export as a job for the user, say so, and go to "My exports"."""
    export_job_queue(owner=request.user, kind=kind, params=params, format=format, title=title)
    messages.success(
        request,
        _(
            "“%(title)s” has %(rows)s rows, too many to wait for: it is being prepared. "
            "It will be ready to download here in a moment."
        )
        % {"title": title, "rows": rows},
    )
    return redirect("core_export_jobs")


def export_response(request, *, kind: str, params: dict, format: str, sheet: Spreadsheet):
    """The file itself when it is small; otherwise a job for the task queue and "My exports"."""
    if sheet.rows > settings.EXPORTS_INLINE_MAX_ROWS:
        return export_job_redirect(
            request, kind=kind, params=params, format=format, title=sheet.title, rows=sheet.rows
        )
    return spreadsheet_response(
        sheet.write(format), filename=f"{sheet.filename}.{format}", format=format
    )
