"""What each role's start page shows. Each builder takes the user and returns template context;
the figures come from the apps' selectors, always through visible_to(user)."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from allowances.models import AllowanceClaim
from certificates.models import Certificate
from events.models import Attendance, Event
from home.selectors import Trend, dashboard_figures
from lotsen.models import Consultation, minutes_as_hours
from regions.models import Region


def _period_query(start, end) -> str:
    return urlencode({"from": start.isoformat(), "to": end.isoformat()})


def sparkline(trend: Trend):
    """Thirteen small columns (the twelve months before, then this one, darker) as an inline SVG. Only
    decoration: the sentence beside it says the same in words."""
    values = [*trend.history, trend.current]
    top = max(values) or 1
    bars = [
        (index * 8, round(24 - max(h, 1), 1), max(h, 1), "sparkline__now" if index == len(values) - 1 else "")
        for index, h in enumerate(round(24 * value / top, 1) for value in values)
    ]
    return format_html(
        '<svg class="sparkline" viewBox="0 0 104 24" width="104" height="24" aria-hidden="true" '
        'focusable="false">{}</svg>',
        format_html_join("", '<rect x="{}" y="{}" width="6" height="{}" class="{}"/>', bars),
    )


def coordinator_dashboard(user) -> dict:
    """What waits for the coordinator first (with counts and links), then two trends and the figures of
    their regions; each figure links to the filtered list behind it."""
    figures = dashboard_figures(user)
    reports = reverse("reports:index")
    region_ids = user.coordinated_region_ids()
    claims = reverse("claims:list")
    todo = [
        # the queue filtered to exactly the counted claims (the approved ones on the pay page)
        ("claims-to-decide", figures.claims_waiting, f"{claims}?status=submitted&waiting_for=decision"),
        ("claims-to-pay", figures.claims_to_pay or 0, f"{claims}?status=approved&waiting_for=payment"),
        ("invitations-pending", figures.invitations_pending, f"{reverse('lotsen:list')}?has_login=pending"),
        (
            "contracts-ending",
            figures.contracts_ending_soon,
            f"{reverse('lotsen:list')}?contract_ends_within={figures.contracts_ending_within}",
        ),
        ("certificates-due", figures.certificates_due, reverse("certificates:batch_create")),
    ]
    return {
        "figures": figures,
        # only what is waiting, in this order; the template words each kind
        "todo": [{"kind": kind, "count": count, "url": url} for kind, count, url in todo if count],
        "trends": [
            ("consultations", figures.consultations_trend, sparkline(figures.consultations_trend)),
            ("lotsen", figures.lotsen_trend, sparkline(figures.lotsen_trend)),
        ],
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
    tomorrow = today + datetime.timedelta(days=1)
    # The events the Lotse is registered for that take place tomorrow: a reminder at the top.
    events_tomorrow = list(
        Attendance.objects.visible_to(user)
        .filter(lotse=lotse, status=Attendance.Status.REGISTERED, event__starts_at__date=tomorrow)
        .select_related("event")
        .order_by("event__starts_at")
    )
    return {
        "lotse": lotse,
        "rejected_claims": rejected_claims,
        "events_tomorrow": [attendance.event for attendance in events_tomorrow],
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
