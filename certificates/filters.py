import django_filters
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate
from portal.filters import FilterSet, OrderingFilter
from regions.models import Region


def _visible_regions(request):
    return Region.objects.visible_to(request.user) if request else Region.objects.none()


class CertificateFilter(FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Certificate.Status.choices)
    programme_year = django_filters.NumberFilter(label=_("Year"))
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), field_name="lotse__region", queryset=_visible_regions
    )
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("created_at", "created"), ("lotse__last_name", "name"), ("programme_year", "year")),
        field_labels={"created_at": _("Date"), "lotse__last_name": _("Name"), "programme_year": _("Year")},
    )

    class Meta:
        model = Certificate
        fields = ["status", "programme_year", "region"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # Only those who see several regions need the filter (the same rule as every other list).
        if request is None or not request.user.works_across_regions:
            del self.filters["region"]
