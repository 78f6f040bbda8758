"""The public site's tasks: the tourist's emails and the ticket office's periodic jobs."""

import datetime
import io
import logging

from celery import shared_task
from django.core.management import call_command

from core.tasks import retrying_task

logger = logging.getLogger(__name__)

_NOTICE_DATES = {"date": datetime.date, "starts_at": datetime.time, "ends_at": datetime.time}


def notice_to_message(notice: dict | None) -> dict | None:
    """A closure notice's dates and times as ISO text, for the queue's JSON."""
    if not notice:
        return None
    return {
        key: value.isoformat() if key in _NOTICE_DATES and value is not None else value
        for key, value in notice.items()
    }


def notice_from_message(message: dict | None) -> dict | None:
    if not message:
        return None
    return {
        key: _NOTICE_DATES[key].fromisoformat(value)
        if key in _NOTICE_DATES and value is not None
        else value
        for key, value in message.items()
    }


@retrying_task
def order_email_send(self, order_id: int, notice: dict | None = None) -> None:
    """The tourist's email about an order: confirmation, reservation, cancellation or refund."""
    from .tickets.emails import send_order_email

    send_order_email(order_id, notice=notice_from_message(notice))


@retrying_task
def lookup_code_email_send(self, address: str, language: str, code: str, minutes: int) -> None:
    """A one-time code to find one's tickets, by email."""
    from .tickets.lookup import lookup_code_email

    lookup_code_email(address=address, language=language, code=code, minutes=minutes)


@shared_task
def image_renditions_prepare(image_id: int) -> int:
    """The renditions the public pages use most, of a newly uploaded image."""
    from .renditions import renditions_prepare

    return renditions_prepare(image_id=image_id)


@shared_task
def expire_holds() -> int:
    """Expire pending orders whose hold has run out, putting their places back on sale."""
    from .tickets.services import orders_expire_due

    return orders_expire_due()


@shared_task
def release_no_shows() -> int:
    """Release pay-at-gate reservations nobody came for in time."""
    from django.utils import timezone

    from .tickets.limits import no_shows_release, phone_locks_prune

    released = no_shows_release()
    phone_locks_prune(today=timezone.localdate())
    return released


@shared_task
def erase_visitor_ids() -> int:
    """Erase visitors' ID numbers past the retention period after their visit."""
    from .tickets.realname import visitors_erase_numbers

    return visitors_erase_numbers(retention_days=None)


@retrying_task
def reconcile_payments(self) -> None:
    """Download each online payment provider's statement of yesterday and set it against
    Huagu's payments; the report is logged, and problems show in the admin's reconciliation."""
    report = io.StringIO()
    call_command("reconcile_payments", stdout=report, stderr=report)
    for line in report.getvalue().splitlines():
        logger.info("reconciliation: %s", line)
