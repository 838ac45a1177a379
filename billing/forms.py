import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allowances import rules
from allowances.forms.claims import next_business_day
from portal.forms import Form
from regions.models import Region

FIRST_YEAR = 2010


def paid_regions(user):
    """The regions whose allowances the user pays (the only ones they start runs and statements for)."""
    regions = Region.objects.editable_by(user)
    ids = [pk for pk in regions.values_list("pk", flat=True) if rules.pays_region(user, pk)]
    return regions.filter(pk__in=ids)


def _year_field(last: int, **kwargs):
    """The year field up to ``last``: made when the form is, so the bound moves with the calendar."""
    return forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=last, **kwargs)


class StartRunForm(Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("Year"))  # bounded in __init__
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, choices=[(m, f"{m:02d}") for m in range(1, 13)]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = paid_regions(user).order_by("name")
        self.fields["year"] = _year_field(timezone.localdate().year)
        last = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        self.fields["year"].initial, self.fields["month"].initial = last.year, last.month

    def month_start(self) -> datetime.date:
        return datetime.date(self.cleaned_data["year"], self.cleaned_data["month"], 1)


class CloseRunForm(Form):
    execution_date = forms.DateField(
        label=_("Execution date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["execution_date"].initial = next_business_day(timezone.localdate())


class YearEndForm(Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("Year"))  # bounded in __init__

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = paid_regions(user).order_by("name")
        # statements are issued for a year that has ended (services.issue_year_end)
        last_year = timezone.localdate().year - 1
        self.fields["year"] = _year_field(last_year, initial=last_year)
