"""Forms of the self-declarations: record one, correct one (the year's list is filtered by
allowances.filters.SelfDeclarationFilter).

Every Lotse a user can choose comes from ``editable_by``; the services check the dates again under a lock."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allowances.forms.contracts import validate_pdf
from lotsen.models import Lotse
from portal.forms import DateInput, Form


def validate_declaration_pdf(upload) -> None:
    """A real PDF within the upload limit, checked like the signed contract."""
    validate_pdf(upload, _("This file is not a PDF. Please upload the scanned declaration as PDF."))


def _document_field(label):
    return forms.FileField(
        label=label,
        required=False,
        validators=[validate_declaration_pdf],
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
        help_text=_("Optional: the signed declaration, scanned as PDF."),
    )


class _DeclarationDates(Form):
    year = forms.IntegerField(label=_("Year"), min_value=2010, max_value=2100)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("The date of receipt cannot be in the future."))
        return received_on

    def clean(self):
        cleaned = super().clean()
        year, received_on = cleaned.get("year"), cleaned.get("received_on")
        if year and received_on and received_on < datetime.date(year - 1, 1, 1):
            self.add_error(
                "received_on",
                _("A declaration for %(year)s cannot have been received so early.") % {"year": year},
            )
        return cleaned


class SelfDeclarationForm(_DeclarationDates):
    lotse = forms.ModelChoiceField(label=_("Lotse"), queryset=Lotse.objects.none())
    document = _document_field(_("signed declaration (PDF)"))
    field_order = ["lotse", "year", "received_on", "document"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lotse"].queryset = (
            Lotse.objects.editable_by(user).select_related("region").order_by("last_name", "first_name")
        )
        self.fields["lotse"].label_from_instance = lambda lotse: f"{lotse.full_name} ({lotse.region.name})"


class CorrectSelfDeclarationForm(_DeclarationDates):
    """The Lotse stays; a wrong Lotse is a declaration to record for the right one."""

    document = _document_field(_("replace the signed declaration (PDF)"))
