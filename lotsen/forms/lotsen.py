"""Forms a coordinator fills in about a Lotse. Every choice of a related row comes from a scoped queryset."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.models import Lotse, Topic
from lotsen.validators import normalize_iban, validate_iban
from organisations.models import Organisation
from portal.forms import CheckboxList, DateInput, Form, ModelForm
from regions.forms import scope_region_field
from regions.models import District, Language

#: Bank details: entered and changed only by those who pay the Lotse's region.
BANK_FIELDS = Lotse.BANK_DATA_FIELDS
BANK_DETAILS_REFUSED = _(
    "Only coordinators who pay the allowances of the Lotse's region change bank details, "
    "and nobody their own."
)


class LotseForm(ModelForm):
    expertise = forms.MultipleChoiceField(
        label=_("areas of expertise"),
        choices=Topic.choices,
        required=False,
        widget=CheckboxList,
    )

    class Meta:
        model = Lotse
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "region",
            "district",
            "organisations",
            "languages",
            "expertise",
            "availability",
            "address_form",
            "account_holder",
            "iban",
        ]
        widgets = {
            "organisations": forms.CheckboxSelectMultiple,
            "languages": CheckboxList,
            "address_form": forms.RadioSelect,
        }

    def __init__(self, *args, user, fresh: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fixed_region = scope_region_field(self, user)
        self.fields["district"].queryset = District.objects.visible_to(user).order_by("name")
        self.fields["organisations"].queryset = Organisation.objects.editable_by(user).order_by("name")
        self.fields["languages"].queryset = Language.objects.all()
        # Not sent (an older form, a script): the stored choice stays.
        self.fields["address_form"].required = False
        if self.instance.pk and self.instance.user_id:
            # The e-mail is the login of this Lotse: changed by the person, not from here.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _(
                "This address is the Lotse's login and cannot be changed here."
            )
        self.iban_visible = (
            self.instance.shows_payment_details(user, fresh=fresh) if self.instance.pk else True
        )
        if self.instance.pk and not self.iban_visible:
            # Those who do not pay never see the bank details, not even in a form, nor those who pay without
            # a fresh re-authentication: the fields start empty, and empty keeps what is stored.
            self.initial["iban"] = ""
            self.initial["account_holder"] = ""
        elif self.instance.pk and self.instance.iban:
            self.initial["iban"] = self.instance.iban_for(user, fresh=fresh)
        if self.instance.pk:
            self.fields["iban"].help_text = _("Leave empty to keep the stored IBAN.")
        if self.instance.pk and not self.instance.can_change_payment_details(user):
            # Only those who pay change bank details, and nobody their own (Lotse.can_change_payment_details).
            for name in BANK_FIELDS:
                self.fields[name].disabled = True
            stored = (
                _("Stored: %(iban)s.") % {"iban": self.instance.iban_masked} if self.instance.iban else ""
            )
            self.fields["iban"].help_text = f"{stored} {BANK_DETAILS_REFUSED}".strip()

    @property
    def changes_bank_details(self) -> bool:
        """Entering or changing the account holder or IBAN needs a fresh re-authentication (the view asks)."""
        return bool({"iban", "account_holder"} & set(self.changed_data))

    def clean_iban(self):
        if self.fields["iban"].disabled:
            return self.instance.iban
        iban = normalize_iban(self.cleaned_data.get("iban", ""))
        if not iban:
            # Empty keeps the stored IBAN, whatever the form showed: a form sent after the login became fresh
            # (re-authentication replays it) must not erase an IBAN it never displayed.
            return self.instance.iban if self.instance.pk else ""
        validate_iban(iban)
        return iban

    def clean_account_holder(self):
        holder = (self.cleaned_data.get("account_holder") or "").strip()
        if self.fields["account_holder"].disabled or (not holder and self.instance.pk):
            return self.instance.account_holder
        return holder

    def clean(self):
        cleaned = super().clean()
        region = self.fixed_region or cleaned.get("region")
        if region is None:
            return cleaned
        entered_bank_details = any(
            cleaned.get(name) and not self.fields[name].disabled and name in self.changed_data
            for name in BANK_FIELDS
        )
        if entered_bank_details and not Lotse(
            region=region, user_id=self.instance.user_id
        ).can_change_payment_details(self.user):
            # A new Lotse (or one moved to another region): bank details only from those who pay that region.
            self.add_error("iban", BANK_DETAILS_REFUSED)
        district = cleaned.get("district")
        if district is not None and district.region_id != region.pk:
            self.add_error("district", _("This district does not belong to the Lotse's region."))
        foreign = [o for o in cleaned.get("organisations") or [] if o.region_id != region.pk]
        if foreign:
            self.add_error("organisations", _("Choose organisations of the Lotse's region only."))
        return cleaned


class StatusChangeForm(Form):
    status = forms.ChoiceField(label=_("new status"), choices=())
    effective_on = forms.DateField(label=_("effective from"), widget=DateInput)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, lotse: Lotse, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = Lotse.STATUS_TRANSITIONS.get(lotse.status, set())
        self.fields["status"].choices = [
            (value, label) for value, label in Lotse.Status.choices if value in allowed
        ]
        self.fields["effective_on"].initial = timezone.localdate()
