import math

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Attendance, Event
from events.validators import no_markup
from lotsen.models import Lotse
from portal.forms import DateInput, Form, ModelForm
from regions.models import Region

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(ModelForm):
    class Meta:
        model = Event
        fields = [
            "kind",
            "region",
            "title",
            "topic",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "hours_credited",
            "capacity",
            "registration_deadline",
        ]
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "registration_deadline": DateInput,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        region = self.fields["region"]
        if user.sees_everything:
            region.queryset = Region.objects.visible_to(user)
            region.empty_label = _("programme-wide (all regions)")
        else:
            # Coordinators plan their own regions' events; programme-wide ones belong to the programme office.
            region.queryset = Region.objects.editable_by(user)
            region.required = True
            region.empty_label = None if region.queryset.count() == 1 else "---------"
            region.help_text = ""
        for name in ("title", "topic", "place"):
            self.fields[name].validators.append(no_markup)
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["hours_credited"].widget.attrs.update({"min": 0, "step": "0.5"})

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < 1:
            raise forms.ValidationError(_("The capacity must be at least 1 (leave it empty for no limit)."))
        if capacity is not None and self.instance.pk:
            taken = self.instance.attendances.taking_a_place().count()
            if capacity < taken:
                raise forms.ValidationError(
                    _("%(taken)s Lotsen are already registered; the capacity cannot be lower."),
                    params={"taken": taken},
                )
        return capacity

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        hours, deadline = cleaned.get("hours_credited"), cleaned.get("registration_deadline")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The event must end after it starts."))
        if starts_at and deadline and deadline > timezone.localtime(starts_at).date():
            self.add_error(
                "registration_deadline",
                _("The registration deadline cannot be after the start of the event."),
            )
        if hours is not None:
            if hours < 0:
                self.add_error("hours_credited", _("The hours cannot be negative."))
            elif starts_at and ends_at and ends_at > starts_at:
                duration = math.ceil((ends_at - starts_at).total_seconds() / 3600)
                if hours > duration:
                    self.add_error(
                        "hours_credited",
                        _("At most %(duration)s hours can be credited for an event of this length.")
                        % {"duration": duration},
                    )
        return cleaned


class RegisterLotsenForm(Form):
    lotsen = forms.ModelMultipleChoiceField(
        label=_("Lotsen to register"),
        queryset=Lotse.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one Lotse."),
            "invalid_choice": _("One of the selected Lotsen cannot be registered for this event."),
            "invalid_pk_value": _("One of the selected Lotsen cannot be registered for this event."),
        },
    )

    def __init__(self, *args, event: Event, user, **kwargs):
        super().__init__(*args, **kwargs)
        lotsen = Lotse.objects.editable_by(user).exclude(status=Lotse.Status.LEFT)
        if event.region_id is not None:
            lotsen = lotsen.filter(region_id=event.region_id)
        already = Attendance.objects.visible_to(user).filter(event=event).taking_a_place().values("lotse_id")
        self.fields["lotsen"].queryset = lotsen.exclude(pk__in=already).order_by("last_name", "first_name")


class AttendanceStatusForm(Form):
    status = forms.ChoiceField(choices=Attendance.Status.choices)


class CheckinForm(Form):
    """The "Check in" button at the door: one guest or one Lotse's attendance, and the search to return to."""

    guest = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    lotse = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    q = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("guest")) == bool(cleaned.get("lotse")):
            raise forms.ValidationError(_("Please choose whom to check in."))
        return cleaned
