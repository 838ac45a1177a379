import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Attendance, Event, EventSession, GuestRegistration
from portal.filters import FilterSet, OrderingFilter
from portal.forms import DateInput, Form
from regions.models import Region


class EventFilterForm(Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_from"), cleaned.get("starts_until")
        if start and end and start > end:
            self.add_error("starts_until", _("The end of the date range must not be before its start."))
        return cleaned


def _regions(request):
    return Region.objects.visible_to(request.user)


class EventFilter(FilterSet):
    when = django_filters.ChoiceFilter(
        label=_("When"),
        choices=[("upcoming", _("upcoming")), ("past", _("past"))],
        method="filter_when",
        empty_label=_("any time"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Event.Kind.choices, empty_label=_("all kinds")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=_regions, empty_label=_("all regions"), null_label=_("programme-wide")
    )
    starts_from = django_filters.DateFilter(
        label=_("From"), field_name="starts_at", lookup_expr="date__gte", widget=DateInput
    )
    starts_until = django_filters.DateFilter(
        label=_("Until"), field_name="starts_at", lookup_expr="date__lte", widget=DateInput
    )
    o = OrderingFilter(
        label=_("Sort by"),
        fields=(("starts_at", "date"), ("title", "title"), ("region__name", "region")),
        field_labels={"date": _("date"), "title": _("title"), "region": _("region")},
        empty_label=_("default"),
    )

    class Meta:
        model = Event
        form = EventFilterForm
        fields = ["when", "kind", "region", "starts_from", "starts_until"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(ends_at__gte=now)
        if value == "past":
            return queryset.filter(ends_at__lt=now)
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        if self.is_bound and not self.form.is_valid():
            # A filter that cannot be read shows nothing (and its error), never silently everything.
            return queryset.none()
        form = self.form
        if form.is_valid() and form.cleaned_data.get("o"):
            return queryset.order_by(*queryset.query.order_by, "pk")
        if form.is_valid() and form.cleaned_data.get("when") == "upcoming":
            return queryset.order_by("starts_at", "pk")
        return queryset.order_by("-starts_at", "pk")


# -- participants of an event (Lotsen and guests in one list) ---------------------------------------
#: kind of institution of a Lotse's row (Lotsen have no institution kind; they are the programme's own)
LOTSE_KIND = "lotse"
YES_NO_CHOICES = [("yes", _("yes")), ("no", _("no"))]


def participant_status_choices():
    return [
        (_("Guests"), [(f"guest:{value}", label) for value, label in GuestRegistration.Status.choices]),
        (_("Lotsen"), [(f"lotse:{value}", label) for value, label in Attendance.Status.choices]),
    ]


class ParticipantFilter(FilterSet):
    """The URL's filters of the participant list, its exports and the badges. The filter reads the form;
    events.participants applies it to both kinds of rows (Lotsen and guests), so both answer the same."""

    q = django_filters.CharFilter(label=_("Name"), method="keep")
    workshop = django_filters.ModelChoiceFilter(
        label=_("Workshop"),
        queryset=EventSession.objects.none(),
        method="keep",
        empty_label=_("all workshops"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=participant_status_choices, method="keep", empty_label=_("any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of institution"),
        choices=[(LOTSE_KIND, _("Lotse")), *GuestRegistration.InstitutionKind.choices],
        method="keep",
        empty_label=_("all kinds"),
    )
    checked_in = django_filters.ChoiceFilter(
        label=_("Checked in"), choices=YES_NO_CHOICES, method="keep", empty_label=_("either")
    )

    class Meta:
        model = GuestRegistration
        fields = ["q", "workshop", "status", "kind", "checked_in"]

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["workshop"].queryset = EventSession.objects.filter(event=event).order_by("number")
        self.form.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def keep(self, queryset, name, value):
        return queryset

    @property
    def values(self) -> dict:
        """The valid filter values (empty when the form cannot be read: the view shows its errors)."""
        if not self.is_bound:
            return {}
        if not self.form.is_valid():
            return {"invalid": True}
        return {key: value for key, value in self.form.cleaned_data.items() if value not in (None, "")}
