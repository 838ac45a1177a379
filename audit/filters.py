"""The audit trail's search: person, object, action, dates and region, all in the query string."""

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from portal.filters import FilterSet


def _object_types():
    """The portal's own models (what an entry can be about), by their name in the user's language."""
    own = {
        "accounts",
        "regions",
        "organisations",
        "lotsen",
        "events",
        "allowances",
        "certificates",
        "reports",
        "auth",
    }
    return sorted(
        (
            (m._meta.label_lower, f"{m._meta.verbose_name} ({m._meta.label_lower})")
            for m in apps.get_models()
            if m._meta.app_label in own
        ),
        key=lambda choice: choice[1].lower(),
    )


#: Entries are never rewritten: those written before the money models moved from ``lotsen`` to
#: ``allowances`` keep their old object type, and a search for the new one finds them too.
MOVED_TYPES = {
    f"allowances.{model}": f"lotsen.{model}"
    for model in ("contract", "taxallowancecap", "selfdeclaration", "allowanceclaim")
}


# The trail sits below the apps it records: the region and the Lotse are the models its foreign keys name
# (no import of regions or lotsen, see "Layers" in the README).
def _regions(request):
    region_model = AuditEntry._meta.get_field("region").related_model
    return region_model.objects.visible_to(request.user)


def _lotsen(request):
    lotse_model = AuditEntry._meta.get_field("subject").related_model
    return lotse_model.objects.visible_to(request.user).only("pk", "first_name", "last_name")


class AuditFilter(FilterSet):
    person = django_filters.CharFilter(
        label=_("Person (who)"),
        method="filter_person",
        max_length=100,
        help_text=_("Part of the e-mail address or name of the person who acted."),
    )
    subject = django_filters.ModelChoiceFilter(
        label=_("Concerning the Lotse"), queryset=_lotsen, empty_label=_("all")
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AuditEntry.Action.choices, empty_label=_("all actions")
    )
    target_type = django_filters.ChoiceFilter(
        label=_("Object type"),
        choices=_object_types,
        empty_label=_("all object types"),
        method="filter_target_type",
    )
    target_id = django_filters.CharFilter(label=_("Object id"), max_length=40)
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("Until"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=_regions, empty_label=_("all regions")
    )

    class Meta:
        model = AuditEntry
        fields = ["person", "subject", "action", "target_type", "target_id", "date_from", "date_to", "region"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        if not request.user.works_across_regions:
            del self.filters["region"]

    def filter_target_type(self, queryset, name, value):
        return queryset.filter(target_type__in=[value, MOVED_TYPES.get(value, value)])

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor__email__icontains=value) | Q(actor__name__icontains=value))

    @property
    def qs(self):
        if self.is_bound and not self.form.is_valid():
            # A filter that cannot be read shows nothing (and its error), never silently everything.
            return self.queryset.none()
        return super().qs
