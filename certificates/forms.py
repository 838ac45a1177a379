import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from portal.forms import Form
from regions.models import Region

FIRST_PROGRAMME_YEAR = 2010


def programme_year_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Programme year"),
        min_value=FIRST_PROGRAMME_YEAR,
        max_value=timezone.localdate().year + 1,
        initial=timezone.localdate().year,
        **kwargs,
    )


class IssueForLotseForm(Form):
    programme_year = programme_year_field(required=False)

    def year(self) -> int:
        return self.cleaned_data.get("programme_year") or timezone.localdate().year


class BatchForm(Form):
    """Issue for every eligible Lotse of a region, or of an event's participants.

    Choices come from what the user may edit, so a foreign region or event is a form error."""

    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False)
    event = forms.ModelChoiceField(
        label=_("Event"),
        queryset=Event.objects.none(),
        required=False,
        help_text=_(
            "For example the closing event: its participants receive their certificates. An event chosen "
            "here takes the place of the region."
        ),
    )
    programme_year = programme_year_field(
        required=False, help_text=_("With an event, the year of the event is used.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.editable_by(user).order_by("name")
        since = timezone.now() - datetime.timedelta(days=2 * 366)
        self.fields["event"].queryset = (
            Event.objects.editable_by(user).filter(starts_at__gte=since).select_related("region")
        )
        regions = self.fields["region"].queryset
        if len(regions) == 1:
            self.fields["region"].initial = regions[0].pk

    def clean(self):
        data = super().clean()
        region, event = data.get("region"), data.get("event")
        if self.errors:
            return data
        if region is None and event is None:
            raise forms.ValidationError(_("Choose a region or an event."))
        if event is not None:
            # The event wins: the region is preselected for a coordinator of one region, and choosing an
            # event on top of it means "this event's participants" (of every region the user may edit).
            data["region"] = None
            data["programme_year"] = timezone.localtime(event.starts_at).year
        elif not data.get("programme_year"):
            data["programme_year"] = timezone.localdate().year
        return data


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the certificate; not shown on the public verification page."),
    )


class VerifyLookupForm(Form):
    code = forms.RegexField(
        label=_("Verification code"),
        regex=r"^[A-Za-z0-9]{6,16}$",
        max_length=24,
        error_messages={"invalid": _("A verification code has letters and digits only.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and isinstance(self.data.get("code"), str):
            # People copy codes with spaces or dashes ("FJ7N GMEX 6B"): they are not part of the code.
            self.data = self.data.copy()
            self.data["code"] = "".join(ch for ch in self.data["code"] if ch not in " -\t").upper()


class VerifyUploadForm(Form):
    file = forms.FileField(label=_("Certificate (PDF)"))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = getattr(settings, "CERTIFICATE_VERIFY_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
        if uploaded.size > limit:
            raise forms.ValidationError(_("The file is too large to be a certificate."))
        return uploaded
