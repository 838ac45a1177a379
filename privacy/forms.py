from django import forms
from django.utils.translation import gettext_lazy as _

from portal.text import folded


class AnonymiseForm(forms.Form):
    """The confirmation step: a checkbox and the Lotse's name typed, so nobody anonymises by a slip."""

    confirm = forms.BooleanField(
        label=_("I understand that the personal data are removed for good and cannot be restored."),
        required=True,
    )
    name = forms.CharField(label=_("Type the Lotse's full name to confirm"), max_length=250)

    def __init__(self, *args, lotse, **kwargs):
        super().__init__(*args, **kwargs)
        self.lotse = lotse

    def clean_name(self):
        name = self.cleaned_data["name"]
        if folded(name) != folded(self.lotse.full_name):
            raise forms.ValidationError(_("The name does not match the Lotse's name."))
        return name
