import math

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Attendance, Event, EventSession, GuestRegistration
from events.services import seats_taken
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
            "is_public",
            "address",
            "accessibility",
        ]
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "registration_deadline": DateInput,
            "description": forms.Textarea(attrs={"rows": 4}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
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
        for name in ("title", "topic", "place", "address"):
            self.fields[name].validators.append(no_markup)
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["hours_credited"].widget.attrs.update({"min": 0, "step": "0.5"})

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < 1:
            raise forms.ValidationError(_("The capacity must be at least 1 (leave it empty for no limit)."))
        if capacity is not None and self.instance.pk:
            taken = seats_taken(self.instance)
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


def workshop_field(event: Event) -> forms.ModelChoiceField:
    """The choice among the event's parallel workshops (optional)."""
    return forms.ModelChoiceField(
        label=_("Workshop"),
        queryset=event.sessions.all(),
        required=False,
        empty_label=_("no workshop"),
        error_messages={"invalid_choice": _("Please choose one of this event's workshops.")},
    )


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
        self.fields["session"] = workshop_field(event)
        if not self.fields["session"].queryset:
            del self.fields["session"]


class AttendanceStatusForm(Form):
    status = forms.ChoiceField(choices=Attendance.Status.choices)


class EventSessionForm(ModelForm):
    """One parallel workshop of an event (edited with the event, an inline formset)."""

    class Meta:
        model = EventSession
        fields = ["number", "title", "starts_at", "ends_at", "room", "capacity"]
        widgets = {"starts_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "room"):
            self.fields[name].validators.append(no_markup)
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["number"].widget.attrs["min"] = 1

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < 1:
            raise forms.ValidationError(_("The capacity must be at least 1 (leave it empty for no limit)."))
        if capacity is not None and self.instance.pk:
            taken = seats_taken(session=self.instance)
            if capacity < taken:
                raise forms.ValidationError(
                    _("%(taken)s places are already taken; the capacity cannot be lower."),
                    params={"taken": taken},
                )
        return capacity

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The workshop must end after it starts."))
        return cleaned


def _has_registrations(session: EventSession) -> bool:
    """Any registration that names the workshop, whatever its status: they protect it from deletion."""
    return session.guests.exists() or session.attendances.exists()


class BaseSessionFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        numbers = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                if form.cleaned_data.get("DELETE") and form.instance.pk and _has_registrations(form.instance):
                    raise forms.ValidationError(
                        _(
                            "The workshop “%(title)s” cannot be deleted: guests or Lotsen have chosen it "
                            "(also those cancelled, waiting or not yet confirmed). Change its title or "
                            "capacity instead."
                        ),
                        params={"title": form.instance.title},
                    )
                continue
            number = form.cleaned_data.get("number")
            if number in numbers:
                raise forms.ValidationError(_("Each workshop needs its own number."))
            numbers.append(number)


SessionFormSet = inlineformset_factory(
    Event,
    EventSession,
    form=EventSessionForm,
    formset=BaseSessionFormSet,
    extra=1,
    max_num=50,
    validate_max=True,
    can_delete=True,
)


class GuestRegistrationForm(Form):
    """The public registration form of a guest (no account)."""

    name = forms.CharField(label=_("Name"), max_length=200, validators=[no_markup])
    organisation = forms.CharField(label=_("Organisation"), max_length=200, validators=[no_markup])
    institution_kind = forms.ChoiceField(
        label=_("Kind of institution"), choices=GuestRegistration.InstitutionKind.choices
    )
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    session = forms.ModelChoiceField(
        label=_("Workshop"),
        queryset=EventSession.objects.none(),
        required=False,
        empty_label=_("no workshop"),
    )
    needs = forms.CharField(
        label=_("Accessibility or dietary needs"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my details are stored for this event."),
        error_messages={
            "required": _("Please agree to the privacy notice; without it we cannot register you.")
        },
    )
    #: the honeypot: hidden from people (and screen readers), filled in by bots
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        sessions = event.sessions.all()
        self.fields["session"].queryset = sessions
        if not sessions:
            del self.fields["session"]

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class GuestSessionForm(Form):
    session = forms.ModelChoiceField(
        label=_("Workshop"),
        queryset=EventSession.objects.none(),
        required=False,
        empty_label=_("no workshop"),
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = event.sessions.all()


class WorkshopChoiceForm(Form):
    """A Lotse registering themself: the workshop, if the event has any (me:event_register)."""

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"] = workshop_field(event)


class CheckinSearchForm(Form):
    """The name search at the door (GET): a CharField, so a NUL byte or an overlong text is an error, never a
    query the database refuses."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)


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


class WalkInSearchForm(Form):
    """The name search for a walk-in on the attendance page (GET): a CharField, so a NUL byte or an overlong
    text is an error on the page, never a query the database refuses."""

    q = forms.CharField(label=_("Add someone who came without registering"), required=False, max_length=100)


class WalkInForm(Form):
    """ "Add as attended" next to a search result: the Lotse, and the search to return to."""

    lotse = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    q = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
