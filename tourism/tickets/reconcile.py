"""Each day, every online provider's statement set against Huagu's own payments and refunds.

A notification that never arrived, a refund made in a provider's back office, a trade
paid for another amount: each shows up as a line one side has and the other lacks, or
has for another amount. Lines are matched by the key both sides know: for payments
our trade number (WeChat Pay's and Alipay's ``out_trade_no``) or Stripe's PaymentIntent,
for refunds the provider's refund id (Alipay's request number). The day is the park's
(``TIME_ZONE``), which is Beijing time, the day WeChat Pay and Alipay bill by. A payment
made in a day's last seconds that Huagu confirms after midnight falls on different days
on the two sides, and shows as a problem on each: rare, and worth the look it gets.
"""

import csv
import datetime
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Order, Payment, Refund
from .payments.alipay_client import AlipayApp, AlipayError
from .payments.base import PaymentUnavailable
from .payments.stripe import api_options
from .payments.wechat_client import WeChatPayClient, WeChatPayError
from .reconcile_models import Reconciliation, ReconciliationProblem

PAYMENT, REFUND = ReconciliationProblem.Kind.PAYMENT, ReconciliationProblem.Kind.REFUND
Problem = ReconciliationProblem.Problem
CENT = Decimal("0.01")


@dataclass(frozen=True)
class StatementLine:
    """One payment or refund, as a statement or Huagu has it."""

    kind: str  # "payment" or "refund"
    reference: str
    amount: Decimal
    at: datetime.datetime | None = None


def _park_day(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(day, datetime.time(), zone)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)


