"""``manage.py export_jobs_clean``: delete export jobs, and their files, older than
``EXPORTS_KEEP_DAYS``.

The task queue's scheduler runs this daily (``core.tasks.export_jobs_clean``); the command
is for running it by hand.
"""

from django.core.management.base import BaseCommand

from core.export_jobs import export_jobs_prune


class Command(BaseCommand):
    help = "Delete export jobs, and their files, older than EXPORTS_KEEP_DAYS."

    def handle(self, *args, **options):
        deleted = export_jobs_prune()
        self.stdout.write(f"{deleted} export(s) deleted.")
