"""``manage.py release_no_shows``: release pay-at-gate reservations nobody came for.

With "release unpaid pay-at-gate tickets after (minutes)" set in the booking rules, a
reservation with no visitor checked in that long after its entry time starts goes back
on sale, and the tourist is told by email. Availability already shows those places as
free and a booking of the slot releases them first; run this from cron (every few
minutes) so that the orders, the no-show count per phone and the reports are up to date.
It also deletes the per-phone lock rows of dates gone by.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from tourism.tickets.limits import no_shows_release, phone_locks_prune


class Command(BaseCommand):
    help = "Release pay-at-gate reservations not checked in in time, putting their places back on sale."

    def handle(self, *args, **options):
        released = no_shows_release()
        pruned = phone_locks_prune(today=timezone.localdate())
        self.stdout.write(f"{released} reservation(s) released; {pruned} old lock row(s) deleted.")
