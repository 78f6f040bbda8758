"""``manage.py job_report --from 2026-01-01 --to 2026-12-31 [--village CODE] --format json|csv|xlsx``."""

import datetime
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from workforce.exports import csv_text, xlsx_bytes
from workforce.models import Village
from workforce.reports import job_report
from workforce.views import report_tables, report_title_lines


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Print the job-creation report for a period (and optionally one village) as JSON, CSV "
        "or XLSX, with the previous period of the same length beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--village", help="a village's code; all villages when left out")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--output", help="write to this file instead of standard output")
        parser.add_argument(
            "--fte-days", type=int, default=None, help="days of one FTE (default 250)"
        )

    def handle(
        self, *args, start, end, village=None, format="json", output=None, fte_days=None, **options
    ):
        start, end = _date(start), _date(end)
        if end < start:
            raise CommandError("--to must not be before --from")
        if village and not Village.objects.filter(code=village).exists():
            raise CommandError(f"no village with code {village!r}")
        if fte_days is not None and fte_days <= 0:
            raise CommandError("--fte-days must be more than zero")
        report = job_report(start=start, end=end, village=village, fte_days=fte_days)
        if format == "json":
            data = (json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n").encode()
        elif format == "csv":
            data = csv_text(report_tables(report), title_lines=report_title_lines(report)).encode(
                "utf-8-sig"
            )
        else:
            data = xlsx_bytes(report_tables(report), title_lines=report_title_lines(report))
            if not output:
                raise CommandError("--format xlsx needs --output FILE")
        if output:
            with open(output, "wb") as file:
                file.write(data)
            self.stderr.write(f"wrote {output}")
        else:
            out = getattr(self.stdout, "_out", sys.stdout)
            if hasattr(out, "buffer"):
                out.buffer.write(data)
                out.flush()
            else:
                self.stdout.write(data.decode("utf-8-sig"), ending="")
