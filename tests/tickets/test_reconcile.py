"""Each day's provider statements set against Huagu's payments and refunds, against the fakes.

Orders are booked and paid as the providers' own tests do it (their booking forms and
helpers are imported); the fakes' bills are then made to disagree (a trade billed for
another amount, a trade Huagu never made), and ``manage.py reconcile_payments`` must
find exactly that.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from tests.tickets import test_alipay as alipay_tests
from tests.tickets import test_wechat_pay as wechat_pay_tests
from tests.tickets.factories import UserFactory, order_for, paid_by_stripe, user_in_role
from tourism.tickets import order_changes
from tourism.tickets.models import Order, Payment
from tourism.tickets.payments.alipay import AlipayProvider
from tourism.tickets.payments.wechat import WeChatPayProvider
from tourism.tickets.reconcile import reconcile, stripe_statement
from tourism.tickets.reconcile_models import Reconciliation, ReconciliationProblem

pytestmark = pytest.mark.django_db

# The providers' own booking forms, under names of their own here.
wechat_book = wechat_pay_tests.book
alipay_book = alipay_tests.book

ADULT, CHILD = Decimal("60.00"), Decimal("30.00")
# What the providers' booking forms buy: two adults and a child.
ORDER_TOTAL = 2 * ADULT + CHILD
PART_REFUNDED = Decimal("40.00")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def slot(slot_factory):
    return slot_factory(capacity=10)


def run(day: datetime.date) -> tuple[int, str, str]:
    """``manage.py reconcile_payments --date day``: exit status, output and errors."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("reconcile_payments", "--date", day.isoformat(), stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def problems(provider: str, day: datetime.date) -> set[tuple]:
    return {
        (p.kind, p.problem, p.reference, p.statement_amount, p.our_amount)
        for p in ReconciliationProblem.objects.filter(
            reconciliation__provider=provider, reconciliation__day=day
        )
    }


def refund_part(order: Order) -> None:
    """Staff give part of the order back at the desk, through the provider."""
    order_changes.order_refund_amount(order=order, user=UserFactory(), amount=PART_REFUNDED)


def paid_with_wechat(fake, book, slot, email: str) -> Order:
    """Booked on a desktop, the QR code scanned and paid, the order seen paid."""
    booked = book(slot, email=email)
    order = wechat_pay_tests.pending_order(email)
    assert booked.client.get(booked.response["Location"]).status_code == 200  # the trade opens
    fake.pay(wechat_pay_tests.trade_of(order))
    WeChatPayProvider().sync(order)
    order.refresh_from_db()
    assert (order.status, order.total) == (Order.Status.PAID, ORDER_TOTAL)
    return order


def paid_with_alipay(fake, book, slot, email: str) -> tuple[Order, str]:
    opened = alipay_tests.at_cashier(book, slot, email=email)
    fake.pay(opened.trade)
    AlipayProvider().sync(opened.order)
    opened.order.refresh_from_db()
    assert (opened.order.status, opened.order.total) == (Order.Status.PAID, ORDER_TOTAL)
    return opened.order, opened.trade


def assert_found_exactly_the_planted(provider, day, *, billed_wrong, wrong_order, stranger):
    status, out, _ = run(day)
    assert status == 1
    result = Reconciliation.objects.get(provider=provider, day=day)
    assert (result.matched_payments, result.matched_refunds, result.problem_count) == (1, 1, 2)
    assert problems(provider, day) == {
        ("payment", "amount_differs", billed_wrong, Decimal("59.00"), ORDER_TOTAL),
        ("payment", "missing_here", stranger, Decimal("12.00"), None),
    }
    differs = result.problems.get(problem="amount_differs")
    assert differs.order == wrong_order
    assert result.problems.get(problem="missing_here").order is None
    assert f"payment {billed_wrong} (order {wrong_order.reference}): amounts differ" in out
    assert f"payment {stranger}: in the statement, not in Huagu; statement ¥12.00" in out

    # The bills no longer disagree (the fakes plant once): the day run again is clean,
    # and its earlier result is replaced, not added to.
    status, out, _ = run(day)
    assert status == 0
    result = Reconciliation.objects.get(provider=provider, day=day)
    assert (result.matched_payments, result.matched_refunds, result.problem_count) == (2, 1, 0)
    assert not ReconciliationProblem.objects.exists()
    assert "2 payment(s) and 1 refund(s) match; 0 problem(s)." in out


