"""Forms of the Lotse's self-service (/me/). Every choice of a foreign row comes from a scoped queryset."""

import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.models import Consultation, Lotse, Topic
from lotsen.services.consultations import MAX_BACKDATE_DAYS
from organisations.models import PartnerInstitution
from portal.forms import CheckboxList, DateInput, Form, ModelForm
from regions.models import Language


def _language_choices(lotse: Lotse) -> list:
    """The Lotse's own languages first, as a group of their own, then all others (by their displayed name)."""
    own_ids = set(lotse.languages.values_list("pk", flat=True))
    own, other = [], []
    for language in Language.objects.all():
        (own if language.pk in own_ids else other).append((language.pk, str(language)))
    own.sort(key=lambda c: c[1])
    other.sort(key=lambda c: c[1])
    choices: list = [("", _("not stated"))]
    if own:
        choices.append((_("Your languages"), own))
    choices.append((_("Other languages") if own else _("Languages"), other))
    return choices


class ConsultationForm(ModelForm):
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple(),
        error_messages={"required": _("Please choose at least one topic.")},
    )

    class Meta:
        model = Consultation
        fields = list(Consultation.ENTRY_FIELDS)
        widgets = {
            "date": DateInput,
            "duration_minutes": forms.NumberInput(
                attrs={"min": 5, "max": Consultation.MAX_DURATION_MINUTES, "step": 5, "inputmode": "numeric"}
            ),
            "mode": forms.RadioSelect(),
            "age_band": forms.RadioSelect(),
            "gender": forms.RadioSelect(),
            "time_in_germany": forms.RadioSelect(),
        }
        labels = {"referral": _("Referred to a partner institution")}

    field_order = ["date", "duration_minutes", "mode", "language", "topics"]

    def __init__(self, *args, lotse: Lotse, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.lotse = lotse
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["duration_minutes"].help_text = _("In minutes, e.g. 45.")
        self.fields["language"].choices = _language_choices(lotse)
        # Only the active partner institutions of the Lotse's own region.
        referral = self.fields["referral"]
        referral.queryset = PartnerInstitution.objects.visible_to(user).filter(
            region_id=lotse.region_id, is_active=True
        )
        referral.empty_label = _("no referral")
        self.fields["country_of_origin"].choices = [
            ("", _("not stated")),
            *list(self.fields["country_of_origin"].choices)[1:],
        ]
        for name in ("mode", "age_band", "gender", "time_in_germany"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        if self.instance.pk:
            self.initial.setdefault("topics", self.instance.topics)

    def clean_date(self):
        day = self.cleaned_data["date"]
        today = timezone.localdate()
        if day > today:
            raise ValidationError(_("The date cannot be in the future."))
        if day < today - datetime.timedelta(days=MAX_BACKDATE_DAYS):
            raise ValidationError(_("The date is more than a year ago."))
        return day

    def service_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["topics"] = self.cleaned_data["topics"]
        return values


class NewConsultationForm(ConsultationForm):
    #: Generated when the empty form is shown; the same key sent twice finds the first entry.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4()


class ConsultationMonthForm(Form):
    """The month filter of the own consultations list (a GET form: only a month, never personal data)."""

    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def selected_month(self) -> datetime.date:
        today = timezone.localdate().replace(day=1)
        if self.is_valid() and self.cleaned_data["month"]:
            return self.cleaned_data["month"].replace(day=1)
        return today


class ProfileForm(ModelForm):
    """What a Lotse may change about themself. Region, organisations and status are not fields here."""

    expertise = forms.MultipleChoiceField(
        label=_("Areas of expertise"),
        choices=Topic.choices,
        required=False,
        widget=CheckboxList,
    )

    class Meta:
        model = Lotse
        fields = ["email", "phone", "availability", "languages", "expertise", "address_form"]
        labels = {"email": _("E-mail for contact")}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "languages": CheckboxList,
            "address_form": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not sent (an older form, a script): the stored choice stays.
        self.fields["address_form"].required = False

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not all(ch.isdigit() or ch in "+ /-()" for ch in phone):
            raise ValidationError(_("Please enter a phone number (digits, spaces, + / - and brackets)."))
        return phone
