"""Renditions of a newly uploaded image, made by the task queue's worker.

A page that shows an image for the first time would otherwise make its renditions while
the visitor waits (a ``{% picture %}`` tag makes up to six at once, about 20 MiB of memory
per megapixel of the original: ``benchmarks/image_memory.py``). So when an image is
uploaded, a task makes the renditions the public templates ask for most, and the first
visitor finds them ready.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from wagtail.images import get_image_model

logger = logging.getLogger(__name__)

# The public templates' most used sizes (site/templates/tourism/...): cards in lists,
# body images, a tree's photo, and the picture shared on social media.
PUBLIC_RENDITIONS = (
    *(f"fill-{size}|format-{kind}" for size in ("400x260", "800x520") for kind in ("webp", "jpeg")),
    *(f"width-{width}|format-{kind}" for width in (640, 1200) for kind in ("webp", "jpeg")),
    "fill-1200x630|format-jpeg",
)


def renditions_prepare(*, image_id: int) -> int:
    """Make the ``PUBLIC_RENDITIONS`` of an image that lack one; how many there are now."""
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        return 0  # deleted before the worker came to it
    return len(image.get_renditions(*PUBLIC_RENDITIONS))


def _queue_for_new_image(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or not settings.IMAGES_RENDITIONS_ON_UPLOAD:
        return
    from .tasks import image_renditions_prepare

    image_id = instance.pk
    transaction.on_commit(lambda: _queue(image_renditions_prepare, image_id))


def _queue(task, image_id: int) -> None:
    try:
        task.delay(image_id)
    except Exception:  # the first page view makes them instead
        logger.exception("renditions of image %s could not be queued", image_id)


def register_rendition_tasks() -> None:
    post_save.connect(
        _queue_for_new_image, sender=get_image_model(), dispatch_uid="huagu_renditions_on_upload"
    )
