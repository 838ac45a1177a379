from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import Kind
from portal.forms import Form


class ReminderSettingsForm(Form):
    """The account page's "E-mail reminders": only the reminders the user's roles can get are offered."""

    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES)
    event = forms.BooleanField(label=Kind.EVENT.label, required=False)
    digest = forms.BooleanField(label=Kind.DIGEST.label, required=False)
    claim_month = forms.BooleanField(label=Kind.CLAIM_MONTH.label, required=False)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind.values:
            if kind not in kinds:
                del self.fields[kind]
