"""Tencent Cloud SMS against a fake of its SendSms endpoint that checks the TC3 signature."""

import time
import urllib.request

import pytest
from django.test import Client
from django.urls import reverse

from tests.tickets.fake_tencent_sms import FakeTencentSms
from tourism.tickets.lookup_models import LookupCode
from tourism.tickets.sms import SmsError, VerificationMessage, get_sms_provider
from tourism.tickets.sms.tencent import TencentSms

# The Chinese page, whatever language an earlier test left active in this thread.
FIND = "/tickets/find/"


@pytest.fixture
def fake_tencent(settings):
    fake = FakeTencentSms().start()
    settings.SMS_PROVIDER = "tencent"
    settings.TENCENT_SMS_SECRET_ID = fake.secret_id
    settings.TENCENT_SMS_SECRET_KEY = fake.secret_key
    settings.TENCENT_SMS_APP_ID = fake.app_id
    settings.TENCENT_SMS_SIGN_NAME = fake.sign_name
    settings.TENCENT_SMS_TEMPLATE_ID = "1234567"
    settings.TENCENT_SMS_ENDPOINT = fake.url
    try:
        yield fake
    finally:
        fake.stop()


MESSAGE = VerificationMessage(phone="13800001234", code="402913", minutes=10, text="")


def test_a_signed_request_is_accepted_and_the_message_sent(fake_tencent):
    get_sms_provider().send_verification(MESSAGE)
    [sent] = fake_tencent.sent
    assert (sent.phone, sent.template_id, sent.params, sent.sign_name) == (
        "+8613800001234",
        "1234567",
        ["402913", "10"],
        "大地花谷",
    )


def test_numbers_outside_the_mainland_are_sent_as_they_are(fake_tencent):
    get_sms_provider().send_verification(
        VerificationMessage(phone="+85291234567", code="000123", minutes=10, text="")
    )
    assert [s.phone for s in fake_tencent.sent] == ["+85291234567"]


def test_a_wrong_secret_key_fails_the_signature(fake_tencent, settings):
    settings.TENCENT_SMS_SECRET_KEY = "not-the-secret"
    with pytest.raises(SmsError) as error:
        get_sms_provider().send_verification(MESSAGE)
    assert error.value.code == "AuthFailure.SignatureFailure"
    assert fake_tencent.sent == []


def test_a_request_changed_after_signing_fails_the_signature(fake_tencent):
    provider = TencentSms.from_settings()
    request = provider.request_for(MESSAGE, timestamp=int(time.time()))
    request.data = request.data.replace(b"13800001234", b"13900009999")
    request.headers["Content-length"] = str(len(request.data))
    with urllib.request.urlopen(request, timeout=5) as response:
        answer = response.read().decode()
    assert "AuthFailure.SignatureFailure" in answer
    assert fake_tencent.sent == []


def test_an_unapproved_template_is_an_error_that_needs_staff(fake_tencent, settings):
    settings.TENCENT_SMS_TEMPLATE_ID = "999"
    with pytest.raises(SmsError) as error:
        get_sms_provider().send_verification(MESSAGE)
    assert error.value.code == "FailedOperation.TemplateIncorrectOrUnapproved"
    assert error.value.retry_later is False


@pytest.mark.django_db
def test_a_throttled_number_gets_a_message_and_a_log_line_not_an_error_page(fake_tencent, caplog):
    fake_tencent.throttle("+8613800001234")
    response = Client().post(FIND, {"contact": "13800001234"})
    assert response.status_code == 503
    assert "短信" in response.content.decode()
    assert "LimitExceeded.PhoneNumberThirtySecondLimit" in caplog.text
    # The code that was not delivered cannot be used either.
    assert LookupCode.objects.get().used_at is not None


@pytest.mark.django_db
def test_a_wrong_key_on_the_page_is_a_message_not_an_error_page(fake_tencent, settings):
    settings.TENCENT_SMS_SECRET_KEY = "not-the-secret"
    response = Client().post(FIND, {"contact": "13800001234"})
    assert response.status_code == 503
    assert fake_tencent.refused == ["AuthFailure.SignatureFailure"]


@pytest.mark.django_db
def test_the_lookup_page_sends_its_code_through_tencent(fake_tencent):
    client = Client()
    client.post(FIND, {"contact": "138 0000 1234"})
    [sent] = fake_tencent.sent
    code, minutes = sent.params
    assert minutes == "10"
    response = client.post(reverse("tickets:find_code"), {"code": code})
    assert response.url == reverse("tickets:find_orders")
