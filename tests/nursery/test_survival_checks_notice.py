"""The weekly email that tells farm managers which survival checks are overdue or coming up."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from core.roles import FARM_MANAGERS
from nursery import services
from nursery.models import SurvivalCheck
from nursery.tasks import survival_checks_due_notice
from tests.tickets.factories import UserFactory

from .factories import ZoneFactory, days_ago, make_lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers():
    group = Group.objects.get(name=FARM_MANAGERS)
    people = [UserFactory(email="wang@huagu.example"), UserFactory(email="")]
    for person in people:
        person.groups.add(group)
    UserFactory(email="gate@huagu.example")  # not a farm manager
    return people


def test_farm_managers_with_an_address_hear_of_checks_overdue_and_due_this_week(managers):
    zone = ZoneFactory()
    planting = services.planting_record(
        planted_on=days_ago(40).date(), zone=zone, lot=make_lot(50, days=60), quantity=20
    )
    today = timezone.localdate()
    checks = list(planting.checks.order_by("due_on"))
    SurvivalCheck.objects.filter(pk=checks[0].pk).update(due_on=today - datetime.timedelta(days=3))
    SurvivalCheck.objects.filter(pk=checks[1].pk).update(due_on=today + datetime.timedelta(days=2))
    SurvivalCheck.objects.filter(pk__in=[c.pk for c in checks[2:]]).update(
        due_on=today + datetime.timedelta(days=60)
    )

    sent_to = survival_checks_due_notice.delay().get()

    assert sent_to == 1
    (message,) = mail.outbox
    assert message.to == ["wang@huagu.example"]
    assert message.subject == "成活检查：1 项逾期，本周 1 项到期"
    assert "1 项成活检查已逾期。" in message.body
    assert f"{today - datetime.timedelta(days=3):%Y-%m-%d}" in message.body
    assert "http://127.0.0.1:8000/field/" in message.body  # the Chinese address


def test_no_email_when_nothing_is_due(managers):
    assert survival_checks_due_notice.delay().get() == 0
    assert mail.outbox == []
