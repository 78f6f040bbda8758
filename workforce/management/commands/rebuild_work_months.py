"""Recount every villager's months of work from the work entries."""

from django.core.management.base import BaseCommand

from workforce.services import work_months_rebuild


class Command(BaseCommand):
    help = (
        "Recount the months of work (days and wages per villager and month) that the "
        "job-creation report reads, from the work entries. The app keeps them as entries "
        "are written; run this after loading work entries straight into the database."
    )

    def handle(self, *args, **options):
        rows = work_months_rebuild()
        self.stdout.write(f"{rows} months of work counted from the work entries.")
