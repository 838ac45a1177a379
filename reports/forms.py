import datetime

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from portal.dates import last_of_month
from portal.forms import Form
from regions.models import Region
from reports.selectors import Period

#: A custom period may span at most this many days (the trend has one row per month).
MAX_CUSTOM_DAYS = 5 * 366


class ReportFilterForm(Form):
    """The report's filters, read from the query string (GET), so a report can be bookmarked and shared."""

    PERIODS = [
        ("year", _("Year")),
        ("quarter", _("Quarter")),
        ("month", _("Month")),
        ("custom", _("From – to")),
    ]

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2010, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[("", "–"), *((q, f"Q{q}") for q in range(1, 5))],
        coerce=int,
        required=False,
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=[("", "–"), *MONTHS.items()],
        coerce=int,
        required=False,
    )
    # Whole months: the report counts from monthly rollups, and a period that could start or end on any day
    # would let two reports differing by one day be subtracted (README "Reports", Limits).
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The report starts on the first day of this month."),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The report ends on the last day of this month."),
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("year"):
            # Show the year the report is for (clean() defaults to it) instead of an empty box.
            self.data = self.data.copy()
            self.data["year"] = str(timezone.localdate().year)
        # Only regions the user may see can be chosen: another region's id is an invalid choice.
        self.fields["region"].queryset = Region.objects.visible_to(user).order_by("name")
        self.fields["region"].empty_label = (
            _("All my regions") if not user.sees_everything else _("All regions")
        )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        kind = data.get("period") or "year"
        data["period"] = kind
        year = data.get("year") or today.year
        data["year"] = year
        if kind == "custom":
            start, end = data.get("date_from"), data.get("date_to")
            if not start or not end:
                raise forms.ValidationError(_("Enter both dates of the period."))
            if end < start:
                self.add_error("date_to", _("The end must not be before the start."))
            elif (end - start).days > MAX_CUSTOM_DAYS:
                self.add_error("date_to", _("A custom period may cover at most five years."))
        if kind == "quarter" and not data.get("quarter"):
            self.add_error("quarter", _("Choose a quarter."))
        if kind == "month" and not data.get("month"):
            self.add_error("month", _("Choose a month."))
        return data

    def get_period(self) -> Period:
        """The period chosen (call after is_valid())."""
        data = self.cleaned_data
        return period_for(
            data["period"],
            data["year"],
            data.get("quarter"),
            data.get("month"),
            data.get("date_from"),
            data.get("date_to"),
        )


def period_for(kind, year, quarter=None, month=None, date_from=None, date_to=None) -> Period:
    if kind == "quarter":
        start = datetime.date(year, 3 * quarter - 2, 1)
        end = last_of_month(datetime.date(year, 3 * quarter, 1))
        return Period(start, end, f"Q{quarter}/{year}")
    if kind == "month":
        start = datetime.date(year, month, 1)
        return Period(start, last_of_month(start), f"{month:02d}/{year}")
    if kind == "custom":  # whole months (see ReportFilterForm.date_from)
        start, end = date_from.replace(day=1), last_of_month(date_to)
        return Period(start, end, f"{start:%m/%Y}–{end:%m/%Y}")
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year))


def default_period() -> Period:
    return period_for("year", timezone.localdate().year)


def report_params(form: ReportFilterForm | None) -> dict:
    """The filters as JSON-safe parameters (stored with a PDF export, read back by the task)."""
    if form is None or not form.is_valid():
        return {"period": "year", "year": timezone.localdate().year}
    data = form.cleaned_data
    params = {"period": data["period"], "year": data["year"]}
    for key in ("quarter", "month"):
        if data.get(key):
            params[key] = data[key]
    for key in ("date_from", "date_to"):
        if data.get(key):
            params[key] = data[key].isoformat()
    if data.get("region"):
        params["region"] = data["region"].pk
    return params


def resolve_filters(user, data) -> tuple[ReportFilterForm, Period, list, bool]:
    """Validate the filters (a GET QueryDict or stored JSON params) for ``user``.

    Returns the form, the period, the regions and whether the input was valid; invalid input falls back to
    the defaults (this year, all the user's regions), the caller tells the user.
    """
    from reports.selectors import report_regions

    if data is not None and not hasattr(data, "getlist"):
        data = {key: str(value) for key, value in data.items()}
    form = ReportFilterForm(data if data is not None else {}, user=user)
    if form.is_valid():
        return form, form.get_period(), report_regions(user, form.cleaned_data.get("region")), True
    return form, default_period(), report_regions(user), False
