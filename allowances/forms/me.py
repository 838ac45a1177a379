"""The Lotse's claim form (/me/claims/<year>/<month>/)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from portal.forms import Form


class ClaimForm(Form):
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0"),
        max_digits=5,
        decimal_places=1,
        # Localized text input: a German user sees and may type "7,5" (type=number would refuse the comma).
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    amount = forms.DecimalField(
        label=_("Amount (EUR)"),
        min_value=Decimal("0"),
        max_digits=7,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    activities = forms.CharField(
        label=_("Activities"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you did this month, without any client's name."),
    )

    def __init__(self, *args, prefill, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefill = prefill

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        logged = self.prefill.hours
        if hours > logged:
            raise ValidationError(
                _("You logged %(hours)s hours this month. Please log missing consultations first.")
                % {"hours": number_format(logged, 1)}
            )
        return hours

    def clean(self):
        from allowances.services.prefill import amount_limit

        data = super().clean()
        contract = self.prefill.contract
        if contract is None or "amount" not in data or "hours" not in data:
            return data
        limit = amount_limit(contract, hours=data["hours"], consultations=self.prefill.activity.consultations)
        if data["amount"] > limit:
            self.add_error(
                "amount",
                _("The most your contract allows for this month is %(limit)s €.")
                % {"limit": number_format(limit, 2, force_grouping=True)},
            )
        return data
