"""Bloom months survive every path a page's fields take: forms, the database and revisions."""

import pytest

from core.months import MonthSetField, blooming_in, mask_to_months, months_to_mask
from tourism.models import AttractionIndexPage, AttractionPage


@pytest.mark.parametrize(
    "months", [[1], [4], [12], [3, 4], [4, 5, 6, 9, 10], list(range(1, 13)), []]
)
def test_months_survive_serialization_for_revisions(db, months):
    field = AttractionPage._meta.get_field("bloom_months")
    page = AttractionPage(bloom_months=months)

    assert field.to_python(field.value_to_string(page)) == months


def test_mask_round_trip():
    assert mask_to_months(months_to_mask([12, 1, 4])) == [1, 4, 12]
    assert months_to_mask([]) == 0


def test_a_month_outside_one_to_twelve_is_refused():
    field = MonthSetField()
    with pytest.raises(ValueError):
        months_to_mask([13])
    with pytest.raises(Exception, match="13"):
        field.validate([13], None)


@pytest.mark.parametrize("months", [[4], [12], [4, 5, 6, 9, 10]])
def test_published_attraction_keeps_its_bloom_months(home_page, add_page, months):
    index = add_page(home_page, AttractionIndexPage(title="景点", slug="attractions"))
    page = add_page(index, AttractionPage(title="玫瑰园", slug="roses", bloom_months=months))

    page.save_revision().publish()

    assert AttractionPage.objects.get(pk=page.pk).bloom_months == months
    assert page.get_latest_revision_as_object().bloom_months == months


def test_blooming_in_finds_exactly_the_pages_in_flower_that_month(home_page, add_page):
    index = add_page(home_page, AttractionIndexPage(title="景点", slug="attractions"))
    spring = add_page(index, AttractionPage(title="春", slug="spring", bloom_months=[3, 4, 5]))
    winter = add_page(index, AttractionPage(title="冬", slug="winter", bloom_months=[12, 1]))

    assert set(AttractionPage.objects.filter(blooming_in(4))) == {spring}
    assert set(AttractionPage.objects.filter(blooming_in(1))) == {winter}
    assert not AttractionPage.objects.filter(blooming_in(7)).exists()
