"""Form helpers of the regions app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import Form
from regions.models import Region


def scope_region_field(form: forms.ModelForm, user) -> Region | None:
    """Limit the region field to the regions the user may edit; with only one, drop the field and use it.

    Returns the fixed region (or None when the user chooses one)."""
    regions = Region.objects.editable_by(user).order_by("name")
    if form.instance.pk:
        # The region of an existing record is not moved from here (contracts and claims hang on it).
        form.fields.pop("region", None)
        return form.instance.region
    if len(regions) == 1:
        form.fields.pop("region", None)
        form.instance.region = regions[0]
        return regions[0]
    form.fields["region"].queryset = regions
    return None


def _image_field(name: str) -> forms.FileField:
    """The upload field of a region's image: the model field's label, help text and validators (the same
    rules as the admin: regions.images), never required (one image may be changed without the other)."""
    model_field = Region._meta.get_field(name)
    return forms.FileField(
        label=model_field.verbose_name,
        help_text=model_field.help_text,
        required=False,
        validators=model_field.validators,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )


class CertificateImagesForm(Form):
    """A new logo and/or signature image of a region (regions.services.upload_certificate_images)."""

    logo = _image_field("logo")
    signature_image = _image_field("signature_image")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(name) for name in Region.IMAGE_FIELDS):
            raise forms.ValidationError(_("Please choose a logo or a signature image to upload."))
        return cleaned
