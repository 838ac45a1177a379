"""Small helpers shared by the forms and views of every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from regions.models import Region


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the field it names, or above the form.

    Services check their invariants again under a row lock, so a form that validated can still fail there;
    the user then sees the message in the same place as a form error.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


#: A list box of languages takes several choices, which nobody guesses without being told.
MULTIPLE_CHOICE_HINT = _("Hold Ctrl (or Cmd) to choose several on a computer.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


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
