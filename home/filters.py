"""The coordinator's Lotsen list: filters, search and sort, all kept in the query string. In home because
the list filters by contract (allowances) next to the Lotse's own fields."""

import datetime

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allowances.models import Contract
from home.selectors import pending_invitation_q
from lotsen.models import Lotse
from organisations.models import Organisation
from portal.filters import YES_NO, FilterSet, OrderingFilter, search_words
from regions.models import District, Language, Region

#: Upper bound for "contract ending within N days" (ten years), so the date arithmetic never overflows.
MAX_DAYS = 3650


class LotseOrderingFilter(OrderingFilter):
    """Sorting by "name" means by last name, then first name."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        if value.lstrip("-") == "last_name":
            return [value, value.replace("last_name", "first_name")]
        return [value]

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.order_by(*[field for param in value if param for field in self.get_ordering_value(param)])


class LotseFilter(FilterSet):
    q = django_filters.CharFilter(label=_("Search name"), method="filter_search", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Lotse.Status.choices, empty_label=_("all statuses")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.none(), empty_label=_("all regions")
    )
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=District.objects.none(), empty_label=_("all districts")
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        field_name="organisations",
        queryset=Organisation.objects.none(),
        distinct=False,
        empty_label=_("all organisations"),
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"),
        field_name="languages",
        queryset=Language.objects.all(),
        distinct=False,
        empty_label=_("all languages"),
    )
    has_active_contract = django_filters.ChoiceFilter(
        label=_("Active contract"), choices=YES_NO, method="filter_active_contract", empty_label=_("all")
    )
    has_login = django_filters.ChoiceFilter(
        label=_("Login"),
        choices=[
            ("yes", _("can log in")),
            ("pending", _("invited, not accepted yet")),
            ("no", _("no login")),
        ],
        method="filter_login",
        empty_label=_("all"),
    )
    contract_ends_within = django_filters.NumberFilter(
        label=_("Contract ends within (days)"),
        method="filter_contract_ends_within",
        min_value=0,
        max_value=MAX_DAYS,
    )
    ordering = LotseOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("last_name", "name"),
            ("status", "status"),
            ("region__name", "region"),
            ("status_since", "since"),
        ),
        field_labels={
            "name": _("Name"),
            "status": _("Status"),
            "region": _("Region"),
            "since": _("Status since"),
        },
        empty_label=_("default"),
    )

    class Meta:
        model = Lotse
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        filters = self.filters
        filters["region"].queryset = Region.objects.visible_to(user)
        filters["district"].queryset = District.objects.visible_to(user)
        filters["organisation"].queryset = Organisation.objects.visible_to(user)
        if not user.works_across_regions:
            del filters["region"]

    def filter_search(self, queryset, name, value):
        return search_words(queryset, ("first_name", "last_name"), value)

    def filter_active_contract(self, queryset, name, value):
        active = Exists(Contract.objects.filter(lotse=OuterRef("pk"), status=Contract.Status.ACTIVE))
        return queryset.filter(active) if value == "yes" else queryset.exclude(active)

    def filter_login(self, queryset, name, value):
        pending = pending_invitation_q()
        if value == "no":
            return queryset.filter(user__isnull=True)
        if value == "pending":
            return queryset.filter(pending)
        return queryset.filter(user__isnull=False).exclude(pending)

    def filter_contract_ends_within(self, queryset, name, value):
        today = timezone.localdate()
        until = today + datetime.timedelta(days=int(value))
        ending = Contract.objects.filter(
            lotse=OuterRef("pk"), status=Contract.Status.ACTIVE, ends_on__gte=today, ends_on__lte=until
        )
        return queryset.filter(Exists(ending))
