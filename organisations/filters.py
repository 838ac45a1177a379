"""The organisations list: filters, search and sort, all kept in the query string."""

import django_filters
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from portal.filters import YES_NO, FilterSet, OrderingFilter, search_words
from regions.models import District, Language, Region


class OrganisationFilter(FilterSet):
    q = django_filters.CharFilter(label=_("Search name"), method="filter_search", max_length=100)
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.none(), empty_label=_("all regions")
    )
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=District.objects.none(), empty_label=_("all districts")
    )
    cooperation_status = django_filters.ChoiceFilter(
        label=_("Cooperation status"),
        choices=Organisation.CooperationStatus.choices,
        empty_label=_("all statuses"),
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language served"),
        field_name="languages",
        queryset=Language.objects.none(),
        distinct=False,
        empty_label=_("all languages"),
    )
    minimum_standard = django_filters.ChoiceFilter(
        label=_("Minimum standard complete"),
        choices=YES_NO,
        method="filter_minimum_standard",
        empty_label=_("all"),
    )
    ordering = OrderingFilter(
        label=_("Sort by"),
        fields=(("name", "name"), ("district__name", "district"), ("cooperation_status", "status")),
        field_labels={"name": _("Name"), "district": _("District"), "status": _("Cooperation status")},
        empty_label=_("default"),
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["region"].queryset = Region.objects.visible_to(user)
        self.filters["district"].queryset = District.objects.visible_to(user)
        # Only languages that some organisation the user sees actually serves.
        self.filters["language"].queryset = Language.objects.filter(
            organisations__in=Organisation.objects.visible_to(user)
        ).distinct()
        if not user.works_across_regions:
            del self.filters["region"]

    def filter_search(self, queryset, name, value):
        return search_words(queryset, ("name",), value)

    def filter_minimum_standard(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(Organisation.MINIMUM_STANDARD_COMPLETE)
        return queryset.exclude(Organisation.MINIMUM_STANDARD_COMPLETE)
