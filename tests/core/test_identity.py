"""Identity documents: the ID card's check digit and birth date, permits' patterns, masking."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.utils import translation

from core.identity import (
    DocumentType,
    age_on,
    birth_date_from_id,
    mask_id_number,
    shown_id_number,
    validate_document,
)

TODAY = datetime.date(2026, 12, 5)

# Numbers whose check digits were worked out by hand from GB 11643's weights
# (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 → 1 0 X 9 8 7 6 5 4 3 2).
VALID = [
    "11010519491231002X",  # the standard's own example, check character X
    "440524188001010014",  # the standard's second example
    "510104198001011236",  # sum 160, 160 mod 11 = 6 → 6
    "110101200001010002",  # sum 43, 43 mod 11 = 10 → 2
]
WRONG_CHECK_DIGIT = [
    "110105194912310021",
    "440524188001010015",
    "510104198001011234",
    "11010120000101000X",
]


@pytest.mark.parametrize("number", VALID)
def test_id_numbers_with_the_right_check_digit_pass(number):
    assert validate_document(DocumentType.ID_CARD, number, today=TODAY) == number


@pytest.mark.parametrize("number", WRONG_CHECK_DIGIT)
def test_id_numbers_with_a_wrong_check_digit_are_refused(number):
    with pytest.raises(ValidationError) as refused:
        validate_document(DocumentType.ID_CARD, number, today=TODAY)
    assert refused.value.code == "id_check_digit"


def test_an_id_number_is_normalised_from_full_width_lower_case_and_spaces():
    assert (
        validate_document(DocumentType.ID_CARD, "１１０１０５ 19491231 002x", today=TODAY)
        == "11010519491231002X"
    )


@pytest.mark.parametrize(
    ("number", "code", "words"),
    [
        ("51010419800101123", "id_length", "17"),
        ("5101041980010112366", "id_length", "19"),
        ("51010419800101A236", "id_pattern", "17 digits"),
        # 30 February: the check digit is right for these seventeen digits.
        ("510104198002301230", "id_birth_date", "19800230"),
        # Born tomorrow (2026-12-06), check digit right.
        ("510104202612061232", "id_birth_date", "2026-12-06"),
    ],
)
def test_a_wrong_id_number_is_refused_saying_what_is_wrong(number, code, words):
    from core.identity import id_check_digit

    if len(number) == 18 and code == "id_birth_date":
        number = number[:17] + id_check_digit(number[:17])
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        validate_document(DocumentType.ID_CARD, number, today=TODAY)
    assert refused.value.code == code
    with translation.override("en"):
        assert words in refused.value.messages[0]


@pytest.mark.parametrize(
    ("document_type", "good", "bad"),
    [
        (DocumentType.HK_MACAO_PERMIT, "C12345678", "H12345678"),
        (DocumentType.HK_MACAO_PERMIT, "CA1234567", "C1234567"),
        (DocumentType.HK_MACAO_HOME_PERMIT, "H12345678", "C12345678"),
        (DocumentType.HK_MACAO_HOME_PERMIT, "M1234567890", "M123456"),
        (DocumentType.TAIWAN_HOME_PERMIT, "12345678", "1234567"),
        (DocumentType.TAIWAN_PERMIT, "L12345678", "12345678"),
        (DocumentType.PASSPORT, "E12345678", "E1234#678"),
    ],
)
def test_permits_and_passports_follow_their_patterns(document_type, good, bad):
    assert validate_document(document_type, good.lower()) == good
    with pytest.raises(ValidationError) as refused:
        validate_document(document_type, bad)
    assert refused.value.code == "document_pattern"


def test_an_unknown_document_type_or_an_empty_number_is_refused():
    with pytest.raises(ValidationError):
        validate_document("driving_licence", "12345678")
    with pytest.raises(ValidationError):
        validate_document(DocumentType.PASSPORT, "  ")


def test_birth_date_and_age_come_from_the_id_number():
    assert birth_date_from_id("11010519491231002X") == datetime.date(1949, 12, 31)
    assert age_on(datetime.date(1949, 12, 31), datetime.date(2009, 12, 30)) == 59
    assert age_on(datetime.date(1949, 12, 31), datetime.date(2009, 12, 31)) == 60
    assert age_on(datetime.date(2000, 2, 29), datetime.date(2018, 2, 28)) == 17
    assert age_on(datetime.date(2000, 2, 29), datetime.date(2018, 3, 1)) == 18


def test_id_numbers_are_masked_to_the_first_three_and_last_four():
    assert mask_id_number("510104198001011236") == "510***********1236"
    assert mask_id_number("C12345678") == "C12**5678"
    assert mask_id_number("1234567") == "*******"
    assert mask_id_number("") == ""


def test_only_superusers_see_whole_numbers():
    number = "510104198001011236"
    assert shown_id_number(number, User(is_superuser=True)) == number
    assert shown_id_number(number, User(is_staff=True)) == "510***********1236"
    assert shown_id_number(number, AnonymousUser()) == "510***********1236"
    assert shown_id_number(number, None) == "510***********1236"
