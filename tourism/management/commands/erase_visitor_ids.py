"""``manage.py erase_visitor_ids``: erase visitors' ID numbers once their retention period is over.

Booking rules → "keep ID numbers for (days after the visit)" sets the period. Run it
from cron once a day; a second run the same day erases nothing more.
"""

from django.core.management.base import BaseCommand, CommandError

from tourism.tickets.realname import visitors_erase_numbers


class Command(BaseCommand):
    help = "Erase visitors' ID numbers more than the retention period after their visit."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days after the visit to keep numbers (default: the booking rules' setting).",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            raise CommandError("--days cannot be negative.")
        erased = visitors_erase_numbers(retention_days=days)
        self.stdout.write(f"{erased} visitor ID number(s) erased.")
