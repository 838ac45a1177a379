"""Writes of the regions app: the region's logo and signature image for its certificates.

An image on a certificate is what an official document shows, so every change is recorded in the audit trail
(which image, uploaded or removed; never the file or its name). The file an image replaces or a removal
leaves behind is deleted from the storage after the commit by ``Region.save``, the same as in the admin.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import Action, record
from regions.models import Region

logger = logging.getLogger(__name__)


def _lock_editable(region: Region, acting_user) -> Region:
    locked = Region.objects.editable_by(acting_user).select_for_update().filter(pk=region.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


@transaction.atomic
def upload_certificate_images(*, region: Region, acting_user, **images) -> Region:
    """Store a new logo and/or signature image (``logo=…``, ``signature_image=…``; None: left as it is).

    Each upload is checked by the field's validators (regions.images: PNG or JPEG, size, pixels) again, so
    a caller that skipped the form cannot store anything else."""
    unknown = set(images) - set(Region.IMAGE_FIELDS)
    if unknown:
        raise ValueError(f"not an image of a region: {sorted(unknown)}")
    chosen = {name: upload for name, upload in images.items() if upload is not None}
    if not chosen:
        raise ValidationError(_("Please choose a logo or a signature image to upload."))
    region = _lock_editable(region, acting_user)
    errors = {}
    for name, upload in chosen.items():
        try:
            Region._meta.get_field(name).run_validators(upload)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    replaced = {name: bool(getattr(region, name)) for name in chosen}
    for name, upload in chosen.items():
        # upload_to gives the stored file a generated name; nothing of the uploader's name is kept
        getattr(region, name).save(upload.name, upload, save=False)
    region.save(update_fields=list(chosen))
    for name in chosen:
        record(
            Action.REGION_IMAGE,
            actor=acting_user,
            target=region,
            region=region,
            image=name,
            operation="upload",
            replaced=replaced[name],
        )
    logger.info("region %s: %s uploaded by user %s", region.pk, ", ".join(chosen), acting_user.pk)
    return region


@transaction.atomic
def remove_certificate_image(*, region: Region, image: str, acting_user) -> bool:
    """Remove the logo or the signature image; False when there was none (nothing is recorded then)."""
    if image not in Region.IMAGE_FIELDS:
        raise ValueError(f"not an image of a region: {image!r}")
    region = _lock_editable(region, acting_user)
    if not getattr(region, image):
        return False
    setattr(region, image, "")
    region.save(update_fields=[image])
    record(
        Action.REGION_IMAGE, actor=acting_user, target=region, region=region, image=image, operation="remove"
    )
    logger.info("region %s: %s removed by user %s", region.pk, image, acting_user.pk)
    return True
