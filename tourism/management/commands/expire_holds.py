"""``manage.py expire_holds``: end pending orders whose hold has run out, releasing their places.

Bookings already release expired holds on the slot they book, and availability counts
them as free; run this from cron (every few minutes) so that the order list and the
reports show them as expired too.
"""

from django.core.management.base import BaseCommand

from tourism.tickets.services import orders_expire_due


class Command(BaseCommand):
    help = "Expire pending orders whose hold has run out and release their places."

    def handle(self, *args, **options):
        expired = orders_expire_due()
        self.stdout.write(f"{expired} order(s) expired.")
