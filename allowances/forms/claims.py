"""Forms of the coordinators' claim screens. Every id a user can send comes from a scoped queryset."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from allowances.models import AllowanceClaim
from events.validators import no_markup
from portal.forms import DateInput, Form

#: One pay batch is a page or a few pages of the queue, never the whole table.
MAX_CLAIMS_PER_BATCH = 500


class RejectClaimForm(Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=AllowanceClaim._meta.get_field("rejection_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The Lotse will see this reason. No client's name, please."),
        validators=[no_markup],
        error_messages={"required": _("Please give a reason for the rejection.")},
    )


class PayClaimsForm(Form):
    """The claims ticked on the pay page and, on the confirmation page, the batch's execution date."""

    claims = forms.ModelMultipleChoiceField(
        label=_("Claims"),
        queryset=AllowanceClaim.objects.none(),
        error_messages={
            "required": _("Select at least one approved claim for the payout batch."),
            "invalid_choice": _("One of the selected claims is not available to you. No batch was prepared."),
            "invalid_pk_value": _(
                "One of the selected claims is not available to you. No batch was prepared."
            ),
        },
    )
    execution_date = forms.DateField(
        label=_("Execution date"),
        required=False,
        widget=DateInput,
        help_text=_("The day the bank transfers the money."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Claims of other regions are not choices: a forged id invalidates the whole batch.
        self.fields["claims"].queryset = AllowanceClaim.objects.editable_by(user)

    def clean_claims(self):
        claims = self.cleaned_data["claims"]
        if len(claims) > MAX_CLAIMS_PER_BATCH:
            raise forms.ValidationError(
                _("Please put at most %(max)s claims in one batch."), params={"max": MAX_CLAIMS_PER_BATCH}
            )
        return claims


def next_business_day(day: datetime.date) -> datetime.date:
    """The next weekday after ``day``: the proposed execution date of a batch."""
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day
