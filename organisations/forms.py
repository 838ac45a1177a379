from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from portal.forms import CheckboxList, DateInput, ModelForm
from portal.text import folded
from regions.forms import scope_region_field
from regions.models import District, Language


class OrganisationForm(ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "region",
            "district",
            "legal_form",
            "register_number",
            "street",
            "postcode",
            "city",
            "communities",
            "languages",
            "contact_name",
            "contact_email",
            "contact_phone",
            "cooperation_status",
            "cooperation_since",
            *Organisation.MINIMUM_STANDARD_FIELDS,
            "notes",
        ]
        widgets = {
            "languages": CheckboxList,
            "cooperation_since": DateInput,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_region = scope_region_field(self, user)
        self.fields["district"].queryset = District.objects.visible_to(user).order_by("name")
        self.fields["languages"].queryset = Language.objects.all()

    def sections(self) -> list[tuple[str | None, list]]:
        """The fields in order, the five minimum-standard checkboxes as one group under a legend."""
        standard = set(Organisation.MINIMUM_STANDARD_FIELDS)
        fields = list(self)
        first = next(i for i, field in enumerate(fields) if field.name in standard)
        grouped = [field for field in fields if field.name in standard]
        rest = [field for field in fields if field.name not in standard]
        return [(None, rest[:first]), (_("Minimum standard"), grouped), (None, rest[first:])]

    def clean_postcode(self):
        postcode = self.cleaned_data.get("postcode", "").strip()
        if postcode and not (len(postcode) == 5 and postcode.isdigit()):
            raise forms.ValidationError(_("A German postcode has five digits."))
        return postcode

    def clean(self):
        cleaned = super().clean()
        region = self.fixed_region or cleaned.get("region")
        if region is None:
            return cleaned
        district = cleaned.get("district")
        if district is not None and district.region_id != region.pk:
            self.add_error("district", _("This district does not belong to the selected region."))
        name = (cleaned.get("name") or "").strip()
        if name:
            # The unique constraint covers region + folded name; the form checks it here so the user gets a
            # message ("Verein" and "VEREIN", "Türkisch" and "TÜRKISCH" are one name).
            duplicates = Organisation.objects.filter(region=region, name_key=folded(name)).exclude(
                pk=self.instance.pk
            )
            if duplicates.exists():
                self.add_error("name", _("An organisation with this name already exists in the region."))
        return cleaned
