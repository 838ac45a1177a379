"""A region's logo and signature image for its certificates: uploaded by programme staff and the region's
coordinators on the region's page (regions.views.certificate_images; the admin for data fixes), checked
before they are stored, stored under generated names, and read by the certificate renderer from MEDIA_ROOT
only (certificates.rendering: no network)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: the largest logo or signature image accepted (a scanned signature at 300 dpi is well below this)
MAX_IMAGE_BYTES = 1024 * 1024
#: the largest width or height in pixels (a decompression bomb is refused before it is decoded)
MAX_IMAGE_PIXELS = 4000
#: the formats a PDF/A can embed as they are; Pillow's own name for each, and the file extension
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}
#: the folder below MEDIA_ROOT; the renderer may read nothing else of MEDIA_ROOT
IMAGE_FOLDER = "region-images"


def validate_region_image(uploaded) -> None:
    """A PNG or JPEG of at most MAX_IMAGE_BYTES and MAX_IMAGE_PIXELS per side, that Pillow can verify.

    Only a new upload is checked. Model validation runs on every change of a region, with the stored image
    as a committed FieldFile: reading it again would open (and leave open) a file that passed this check when
    it was uploaded, and fail with FileNotFoundError when the file has gone missing since."""
    from PIL import Image, UnidentifiedImageError

    if getattr(uploaded, "_committed", False):
        return
    try:
        size = uploaded.size
    except OSError as exc:
        raise ValidationError(_("Please upload a PNG or JPEG image.")) from exc
    if size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is too large (at most %(size)s MB).") % {"size": MAX_IMAGE_BYTES // (1024 * 1024)}
        )
    try:
        uploaded.seek(0)
        with Image.open(uploaded) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("Please upload a PNG or JPEG image.")) from exc
    finally:
        uploaded.seek(0)
    if kind not in IMAGE_FORMATS:
        raise ValidationError(_("Please upload a PNG or JPEG image."))
    if max(width, height) > MAX_IMAGE_PIXELS:
        raise ValidationError(
            _("The image is too large (at most %(pixels)s pixels wide and high).")
            % {"pixels": MAX_IMAGE_PIXELS}
        )


def region_image_upload_to(instance, filename: str) -> str:
    # A generated name: nothing of the uploader's file name (which may hold a person's name) is kept, and the
    # extension follows the name the uploaded file gave, checked to be .png or .jpg/.jpeg by the validator.
    extension = "png" if filename.lower().endswith(".png") else "jpg"
    return f"{IMAGE_FOLDER}/{uuid.uuid4().hex}.{extension}"
