"""``manage.py reconcile_payments``: set each provider's statement of a day against Huagu's books.

Run it from cron once a day, late enough that the providers have published the day
before's statements (WeChat Pay and Alipay advise after 10:00 Beijing time). Without
``--date`` it reconciles yesterday in the park's time zone. It exits with status 1 when
anything disagrees or a provider could not be asked, so that cron's mail says so; the
result is also kept for the admin's "Payment reconciliation" report.
"""

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tourism.tickets.payments.base import PaymentUnavailable
from tourism.tickets.payments.choice import online_configured
from tourism.tickets.reconcile import STATEMENTS, reconcile
from tourism.tickets.reconcile_models import ReconciliationProblem


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-04-01") from None


# Fixed words, as the other commands write: the lines are for cron's mail and its readers.
PROBLEM_WORDS = {
    "missing_here": "in the statement, not in Huagu",
    "missing_there": "in Huagu, not in the statement",
    "amount_differs": "amounts differ",
}


def _amount(value) -> str:
    return "-" if value is None else f"¥{value:.2f}"


def _describe(problem: ReconciliationProblem) -> str:
    order = f" (order {problem.order.reference})" if problem.order else ""
    return (
        f"{problem.kind} {problem.reference}{order}: {PROBLEM_WORDS[problem.problem]}; "
        f"statement {_amount(problem.statement_amount)}, Huagu {_amount(problem.our_amount)}"
    )


class Command(BaseCommand):
    help = "Set each online payment provider's statement of a day against Huagu's payments."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=_day, default=None, help="The day, YYYY-MM-DD (default: yesterday)."
        )
        parser.add_argument(
            "--provider",
            action="append",
            choices=sorted(STATEMENTS),
            help="A provider to reconcile; repeat for more (default: every one set up).",
        )

    def handle(self, *args, date=None, provider=None, **options):
        day = date or timezone.localdate() - datetime.timedelta(days=1)
        configured = online_configured()
        providers = list(dict.fromkeys(provider)) if provider else configured
        if not providers:
            self.stdout.write("No online payment provider is set up: nothing to reconcile.")
            return
        found, unreconciled = 0, 0
        for name in providers:
            if name not in configured:
                self.stderr.write(f"{name} {day}: not set up, not reconciled.")
                unreconciled += 1
                continue
            try:
                result = reconcile(name, day)
            except PaymentUnavailable as error:
                # One provider being down must not keep the others' statements unread.
                self.stderr.write(f"{name} {day}: the statement could not be had: {error}")
                unreconciled += 1
                continue
            self.stdout.write(
                f"{name} {day}: {result.matched_payments} payment(s) and "
                f"{result.matched_refunds} refund(s) match; {result.problem_count} problem(s)."
            )
            for problem in result.problems.select_related("order"):
                self.stdout.write(f"  {_describe(problem)}")
            found += result.problem_count
        if found or unreconciled:
            raise CommandError(
                f"{found} problem(s) found, {unreconciled} provider(s) not reconciled."
            )
