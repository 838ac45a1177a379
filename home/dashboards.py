"""What each role's start page shows. Each builder takes the user and returns template context;
the figures come from the apps' selectors, always through visible_to(user)."""

import datetime
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from allowances.models import AllowanceClaim
from certificates.models import Certificate
from events.models import Attendance, Event
from home import lotse_start
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


def _lotse_figures(user, lotse, today: datetime.date):
    """What the Lotse's start page counts (home.lotse_start caches it): -> (figures, when the first listed
    upcoming event ends)."""
    month_totals = Consultation.objects.visible_to(user).filter(lotse=lotse).in_month(today).totals()
    unpaid = list(
        AllowanceClaim.objects.visible_to(user)
        .filter(lotse=lotse)
        .exclude(status=AllowanceClaim.Status.PAID)
        .order_by("-month")
        .values_list("pk", "month", "status")
    )
    tomorrow = today + datetime.timedelta(days=1)
    events_tomorrow = [
        attendance.event
        for attendance in Attendance.objects.visible_to(user)
        .filter(lotse=lotse, status=Attendance.Status.REGISTERED, event__starts_at__date=tomorrow)
        .select_related("event")
        .order_by("event__starts_at")
    ]
    upcoming = list(Event.objects.visible_to(user).upcoming().select_related("region")[:5])
    figures = {
        "consultations": month_totals["count"],
        "minutes": month_totals["minutes"],
        # The most recent claim that still needs the Lotse or the coordinator (not yet paid).
        "open_claim": unpaid[0] if unpaid else None,
        # Rejected claims wait for the Lotse (the three most recent); their reasons are read fresh.
        "rejected_claim_ids": [
            pk for pk, _month, status in unpaid if status == AllowanceClaim.Status.REJECTED
        ][:3],
        "events_tomorrow": events_tomorrow,
        "upcoming_events": upcoming,
        "certificates": Certificate.objects.visible_to(user)
        .filter(lotse=lotse, status=Certificate.Status.ISSUED)
        .count(),
    }
    return figures, min((event.ends_at for event in upcoming), default=None)


def _lotse_start(user, lotse, today: datetime.date):
    """The cached part of the start page, rendered: -> ({"html", "rejected_claim_ids"}, when it must go)."""
    figures, first_event_ends = _lotse_figures(user, lotse, today)
    open_claim = None
    if figures["open_claim"]:
        pk, month, status = figures["open_claim"]
        open_claim = AllowanceClaim(pk=pk, lotse=lotse, month=month, status=status)  # month and status shown
    html = render_to_string(
        "dashboard/_lotse_start.html",
        {
            "events_tomorrow": figures["events_tomorrow"],
            "upcoming_events": figures["upcoming_events"],
            "consultations_this_month": figures["consultations"],
            "hours_this_month": minutes_as_hours(figures["minutes"]),
            "open_claim": open_claim,
            "this_month": today.replace(day=1),
            "certificates_count": figures["certificates"],
        },
    )
    return {"html": html, "rejected_claim_ids": figures["rejected_claim_ids"]}, first_event_ends


def lotse_dashboard(user) -> dict:
    """The Lotse's start page: a rejected claim first, then logging a consultation, this month, the open
    claim, events. All but the greeting and the rejected claims (their reasons) is from home.lotse_start."""
    lotse = user.lotse_profile
    today = timezone.localdate()
    start = lotse_start.cached(lotse, today, lambda: _lotse_start(user, lotse, today))
    rejected_claims = (
        list(
            AllowanceClaim.objects.visible_to(user)
            .filter(lotse=lotse, pk__in=start["rejected_claim_ids"], status=AllowanceClaim.Status.REJECTED)
            .only("pk", "month", "rejection_reason")
            .order_by("-month")
        )
        if start["rejected_claim_ids"]
        else []
    )
    # rendered above by our own template (a SafeString), kept as a str by the cache
    start_html = mark_safe(start["html"])  # noqa: S308
    return {"lotse": lotse, "rejected_claims": rejected_claims, "start_html": start_html}


BUILDERS = {"staff": staff_dashboard, "coordinator": coordinator_dashboard, "lotse": lotse_dashboard}
