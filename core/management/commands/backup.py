"""``manage.py backup``: the database and every media file in one dated archive, then pruning.

Archives go to BACKUP_S3_BUCKET when it is set, else to BACKUP_DIR (core/backup.py); a
periodic task calls the same ``backup_create`` and ``backups_prune``.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from core.backup import BackupError, backup_create, backups_prune


class Command(BaseCommand):
    help = "Back up the database and the media into one archive, then prune old archives."

    def add_arguments(self, parser):
        parser.add_argument(
            "--destination",
            help="A folder, or s3://bucket[/prefix]. Default: BACKUP_S3_BUCKET, else BACKUP_DIR.",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database alias to back up."
        )
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--prune-only", action="store_true", help="Prune old archives; make no new one."
        )
        what.add_argument("--no-prune", action="store_true", help="Keep every old archive.")

    def handle(self, *args, **options):
        destination = options["destination"]
        try:
            if not options["prune_only"]:
                result = backup_create(destination=destination, database=options["database"])
                self.stdout.write(
                    f"Wrote {result.location} ({result.size} bytes): {result.vendor} database, "
                    f"{result.tables} tables, {result.rows} rows; {result.media_files} media files."
                )
            if not options["no_prune"]:
                pruned = backups_prune(destination=destination)
                self.stdout.write(f"Pruned {len(pruned)} old archive(s).")
                for name in pruned:
                    self.stdout.write(f"  {name}")
        except BackupError as error:
            raise CommandError(str(error)) from error
