"""The coordinators' claims queue and the year's self-declarations: filters, sort and page live in the query
string."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from allowances.models import AllowanceClaim
from lotsen.models import Lotse
from portal.filters import FilterSet, OrderingFilter
from regions.models import Region

#: The queue opens on the claims that wait for a decision.
DEFAULT_STATUS = AllowanceClaim.Status.SUBMITTED


def _lotsen(request):
    return Lotse.objects.visible_to(request.user).only("pk", "first_name", "last_name")


def _regions(request):
    return Region.objects.visible_to(request.user)


class ClaimFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=AllowanceClaim.Status.choices, empty_label=_("all statuses")
    )
    month = django_filters.DateFilter(
        label=_("Month"),
        field_name="month",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2025-03"}, format="%Y-%m"),
        help_text=None,
    )
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="month", lookup_expr="year", min_value=2010, max_value=2100
    )
    lotse = django_filters.ModelChoiceFilter(label=_("Lotse"), queryset=_lotsen, empty_label=_("all"))
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), field_name="lotse__region", queryset=_regions, empty_label=_("all regions")
    )
    waiting_for = django_filters.ChoiceFilter(
        label=_("Waiting for"),
        method="_waiting_for",
        choices=[("decision", _("my decision")), ("payment", _("my payment"))],
        empty_label=_("all"),
    )
    o = OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("month", "month"),
            ("submitted_at", "submitted"),
            ("amount", "amount"),
            ("lotse__last_name", "lotse"),
            ("lotse__region__name", "region"),
        ),
        field_labels={
            "month": _("month"),
            "submitted": _("submitted"),
            "amount": _("amount"),
            "lotse": _("Lotse"),
            "region": _("region"),
        },
        empty_label=_("oldest month first"),
    )

    class Meta:
        model = AllowanceClaim
        fields = ["status", "month", "year", "lotse", "region", "waiting_for"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        user = request.user
        if not user.works_across_regions:
            del self.filters["region"]
        if not user.paying_region_ids():
            # Only those who pay are waited for with a payment.
            self.filters["waiting_for"].extra["choices"] = [("decision", _("my decision"))]

    def _waiting_for(self, queryset, name, value):
        """What the start page's "to do" block counts and links to (AllowanceClaim.to_decide_q/to_pay_q)."""
        user = self.request.user
        if value == "payment":
            return queryset.to_pay_by(user)
        return queryset.to_decide_by(user)

    @property
    def qs(self):
        queryset = super().qs
        if self.is_bound and not self.form.is_valid():
            # A filter that cannot be read shows nothing (and its error), never silently everything.
            return queryset.none()
        if self.form.is_valid() and self.form.cleaned_data.get("o"):
            # A tie-breaker keeps pages stable when many claims share a month or an amount.
            return queryset.order_by(*queryset.query.order_by, "pk")
        return queryset.order_by("month", "lotse__last_name", "lotse__first_name", "pk")


def claim_filter_data(query, *, status=None):
    """The query string with the queue's default status, or a forced one (the export: approved claims)."""
    data = query.copy()
    if status is not None:
        data["status"] = status
    elif "status" not in data:
        data["status"] = DEFAULT_STATUS
    return data


class SelfDeclarationFilter(FilterSet):
    """The year's list: every Lotse with a contract in the year. Filters on Lotse rows (the view
    annotates the declaration of the year), so ``year`` is read by the view, not applied as a lookup."""

    year = django_filters.NumberFilter(label=_("Year"), method="_keep", min_value=2010, max_value=2100)
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=_regions, empty_label=_("all regions")
    )
    on_file = django_filters.ChoiceFilter(
        label=_("Self-declaration"),
        method="_on_file",
        choices=[("yes", _("on file")), ("no", _("missing"))],
        empty_label=_("all"),
    )

    class Meta:
        model = Lotse
        fields = ["year", "region", "on_file"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        if not request.user.works_across_regions:
            del self.filters["region"]

    def _keep(self, queryset, name, value):
        return queryset

    def _on_file(self, queryset, name, value):
        return queryset.filter(declaration_id__isnull=value != "yes")

    @property
    def qs(self):
        queryset = super().qs
        if self.is_bound and not self.form.is_valid():
            # A filter that cannot be read shows nothing (and its error), never silently everything.
            return queryset.none()
        return queryset

    def chosen_year(self, default: int) -> int:
        """The year asked for, or ``default`` (also when the filter cannot be read)."""
        if self.form.is_valid() and self.form.cleaned_data.get("year"):
            return int(self.form.cleaned_data["year"])
        return default
