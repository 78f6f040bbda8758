"""Phone numbers normalise to one form, and what is not a reachable number is refused."""

import pytest
from django.core.exceptions import ValidationError

from core.phones import mask_phone, normalise_phone


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+852 9123 4567", "+85291234567"),
    ],
)
def test_numbers_people_type_normalise_to_one_form(typed, kept):
    assert normalise_phone(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["12345", "", "12812345678", "1381234567", "138123456789", "+0123456789", "tel:13812345678"],
)
def test_what_is_not_a_mainland_mobile_or_an_international_number_is_refused(typed):
    with pytest.raises(ValidationError):
        normalise_phone(typed)


def test_a_masked_number_keeps_its_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+442079460958") == "+44******0958"
