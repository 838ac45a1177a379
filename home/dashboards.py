"""What each role's start page shows. Each builder takes the user and returns template context;
the figures come from the apps' selectors, always through visible_to(user)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from allowances.models import AllowanceClaim
from certificates.models import Certificate
from events.models import Event
from home.selectors import dashboard_figures
from lotsen.models import Consultation, minutes_as_hours
from regions.models import Region


def _period_query(start, end) -> str:
    return urlencode({"from": start.isoformat(), "to": end.isoformat()})


def coordinator_dashboard(user) -> dict:
    """Figures for the coordinator's regions; each links to the filtered list behind it."""
    figures = dashboard_figures(user)
    reports = reverse("reports:index")
    region_ids = user.coordinated_region_ids()
    return {
        "figures": figures,
        # Named in the heading ("Your region: Ostwestfalen-Lippe"); one query whatever the number of regions.
        "region_names": list(
            Region.objects.filter(pk__in=region_ids).order_by("name").values_list("name", flat=True)
        )
        if region_ids
        else [],
        "upcoming_events": figures.upcoming_events,
        "consultations_month_url": f"{reports}?{_period_query(figures.month_start, figures.today)}",
        "consultations_year_url": f"{reports}?{_period_query(figures.year_start, figures.today)}",
    }


def staff_dashboard(user) -> dict:
    """The same screen across all regions (visible_to gives programme staff every row)."""
    return coordinator_dashboard(user)


def lotse_dashboard(user) -> dict:
    """The Lotse's start page: log a consultation first, then this month, the open claim, events."""
    lotse = user.lotse_profile
    today = timezone.localdate()
    month_totals = Consultation.objects.visible_to(user).filter(lotse=lotse).in_month(today).totals()
    # The most recent claim that still needs the Lotse or the coordinator (not yet paid).
    open_claim = (
        AllowanceClaim.objects.visible_to(user)
        .filter(lotse=lotse)
        .exclude(status=AllowanceClaim.Status.PAID)
        .order_by("-month")
        .first()
    )
    # Rejected claims wait for the Lotse: shown first, with the coordinator's reason and the way to fix them.
    rejected_claims = list(
        AllowanceClaim.objects.visible_to(user)
        .filter(lotse=lotse, status=AllowanceClaim.Status.REJECTED)
        .order_by("-month")[:3]
    )
    return {
        "lotse": lotse,
        "rejected_claims": rejected_claims,
        "upcoming_events": list(Event.objects.visible_to(user).upcoming().select_related("region")[:5]),
        "consultations_this_month": month_totals["count"],
        "hours_this_month": minutes_as_hours(month_totals["minutes"]),
        "open_claim": open_claim,
        "this_month": today.replace(day=1),
        "certificates_count": Certificate.objects.visible_to(user)
        .filter(lotse=lotse, status=Certificate.Status.ISSUED)
        .count(),
    }


BUILDERS = {"staff": staff_dashboard, "coordinator": coordinator_dashboard, "lotse": lotse_dashboard}
