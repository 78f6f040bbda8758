"""A new image's renditions are made by the task queue, not by the first visitor."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tourism.renditions import PUBLIC_RENDITIONS

pytestmark = pytest.mark.django_db


def test_an_uploaded_image_gets_its_public_renditions_from_the_queue(
    settings, make_image, django_capture_on_commit_callbacks
):
    settings.IMAGES_RENDITIONS_ON_UPLOAD = True

    with django_capture_on_commit_callbacks(execute=True):
        image = make_image("芍药", size=(1600, 1000))

    made = set(image.renditions.values_list("filter_spec", flat=True))
    assert made == set(PUBLIC_RENDITIONS)
    card = image.renditions.get(filter_spec="fill-400x260|format-webp")
    assert (card.width, card.height) == (400, 260)
    # A page asking for one now finds it made: no new rendition is written.
    with CaptureQueriesContext(connection) as queries:
        image.get_rendition("fill-800x520|format-jpeg")
    assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]


def test_nothing_is_queued_when_renditions_on_upload_are_off(
    settings, make_image, django_capture_on_commit_callbacks
):
    settings.IMAGES_RENDITIONS_ON_UPLOAD = False

    with django_capture_on_commit_callbacks(execute=True):
        image = make_image("芍药")

    assert not image.renditions.exists()
