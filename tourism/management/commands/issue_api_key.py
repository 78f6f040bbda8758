"""``manage.py issue_api_key <partner>``: issue a partner an API key and print it, this once.

The same as Tickets → API keys → Add in the admin, for scripts and first setup. The key
is printed and never stored; only its digest and first characters are kept.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tourism.tickets.partner_keys import api_key_issue
from tourism.tickets.partners import Partner


class Command(BaseCommand):
    help = "Issue an API key to a partner (by name) and print it; it is shown only this once."

    def add_arguments(self, parser):
        parser.add_argument("partner", help="The partner's name, as in Tickets → Partners.")
        parser.add_argument("--label", default="API", help="Where the partner uses the key.")
        parser.add_argument(
            "--rate-limit",
            type=int,
            default=None,
            help="Requests a minute (default: API_KEY_RATE_LIMIT_PER_MINUTE).",
        )
        parser.add_argument(
            "--expires-in-days", type=int, default=None, help="Refuse the key after this many days."
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the partner first when no partner has this name.",
        )

    def handle(
        self, *args, partner: str, label: str, rate_limit, expires_in_days, create, **options
    ):
        found = Partner.objects.filter(name=partner).first()
        if found is None:
            if not create:
                raise CommandError(
                    f"No partner is named {partner!r}; add it in the admin or pass --create."
                )
            found = Partner.objects.create(name=partner)
        if rate_limit is not None and rate_limit < 1:
            raise CommandError("--rate-limit must be at least 1.")
        expires_at = None
        if expires_in_days is not None:
            if expires_in_days < 1:
                raise CommandError("--expires-in-days must be at least 1.")
            expires_at = timezone.now() + datetime.timedelta(days=expires_in_days)
        api_key, raw = api_key_issue(
            partner=found, label=label, rate_limit_per_minute=rate_limit, expires_at=expires_at
        )
        self.stdout.write(
            f"API key for {found.name} ({api_key.label}, {api_key.rate_limit_per_minute} "
            f"requests a minute):"
        )
        self.stdout.write(raw)
        self.stdout.write(
            self.style.WARNING(
                "Shown only this once: hand it to the partner by a safe channel. It is sent as "
                "'Authorization: Bearer <key>'."
            )
        )
