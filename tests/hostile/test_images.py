"""Hostile images: a truncated upload is a form error, an oversized one a clear refusal, a
damaged stored file never breaks a public page. Nothing refused is saved.

The uploads go through every way in: Wagtail's image form (one file and many) and the
field form's planting photo.
"""

import io
import logging

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection
from wagtail.users.models import UserProfile

from nursery.models import Planting, SpecimenTree
from tests.nursery.factories import SpeciesFactory, ZoneFactory, make_lot
from tests.tickets.factories import user_in_role

pytestmark = pytest.mark.django_db
Image = get_image_model()

CAP = 16_000_000


@pytest.fixture(autouse=True)
def english():
    """Pages in English (/en/ and the admin user's language); messages read in English."""
    with translation.override("en"):
        yield


def jpeg_bytes(size=(1200, 800)) -> bytes:
    picture = PILImage.new("RGB", size, (214, 92, 140))
    picture.paste(PILImage.new("RGB", (size[0], size[1] // 3), (250, 200, 90)), (0, size[1] // 3))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """A photo cut off halfway, as an interrupted phone upload leaves it: its header is whole."""
    data = jpeg_bytes()
    return data[: len(data) // 2]


def png_bytes(width: int, height: int) -> bytes:
    """A one-bit PNG: any number of pixels in a few kilobytes and megabytes of memory."""
    out = io.BytesIO()
    PILImage.new("1", (width, height), 1).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return user


def upload_one(client, data: bytes, name: str):
    return client.post(
        reverse("wagtailimages:add"),
        {
            "title": "上传",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile(name, data),
        },
    )


def upload_many(client, data: bytes, name: str):
    return client.post(
        reverse("wagtailimages:add_multiple"),
        {
            "collection": Collection.get_first_root_node().pk,
            "files[]": SimpleUploadedFile(name, data),
        },
    )


def test_the_cap_is_the_measured_one():
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == CAP


def test_a_truncated_image_is_a_form_error_and_nothing_is_saved(client, admin):
    response = upload_one(client, truncated_jpeg(), "cut.jpg")
    assert response.status_code == 200
    assert "damaged or incomplete" in response.content.decode()
    response = upload_many(client, truncated_jpeg(), "cut.jpg")
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert "damaged or incomplete" in response.json()["error_message"]
    assert not Image.objects.exists()


def test_an_image_over_the_cap_is_refused_with_the_cap_in_megapixels(client, admin):
    response = upload_one(client, png_bytes(4001, 4000), "big.png")
    assert response.status_code == 200
    message = response.content.decode()
    assert "4001 × 4000 pixels (16 megapixels)" in message
    assert "at most 16 megapixels" in message
    response = upload_many(client, png_bytes(8000, 6000), "huge.png")
    assert "8000 × 6000 pixels (48 megapixels)" in response.json()["error_message"]
    assert not Image.objects.exists()


def test_an_image_at_the_cap_is_accepted(client, admin):
    response = upload_one(client, png_bytes(4000, 4000), "square.png")
    assert response.status_code == 302
    assert Image.objects.get().width == 4000


def test_the_refusal_reads_in_chinese_for_a_chinese_user(client, admin):
    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = "zh-hans"
    profile.save()
    response = upload_one(client, truncated_jpeg(), "cut.jpg")
    assert "这个图片文件已损坏或不完整" in response.content.decode()


@pytest.fixture
def manager(client):
    user = user_in_role("Farm managers")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "data, name, message",
    [
        (truncated_jpeg(), "cut.jpg", "damaged or incomplete"),
        (png_bytes(5000, 4000), "big.png", "at most 16 megapixels"),
    ],
    ids=["truncated", "over the cap"],
)
def test_the_field_form_refuses_a_bad_photo_and_records_no_planting(
    client, manager, data, name, message
):
    lot = make_lot(20)
    response = client.post(
        reverse("nursery_field"),
        {
            "action": "planting",
            "p-zone": ZoneFactory().pk,
            "p-lot": lot.pk,
            "p-quantity": "3",
            "p-planted_on": timezone.localdate().isoformat(),
            "p-photo": SimpleUploadedFile(name, data),
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Planting.objects.exists() and not Image.objects.exists()
    lot.refresh_from_db()
    assert lot.on_hand == 20


def break_file(image) -> None:
    """Cut the stored original in half, as a disk or a copy gone wrong would, and drop its renditions."""
    image.renditions.all().delete()
    with image.open_file() as f:
        data = f.read()
    with open(image.file.path, "wb") as f:
        f.write(data[: len(data) // 2])


def test_a_damaged_stored_image_leaves_every_public_page_200(client, site_tree, caplog):
    tree = SpecimenTree.objects.create(
        tag="T010",
        species=SpeciesFactory(),
        zone=site_tree.zone,
        public=True,
        photo=site_tree.images[0],
    )
    for image in site_tree.images:
        break_file(image)
    pages = [
        tree_url
        for language in ("zh-hans", "en")
        for tree_url in (
            reverse("nursery_tree_list") if language == "zh-hans" else "/en/trees/",
            f"{'/en' if language == 'en' else ''}/trees/{tree.tag}/",
        )
    ]
    for namespace in (site_tree.zh, site_tree.en):
        pages += [
            namespace.home.url,
            namespace.attraction_index.url,
            namespace.attraction.url,
            namespace.news_index.url,
            namespace.news.url,
        ]
    with caplog.at_level(logging.WARNING, logger="tourism.images"):
        for page in pages:
            assert client.get(page).status_code == 200, page
    assert any("cannot be rendered" in r.getMessage() for r in caplog.records)
