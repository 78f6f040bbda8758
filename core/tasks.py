"""The task queue's shared parts: the retry policy of tasks that talk to other services, and
how many tasks wait.

Work that need not hold up a visitor's or a manager's request runs on the queue (Celery):
emails, hold expiry and the other periodic jobs (``CELERY_BEAT_SCHEDULE`` in the settings),
large exports and image renditions. In production the broker is Redis and any number of
workers on any number of hosts take tasks from it; on a newcomer's machine it is a folder on
disk, and ``make run`` starts one worker beside the web server.
"""

import logging

from celery import current_app, shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


def retrying_task(function=None, **options):
    """A task that is tried again, with exponential backoff and jitter, when it fails on the
    network: a mail server, an SMS gateway or a payment provider that is down (``OSError``
    covers refused and timed-out connections and every ``smtplib`` error).

    The first retry waits about ``TASKS_RETRY_BACKOFF_SECONDS``, each later one about twice
    as long (at most an hour), up to ``TASKS_MAX_RETRIES`` times; then the failure is logged.
    """
    policy = {
        "bind": True,
        "autoretry_for": (OSError,),
        "retry_backoff": settings.TASKS_RETRY_BACKOFF_SECONDS,
        "retry_backoff_max": 60 * 60,
        "retry_jitter": True,
        "max_retries": settings.TASKS_MAX_RETRIES,
        **options,
    }
    if function is not None:
        return shared_task(**policy)(function)
    return shared_task(**policy)


def queue_depth(queue: str | None = None) -> int | None:
    """Tasks waiting in ``queue`` (the site's own by default; not those a worker holds);
    None when the broker is unreachable."""
    queue = queue or settings.TASKS_QUEUE
    try:
        with current_app.connection_for_read() as connection:
            return connection.default_channel.queue_declare(queue=queue, passive=True).message_count
    except Exception as error:  # the broker down is a reading, not a crash
        if "NOT_FOUND" in str(error) or "no queue" in str(error).lower():
            return 0
        logger.warning("task queue depth unreadable: %s", error)
        return None


@retrying_task
def backup_daily(self) -> str:
    """The day's backup of the database and the media, then retention's pruning
    (``BACKUP_KEEP_DAILY``, ``BACKUP_KEEP_WEEKLY``); the archive's name."""
    from .backup import backup_create, backups_prune

    result = backup_create()
    pruned = backups_prune()
    logger.info(
        "backup %s written to %s (%s rows, %s media files); %s old archive(s) pruned",
        result.name,
        result.location,
        result.rows,
        result.media_files,
        len(pruned),
    )
    return result.name


@retrying_task
def export_job_build(self, job_id: int) -> None:
    """Build an export job's file (``core.export_jobs.export_file_build``); a storage out of
    reach is tried again, and the job given up as failed once the retries run out."""
    from .export_jobs import export_file_build, export_job_fail

    try:
        export_file_build(job_id=job_id)
    except OSError as error:
        if self.request.retries >= self.max_retries:
            logger.warning("export job %s given up: %s", job_id, error)
            export_job_fail(job_id=job_id)
        raise


@shared_task
def export_jobs_clean() -> int:
    """Delete export jobs, and their files, older than ``EXPORTS_KEEP_DAYS``; how many."""
    from .export_jobs import export_jobs_prune

    return export_jobs_prune()
