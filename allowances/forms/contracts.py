"""Contract forms. The dates and the overlap are checked again by the contract services under a lock."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from allowances.models import Contract
from lotsen.models import Lotse
from organisations.models import Organisation
from portal.forms import DateInput, Form

PDF_MAGIC = b"%PDF-"


def validate_contract_pdf(upload) -> None:
    """A real PDF no larger than the limit: checked by content, never by the name or the browser's type."""
    if upload.size > settings.MAX_CONTRACT_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MAX_CONTRACT_UPLOAD_BYTES),
            },
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise forms.ValidationError(
            _("This file is not a PDF. Please upload the scanned contract as PDF."), "type"
        )
    try:
        pages = len(PdfReader(upload).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError):
        pages = 0
    finally:
        upload.seek(0)
    if pages < 1:
        raise forms.ValidationError(
            _("This PDF cannot be read. Please scan or export it again."), "unreadable"
        )


class ContractDocumentForm(Form):
    document = forms.FileField(
        label=_("signed contract (PDF)"),
        validators=[validate_contract_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


class ContractForm(Form):
    """Terms of a new (or renewed) contract; the service creates it."""

    starts_on = forms.DateField(label=_("starts on"), widget=DateInput)
    ends_on = forms.DateField(
        label=_("ends on"), required=False, widget=DateInput, help_text=_("Empty: open-ended.")
    )
    allowance_type = forms.ChoiceField(label=_("allowance type"), choices=Contract.AllowanceType.choices)
    rate = forms.DecimalField(label=_("rate (EUR)"), min_value=0, max_digits=7, decimal_places=2)
    tax_allowance = forms.ChoiceField(
        label=_("tax-free allowance"), choices=Contract._meta.get_field("tax_allowance").choices
    )
    signed_on = forms.DateField(label=_("signed on"), required=False, widget=DateInput)
    organisation = forms.ModelChoiceField(
        label=_("organisation"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, lotse: Lotse, renewing: Contract | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lotse = lotse
        if renewing is not None:
            # A renewal keeps the organisation and proposes the same terms.
            del self.fields["organisation"]
            self.initial.update(
                allowance_type=renewing.allowance_type,
                rate=renewing.rate,
                tax_allowance=renewing.tax_allowance,
            )
        else:
            self.fields["organisation"].queryset = lotse.organisations.order_by("name")

    def clean_signed_on(self):
        signed_on = self.cleaned_data.get("signed_on")
        if signed_on and signed_on > timezone.localdate():
            raise forms.ValidationError(_("The signing date cannot be in the future."))
        return signed_on

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The contract cannot end before it starts."))
        return cleaned


class EndContractForm(Form):
    ended_on = forms.DateField(label=_("last day of the contract"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()
