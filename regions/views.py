from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.reauth import is_fresh, reauthenticate_url, require_fresh_login
from portal.forms import apply_service_errors
from portal.middleware import DOWNLOAD_CSP
from regions import services
from regions.forms import CertificateImagesForm
from regions.images import IMAGE_FORMATS, MAX_IMAGE_PIXELS
from regions.models import Region

#: the images of a region by the name in their URL
IMAGES = {"logo": "logo", "signature": "signature_image"}
#: the content type of a stored image by its extension (regions.images.region_image_upload_to)
CONTENT_TYPES = {extension: f"image/{kind.lower()}" for kind, extension in IMAGE_FORMATS.items()}


def region_list(request):
    regions = Region.objects.visible_to(request.user).prefetch_related("districts")
    return render(request, "regions/region_list.html", {"regions": regions})


def region_detail(request, slug: str):
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=slug)
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "districts": region.districts.all(),
            "can_change_images": Region.objects.editable_by(request.user).filter(pk=region.pk).exists(),
        },
    )


# -- the images on the region's certificates ------------------------------------------------------------
# Programme staff and the region's coordinators; anyone else gets 404 (editable_by). Changing an image asks
# for a fresh login: it is printed on official documents.
def _editable_region(request, slug: str) -> Region:
    return get_object_or_404(Region.objects.editable_by(request.user), slug=slug)


def _image_name(image: str) -> str:
    if image not in IMAGES:
        raise Http404
    return IMAGES[image]


def certificate_images(request, slug: str):
    region = _editable_region(request, slug)
    form = CertificateImagesForm()
    if request.method == "POST":
        require_fresh_login(request)
        form = CertificateImagesForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.upload_certificate_images(
                    region=region, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The images for certificates have been saved."))
                return redirect("regions:certificate_images", slug=region.slug)
    fresh = is_fresh(request)
    return render(
        request,
        "regions/certificate_images.html",
        {
            "region": region,
            "form": form,
            "fresh": fresh,
            "max_pixels": MAX_IMAGE_PIXELS,
            # a file chosen before a re-authentication would be lost: the form appears once the login is fresh
            "reauthenticate_url": "" if fresh else reauthenticate_url(request, request.get_full_path()),
        },
    )


def certificate_image_remove(request, slug: str, image: str):
    """GET: the question; POST (after a fresh login): the image is removed."""
    region = _editable_region(request, slug)
    name = _image_name(image)
    if request.method == "POST":
        require_fresh_login(request)
        if services.remove_certificate_image(region=region, image=name, acting_user=request.user):
            messages.success(request, _("The image has been removed."))
        else:
            messages.info(request, _("There was no image to remove."))
        return redirect("regions:certificate_images", slug=region.slug)
    if not getattr(region, name):
        raise Http404
    return render(
        request, "regions/certificate_image_remove.html", {"region": region, "image": image, "name": name}
    )


@never_cache
def certificate_image(request, slug: str, image: str):
    """The stored logo or signature image, shown in the page (media files are not served publicly)."""
    region = _editable_region(request, slug)
    stored = getattr(region, _image_name(image))
    extension = stored.name.rsplit(".", 1)[-1] if stored else ""
    if extension not in CONTENT_TYPES:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # inline (a filename without as_attachment): the page shows it; a neutral name if it is saved
    response = FileResponse(
        handle, content_type=CONTENT_TYPES[extension], filename=f"{region.slug}-{image}.{extension}"
    )
    # As every download (portal.middleware.PrivateResponseMiddleware): an uploaded file, sandboxed.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response
