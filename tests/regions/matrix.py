from django.core.files.base import ContentFile

from regions.models import Region
from tests import factories as f
from tests.matrix import ANY_USER, CO, ST, Case, expect

#: The images for certificates of OWL: programme staff and the OWL coordinator; 404 for everyone else.
OWL_IMAGES = expect(lotse_a=404, lotse_b=404, other_coordinator=404)
#: A change of OWL's images (after a fresh login): a redirect back to the page for those who may change them.
OWL_IMAGES_WRITE = expect(lotse_a=404, lotse_b=404, other_coordinator=404, coordinator=302, staff=302)


def _owl_with_logo(w) -> dict:
    w.owl.logo.save("logo.png", ContentFile(f.png_bytes()), save=True)
    return {"slug": w.owl.slug, "image": "logo"}


def _logo_stored(w) -> bool:
    return bool(Region.objects.get(pk=w.owl.pk).logo)


CASES = [
    Case("regions:list", ANY_USER),
    Case("regions:detail", expect(other_coordinator=404), kwargs=lambda w: {"slug": w.owl.slug}),
    Case(
        "regions:detail",
        expect(lotse_a=404, lotse_b=404, coordinator=404),
        kwargs=lambda w: {"slug": w.siegen.slug},
    ),
    Case("regions:certificate_images", OWL_IMAGES, kwargs=lambda w: {"slug": w.owl.slug}),
    Case(
        "regions:certificate_images",
        OWL_IMAGES_WRITE,
        kwargs=lambda w: {"slug": w.owl.slug},
        method="post",
        data=lambda w: {"logo": f.png_upload()},
        fresh=True,
        wrote=_logo_stored,
        writers=frozenset({CO, ST}),
    ),
    Case("regions:certificate_image", OWL_IMAGES, kwargs=_owl_with_logo),
    Case("regions:certificate_image_remove", OWL_IMAGES, kwargs=_owl_with_logo),
    Case(
        "regions:certificate_image_remove",
        OWL_IMAGES_WRITE,
        kwargs=_owl_with_logo,
        method="post",
        data=lambda w: {},
        fresh=True,
        wrote=lambda w: not _logo_stored(w),
        writers=frozenset({CO, ST}),
    ),
]
