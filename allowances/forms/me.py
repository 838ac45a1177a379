"""The Lotse's claim form (/me/claims/<year>/<month>/). What may be claimed is for allowances.rules to say."""

from decimal import Decimal

from django import forms
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

    def clean(self):
        data = super().clean()
        if "amount" not in data or "hours" not in data:
            return data  # the field's own error is shown
        for field, message in self.prefill.problems(amount=data["amount"], hours=data["hours"]).items():
            self.add_error(None if field == "__all__" else field, message)
        return data
