"""Uploaded images stay within what a worker can render, and a damaged one never breaks a page.

- ``CheckedImageField``: Wagtail's image field, where a truncated or corrupt upload is a
  form error (not a 500 on the upload, nor on the first page that shows it) and an image
  over ``WAGTAILIMAGES_MAX_IMAGE_PIXELS`` is refused, in megapixels, before it is decoded.
- ``ImageForm``: the base of every Wagtail image form (``WAGTAILIMAGES_IMAGE_FORM_BASE``:
  single and multiple upload, choosers), with that field.
- ``guard_renditions``: a stored file that cannot be decoded (damaged on disk, or uploaded
  before these checks) is logged and treated like a missing file, which Wagtail's image
  tags already show as an empty image instead of failing the page.
"""

import functools
import logging
import struct
import zlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm
from wagtail.images.models import AbstractImage, SourceImageIOError

logger = logging.getLogger(__name__)

# What Pillow and Willow raise on a file that is not the image its header promises.
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    PILImage.DecompressionBombError,
    PILImage.DecompressionBombWarning,
)


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}".removesuffix(".0")


class CheckedImageField(WagtailImageField):
    """An image upload kept under the pixel cap and decoded in full, with clear refusals.

    The size is read from the file's header and checked against the cap before anything
    is decoded; then Wagtail's own check opens the image through Willow, which decodes all
    of it, so a truncated or corrupt file fails here, as a form error, and not on a page.
    """

    def too_many_pixels(self, width: int, height: int) -> ValidationError:
        return ValidationError(
            _(
                "This image is %(width)s × %(height)s pixels (%(megapixels)s megapixels); "
                "at most %(max)s megapixels can be shown on the site. Save it smaller, "
                "for example 4000 × 3000 pixels, and upload it again."
            ),
            code="file_too_many_pixels",
            params={
                "width": width or "?",
                "height": height or "?",
                "megapixels": _megapixels(width * height) if width else "?",
                "max": _megapixels(self.max_image_pixels or PILImage.MAX_IMAGE_PIXELS),
            },
        )

    def damaged(self) -> ValidationError:
        return ValidationError(
            _(
                "This image file is damaged or incomplete, so it cannot be shown. "
                "Export or copy it again and upload the new file."
            ),
            code="invalid_image",
        )

    def check_image_pixel_size(self, f):
        # The size from the header first: Wagtail's own check decodes the whole image to
        # count its pixels, which for a huge one is the very memory the cap is there to spare.
        width = height = 0
        if f.image.format_name != "svg":
            f.seek(0)
            try:
                with PILImage.open(f) as picture:
                    width, height = picture.size
            except DECODE_ERRORS as error:
                raise self.damaged() from error
            finally:
                f.seek(0)
        if self.max_image_pixels and width * height > self.max_image_pixels:
            raise self.too_many_pixels(width, height)
        try:
            super().check_image_pixel_size(f)
        except ValidationError as error:
            if error.code != "file_too_many_pixels":
                raise
            raise self.too_many_pixels(width, height) from None
        except DECODE_ERRORS as error:
            raise self.damaged() from error


class ImageForm(BaseImageForm):
    """Wagtail's image form with ``CheckedImageField`` for the file, wherever it has one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            field = self.fields["file"]
            self.fields["file"] = CheckedImageField(
                label=field.label, required=field.required, widget=field.widget
            )


def guard_renditions() -> None:
    """Make an undecodable stored file fail its renditions like a missing file does.

    Wagtail's ``{% image %}``, ``{% picture %}`` and ``{% srcset_image %}`` tags catch
    ``SourceImageIOError`` (a missing file) and render an empty image; a file that is there
    but cannot be decoded raises Pillow's own errors instead, and the page answers 500.
    """
    original = AbstractImage.generate_rendition_file
    if getattr(original, "guarded", False):
        return

    @functools.wraps(original)
    def generate_rendition_file(self, filter, *, source=None):
        try:
            return original(self, filter, source=source)
        except SourceImageIOError:
            raise
        except DECODE_ERRORS as error:
            logger.warning(
                "Image %s (%s) cannot be rendered as %s: %s; shown as missing.",
                self.pk,
                self.file.name,
                filter.spec,
                error,
            )
            raise SourceImageIOError(str(error)) from error

    generate_rendition_file.guarded = True
    AbstractImage.generate_rendition_file = generate_rendition_file