def a_payment_the_statement_lacks(order: Order, provider: str) -> Payment:
    """A payment Huagu holds as succeeded today for a trade the provider never saw."""
    return Payment.objects.create(
        order=order,
        provider=provider,
        amount=ORDER_TOTAL,
        status=Payment.Status.SUCCEEDED,
        provider_reference=f"{order.reference}-never",
        completed_at=timezone.now(),
    )


# --- WeChat Pay ---------------------------------------------------------------------------


def test_wechat_pay_bill_disagreements_are_found_exactly(fake_wechat_pay, wechat_book, slot, today):
    refunded = paid_with_wechat(fake_wechat_pay, wechat_book, slot, "lihua@example.com")
    billed_wrong = paid_with_wechat(fake_wechat_pay, wechat_book, slot, "zhang@example.com")
    refund_part(refunded)
    [made] = fake_wechat_pay.refunds_of(wechat_pay_tests.trade_of(refunded))
    assert made["amount"]["refund"] == PART_REFUNDED * 100

    trade = wechat_pay_tests.trade_of(billed_wrong)
    fake_wechat_pay.plant_bill_mismatch(trade, "59.00")
    fake_wechat_pay.plant_bill_extra("HG-STRANGER-1", "12.00")

    assert_found_exactly_the_planted(
        "wechat_pay", today, billed_wrong=trade, wrong_order=billed_wrong, stranger="HG-STRANGER-1"
    )


def test_a_wechat_payment_missing_from_the_bill_is_missing_there(
    fake_wechat_pay, wechat_book, slot, today
):
    order = paid_with_wechat(fake_wechat_pay, wechat_book, slot, "lihua@example.com")
    unknown = a_payment_the_statement_lacks(order, "wechat_pay")

    assert run(today)[0] == 1
    assert problems("wechat_pay", today) == {
        ("payment", "missing_there", unknown.provider_reference, None, ORDER_TOTAL)
    }
    assert ReconciliationProblem.objects.get().order == order


def test_a_day_without_a_wechat_bill_is_clean(fake_wechat_pay, today):
    yesterday = today - datetime.timedelta(days=1)
    assert run(yesterday)[0] == 0
    result = Reconciliation.objects.get(provider="wechat_pay", day=yesterday)
    assert (result.matched_payments, result.matched_refunds, result.problem_count) == (0, 0, 0)
    assert fake_wechat_pay.calls_to("GET", "/v3/bill/tradebill")[0].signed_ok


# --- Alipay -------------------------------------------------------------------------------


def test_alipay_bill_disagreements_are_found_exactly(fake_alipay, alipay_book, slot, today):
    refunded, _ = paid_with_alipay(fake_alipay, alipay_book, slot, "lihua@example.com")
    billed_wrong, trade = paid_with_alipay(fake_alipay, alipay_book, slot, "zhang@example.com")
    refund_part(refunded)
    assert refunded.payments.get().refunds.get().amount == PART_REFUNDED

    fake_alipay.plant_bill_mismatch(trade, "59.00")
    fake_alipay.plant_bill_extra("HG-STRANGER-2", "12.00")

    assert_found_exactly_the_planted(
        "alipay", today, billed_wrong=trade, wrong_order=billed_wrong, stranger="HG-STRANGER-2"
    )


def test_an_alipay_payment_missing_from_the_bill_is_missing_there(
    fake_alipay, alipay_book, slot, today
):
    order, _ = paid_with_alipay(fake_alipay, alipay_book, slot, "lihua@example.com")
    unknown = a_payment_the_statement_lacks(order, "alipay")

    assert run(today)[0] == 1
    assert problems("alipay", today) == {
        ("payment", "missing_there", unknown.provider_reference, None, ORDER_TOTAL)
    }


