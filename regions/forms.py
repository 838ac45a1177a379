"""Form helpers of the regions app."""

from django import forms

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
