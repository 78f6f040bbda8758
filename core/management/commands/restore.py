"""``manage.py restore ARCHIVE``: bring a backup back into an empty database and media storage.

Every checksum is checked before anything is written; a database that already has tables
is refused (core/backup.py).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive (a file, or a name in the backup folder or bucket)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="An archive file, or an archive name (key).")
        parser.add_argument(
            "--source",
            help="Where to find a named archive: a folder or s3://bucket[/prefix]. "
            "Default: BACKUP_S3_BUCKET, else BACKUP_DIR.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The (empty) database alias to restore into.",
        )

    def handle(self, *args, **options):
        try:
            result = backup_restore(
                archive=options["archive"], source=options["source"], database=options["database"]
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {result.name}: {result.tables} tables, {result.rows} rows; "
            f"{result.media_files} media files."
        )
        if result.unapplied_migrations:
            self.stdout.write(
                f"The archive predates {len(result.unapplied_migrations)} migration(s) of this "
                "code: run `python manage.py migrate` next."
            )