def test_a_provider_that_cannot_be_reached_is_reported_and_the_others_still_run(
    fake_wechat_pay, fake_alipay, today
):
    yesterday = today - datetime.timedelta(days=1)
    with fake_wechat_pay.outage("/v3/bill/"):
        status, out, err = run(yesterday)

    assert status == 1
    assert "wechat_pay" in err and "could not be had" in err
    assert not Reconciliation.objects.filter(provider="wechat_pay").exists()
    assert Reconciliation.objects.get(provider="alipay", day=yesterday).problem_count == 0
    assert "alipay" in out


# --- Stripe -------------------------------------------------------------------------------


def test_a_stripe_payment_and_its_refund_match_the_balance_transactions(
    fake_stripe, ticket_types, slot, today
):
    order = paid_by_stripe(fake_stripe, slot, {ticket_types.adult: 2, ticket_types.child: 1})
    refund_part(order)
    payment = order.payments.get()
    [refund] = fake_stripe.refunds.values()

    statement = stripe_statement(today)
    assert sorted((line.kind, line.reference, line.amount) for line in statement) == [
        ("payment", payment.provider_payment_id, ORDER_TOTAL),
        ("refund", refund["id"], PART_REFUNDED),
    ]
    result = reconcile("stripe", today)
    assert (result.matched_payments, result.matched_refunds, result.problem_count) == (1, 1, 0)
    assert run(today)[0] == 0


# --- the admin's report -------------------------------------------------------------------

REPORT = "/admin/reports/payment-reconciliation/"


@pytest.fixture
def found(ticket_types, slot, today):
    """A day's WeChat Pay and Alipay results, with three problems between them."""
    order = order_for(slot, {ticket_types.adult: 1})
    wechat = Reconciliation.objects.create(
        provider="wechat_pay", day=today, matched_payments=4, problem_count=2
    )
    wechat.problems.create(
        kind="payment",
        problem="amount_differs",
        reference="HG-DIFFERS-1",
        statement_amount=Decimal("59.00"),
        our_amount=Decimal("1150.00"),
        order=order,
    )
    wechat.problems.create(
        kind="refund", problem="missing_there", reference="50000001", our_amount=Decimal("40.00")
    )
    alipay = Reconciliation.objects.create(provider="alipay", day=today, problem_count=1)
    alipay.problems.create(
        kind="payment",
        problem="missing_here",
        reference="HG-STRANGER-3",
        statement_amount=Decimal("12.00"),
    )
    return order


def staff_client(user) -> Client:
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    client = Client()
    client.force_login(user)
    return client


def test_the_report_lists_the_problems_and_links_the_order(found, today):
    client = staff_client(user_in_role("Gate staff"))

    page = client.get(REPORT)

    assert page.status_code == 200
    text = page.content.decode()
    for reference in ("HG-DIFFERS-1", "50000001", "HG-STRANGER-3"):
        assert reference in text
    assert "1,150.00" in text and "59.00" in text
    assert f'href="{reverse("tourism_order:inspect", args=[found.pk])}"' in text
    only_alipay = client.get(REPORT, {"provider": "alipay"}).content.decode()
    assert "HG-STRANGER-3" in only_alipay and "HG-DIFFERS-1" not in only_alipay


def test_the_report_exports_the_problems_with_their_amounts(found, today):
    client = staff_client(user_in_role("Gate staff"))

    response = client.get(REPORT, {"export": "csv"})

    body = b"".join(response.streaming_content) if response.streaming else response.content
    header, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    # Headed as on the page: day, provider, problem, kind, reference, both amounts, order.
    assert len(header) == 8
    day = today.isoformat()
    differs = ["Amounts differ", "Payment", "HG-DIFFERS-1", "59.00", "1150.00", found.reference]
    lacking = ["In Huagu, not in the statement", "Refund", "50000001", "", "40.00", ""]
    stranger = ["In the statement, not in Huagu", "Payment", "HG-STRANGER-3", "12.00", "", ""]
    assert sorted(rows) == sorted(
        [[day, "WeChat Pay", *differs], [day, "WeChat Pay", *lacking], [day, "Alipay", *stranger]]
    )


def test_the_report_is_refused_without_the_right_to_see_orders(found):
    client = staff_client(user_in_role("Farm managers"))
    # The admin sends a user back to the dashboard from a screen they may not open.
    for answer in (client.get(REPORT), client.get(REPORT, {"export": "csv"})):
        assert (answer.status_code, answer["Location"]) == (302, "/admin/")
