import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
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
