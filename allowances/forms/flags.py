"""The form that acknowledges a claim's plausibility flag (one per raised flag on the decision page)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from allowances.models import ClaimFlagAcknowledgement
from allowances.plausibility import FlagCode
from events.validators import no_markup
from portal.forms import Form


class AcknowledgeFlagForm(Form):
    code = forms.ChoiceField(choices=FlagCode.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note on this flag"),
        max_length=ClaimFlagAcknowledgement._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you checked, or why it is fine. No client's name, please."),
        validators=[no_markup],
        error_messages={"required": _("Please add a note: what did you check, why is it fine?")},
    )

    def __init__(self, *args, code: str, **kwargs):
        # one form per flag on the same page: the ids must differ
        kwargs.setdefault("auto_id", f"id_flag_{code}_%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("code", code)
