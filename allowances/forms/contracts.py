"""Contract forms. The dates and the overlap are checked again by the contract services under a lock."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from allowances import rules
from allowances.models import Contract
from lotsen.models import Lotse
from organisations.models import Organisation
from portal.forms import DateInput, Form

PDF_MAGIC = b"%PDF-"


def validate_contract_pdf(upload) -> None:
    """A real PDF no larger than the limit: checked by content, never by the name or the browser's type."""
    validate_pdf(upload, _("This file is not a PDF. Please upload the scanned contract as PDF."))


def validate_pdf(upload, not_a_pdf: str) -> None:
    """validate_contract_pdf with the message for a file that is not a PDF named by the caller."""
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
        raise forms.ValidationError(not_a_pdf, "type")
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
    # No digit count and no bounds here: allowances.rules.contract_problems names the region's limit in
    # words ("höchstens 30,00 €") where Django would say "höchstens 5 Ziffern vor dem Komma".
    rate = forms.DecimalField(
        label=_("rate (EUR)"),
        decimal_places=2,
        help_text=_("Per hour, per month or per consultation, as chosen above."),
        error_messages={
            "invalid": _("Please enter the rate as an amount in euros, such as 12,50."),
            "max_decimal_places": _(
                "Please enter the rate in euros and cents, with at most two digits after the comma."
            ),
        },
    )
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
        if cleaned.get("allowance_type") and cleaned.get("rate") is not None:
            problems = rules.contract_problems(
                allowance_type=cleaned["allowance_type"], rate=cleaned["rate"], region=self.lotse.region
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return cleaned


class EndContractForm(Form):
    ended_on = forms.DateField(label=_("last day of the contract"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()