def _beijing(text: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def _column(row: dict, name: str) -> str:
    # A statement laid out otherwise than expected is refused, never half read.
    if name not in row:
        raise PaymentUnavailable(f"the statement has no column {name}")
    return row[name]


def _yuan(text: str) -> Decimal:
    try:
        return Decimal(text.strip()).quantize(CENT)
    except InvalidOperation:
        raise PaymentUnavailable(f"the statement has {text!r} for an amount") from None


# --- the statements -------------------------------------------------------------------


def wechat_statement(day: datetime.date) -> list[StatementLine]:
    """WeChat Pay's trade bill of ``day``: its SUCCESS rows are payments, its REFUND rows refunds.

    Amounts are taken as Huagu asked for them: a payment at 订单金额 and a refund at
    申请退款金额; 应结订单金额 and 退款金额 leave out what a WeChat voucher paid, which
    Huagu never sees.
    """
    try:
        text = WeChatPayClient().trade_bill(day)
    except WeChatPayError as error:
        if error.code == "NO_STATEMENT_EXIST":  # nothing was paid or refunded that day
            return []
        raise
    rows = csv.reader(io.StringIO(text))
    header = [field.lstrip("`") for field in next(rows, [])]
    lines = []
    for values in rows:
        fields = [value.lstrip("`") for value in values]
        if fields and fields[0] == "总交易单数":  # the summary follows the last trade
            break
        if not any(fields):
            continue
        row = dict(zip(header, fields, strict=False))
        at = _beijing(row.get("交易时间", ""))
        state = _column(row, "交易状态")
        if state == "SUCCESS":
            amount = _yuan(_column(row, "订单金额"))
            lines.append(StatementLine(PAYMENT, _column(row, "商户订单号"), amount, at))
        elif state == "REFUND":
            amount = _yuan(_column(row, "申请退款金额"))
            lines.append(StatementLine(REFUND, _column(row, "微信退款单号"), amount, at))
    return lines


def _alipay_csv(archive: bytes) -> str:
    """The business-detail CSV in Alipay's zip, which may also hold a summary file."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            names = [n for n in zipped.namelist() if n.endswith(".csv") and "汇总" not in n]
            if len(names) != 1:
                raise PaymentUnavailable(f"Alipay's bill holds {len(names)} detail files")
            return zipped.read(names[0]).decode("gbk")
    except (zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise PaymentUnavailable(f"Alipay's bill cannot be read: {error}") from error


def alipay_statement(day: datetime.date) -> list[StatementLine]:
    """Alipay's business-detail bill of ``day``: 交易 rows are payments, 退款 rows refunds."""
    try:
        archive = AlipayApp.from_settings().trade_bill(day)
    except AlipayError as error:
        if error.sub_code == "isp.bill_not_exist":  # nothing was paid or refunded that day
            return []
        raise
    data = [line for line in _alipay_csv(archive).splitlines() if not line.startswith("#")]
    rows = csv.reader(data)
    # Alipay pads its fields with spaces and tabs.
    header = [field.strip() for field in next(rows, [])]
    lines = []
    for values in rows:
        if not any(value.strip() for value in values):
            continue
        row = dict(zip(header, (value.strip() for value in values), strict=False))
        kind, at = _column(row, "业务类型"), _beijing(row.get("完成时间", ""))
        if kind == "交易":
            amount = _yuan(_column(row, "订单金额（元）"))
            lines.append(StatementLine(PAYMENT, _column(row, "商户订单号"), amount, at))
        elif kind == "退款":
            amount = abs(_yuan(_column(row, "订单金额（元）")))
            lines.append(StatementLine(REFUND, _column(row, "退款批次号/请求号"), amount, at))
    return lines


def _field(obj, name: str):
    # Stripe objects raise AttributeError for fields the API left out.
    return getattr(obj, name, None) if obj is not None and not isinstance(obj, str) else None


def _stripe_line(txn) -> StatementLine | None:
    source = getattr(txn, "source", None)
    # A balance transaction is in the account's settlement currency; when that is not
    # yuan, the charge or refund itself holds the amount in yuan as the tourist paid it.
    amount = txn.amount
    if txn.currency != "cny" and _field(source, "currency") == "cny":
        amount = _field(source, "amount")
    yuan = (Decimal(abs(amount)) / 100).quantize(CENT)
    at = datetime.datetime.fromtimestamp(txn.created, datetime.UTC)
    if txn.type in ("charge", "payment"):
        intent = _field(source, "payment_intent")
        reference = intent if isinstance(intent, str) else _field(intent, "id")
        return StatementLine(PAYMENT, reference or "", yuan, at)
    if txn.type in ("refund", "payment_refund"):
        reference = source if isinstance(source, str) else _field(source, "id")
        return StatementLine(REFUND, reference or "", yuan, at)
    return None  # fees, payouts and adjustments are not a tourist's money


def stripe_statement(day: datetime.date) -> list[StatementLine]:
    """Stripe's balance transactions of ``day``: charges are payments, refunds refunds."""
    start, end = _park_day(day)
    try:
        transactions = stripe.BalanceTransaction.list(
            created={"gte": int(start.timestamp()), "lt": int(end.timestamp())},
            expand=["data.source"],
            limit=100,
            **api_options(),
        )
        lines = [_stripe_line(txn) for txn in transactions.auto_paging_iter()]
    except stripe.StripeError as error:
        raise PaymentUnavailable(str(error)) from error
    return [line for line in lines if line is not None]


STATEMENTS = {
    "wechat_pay": wechat_statement,
    "alipay": alipay_statement,
    "stripe": stripe_statement,
}


# --- Huagu's side ---------------------------------------------------------------------


def _payment_key(provider: str) -> str:
    """The field of ``Payment`` the provider's statement names a payment by."""
    return "provider_payment_id" if provider == "stripe" else "provider_reference"


def ours(provider: str, day: datetime.date) -> list[StatementLine]:
    """Huagu's payments through ``provider`` completed on ``day`` and its refunds made that day.

    Free orders are left out: nothing was charged, so no statement lists them.
    """
    start, end = _park_day(day)
    key = _payment_key(provider)
    payments = Payment.objects.filter(
        provider=provider,
        status=Payment.Status.SUCCEEDED,
        completed_at__gte=start,
        completed_at__lt=end,
        amount__gt=0,
    )
    refunds = Refund.objects.filter(
        payment__provider=provider, created_at__gte=start, created_at__lt=end, amount__gt=0
    )
    return [
        *(StatementLine(PAYMENT, getattr(p, key), p.amount, p.completed_at) for p in payments),
        *(StatementLine(REFUND, r.provider_reference, r.amount, r.created_at) for r in refunds),
    ]


def _order_of(provider: str, kind: str, reference: str) -> Order | None:
    if not reference:
        return None
    if kind == PAYMENT:
        found = Payment.objects.filter(provider=provider, **{_payment_key(provider): reference})
    else:
        found = Payment.objects.filter(
            provider=provider, refunds__provider_reference=reference
        ).distinct()
    payment = found.select_related("order").first()
    return payment.order if payment else None


# --- setting one against the other ----------------------------------------------------


def _totals(lines: list[StatementLine]) -> dict[tuple[str, str], Decimal]:
    # Summed by key: a line listed twice must add up to what the other side has.
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        totals[(line.kind, line.reference)] += line.amount
    return totals


def compare(statement: list[StatementLine], mine: list[StatementLine]):
    """``(matched, problems)``: matched lines counted by kind, and each disagreement.

    A problem is ``(kind, problem, reference, statement_amount, our_amount)``.
    """
    theirs, here = _totals(statement), _totals(mine)
    matched = {PAYMENT: 0, REFUND: 0}
    problems = []
    for kind, reference in sorted(theirs.keys() | here.keys()):
        there_amount, our_amount = theirs.get((kind, reference)), here.get((kind, reference))
        if our_amount is None:
            problem = Problem.MISSING_HERE
        elif there_amount is None:
            problem = Problem.MISSING_THERE
        elif there_amount != our_amount:
            problem = Problem.AMOUNT_DIFFERS
        else:
            matched[kind] += 1
            continue
        problems.append((kind, problem, reference, there_amount, our_amount))
    return matched, problems


def reconcile(provider: str, day: datetime.date) -> Reconciliation:
    """Set ``provider``'s statement of ``day`` against Huagu's and save what disagrees.

    Raises ``PaymentUnavailable`` when the statement cannot be had; a day run again
    replaces its earlier result.
    """
    matched, problems = compare(STATEMENTS[provider](day), ours(provider, day))
    with transaction.atomic():
        result, _ = Reconciliation.objects.update_or_create(
            provider=provider,
            day=day,
            defaults={
                "run_at": timezone.now(),
                "matched_payments": matched[PAYMENT],
                "matched_refunds": matched[REFUND],
                "problem_count": len(problems),
            },
        )
        result.problems.all().delete()
        ReconciliationProblem.objects.bulk_create(
            ReconciliationProblem(
                reconciliation=result,
                kind=kind,
                problem=problem,
                reference=reference,
                statement_amount=there_amount,
                our_amount=our_amount,
                order=_order_of(provider, kind, reference),
            )
            for kind, problem, reference, there_amount, our_amount in problems
        )
    return result
