"""What each role's start page shows. Each builder takes the user and returns template context;
the figures come from the apps' selectors, always through visible_to(user)."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from events.models import Event
from lotsen.models import AllowanceClaim, Consultation, Lotse
from organisations.models import Organisation


def staff_dashboard(user) -> dict:
    return coordinator_dashboard(user)


def coordinator_dashboard(user) -> dict:
    today = timezone.localdate()
    return {
        "active_lotsen": Lotse.objects.visible_to(user).active().count(),
        "organisations": Organisation.objects.visible_to(user).count(),
        "upcoming_events": list(Event.objects.visible_to(user).upcoming().select_related("region")[:5]),
        "claims_waiting": AllowanceClaim.objects.visible_to(user)
        .filter(status=AllowanceClaim.Status.SUBMITTED)
        .count(),
        "consultations_this_month": Consultation.objects.visible_to(user)
        .filter(date__year=today.year, date__month=today.month)
        .count(),
    }


def lotse_dashboard(user) -> dict:
    """The Lotse's start page: log a consultation first, then this month, the open claim, events."""
    from certificates.models import Certificate

    lotse = user.lotse_profile
    today = timezone.localdate()
    month_totals = (
        Consultation.objects.visible_to(user)
        .filter(lotse=lotse, date__year=today.year, date__month=today.month)
        .aggregate(count=Count("pk"), minutes=Sum("duration_minutes"))
    )
    # The most recent claim that still needs the Lotse or the coordinator (not yet paid).
    open_claim = (
        AllowanceClaim.objects.visible_to(user)
        .filter(lotse=lotse)
        .exclude(status=AllowanceClaim.Status.PAID)
        .order_by("-month")
        .first()
    )
    return {
        "lotse": lotse,
        "upcoming_events": list(Event.objects.visible_to(user).upcoming().select_related("region")[:5]),
        "consultations_this_month": month_totals["count"],
        "hours_this_month": (Decimal(month_totals["minutes"] or 0) / 60).quantize(Decimal("0.1")),
        "open_claim": open_claim,
        "this_month": today.replace(day=1),
        "certificates_count": Certificate.objects.visible_to(user)
        .filter(lotse=lotse, status=Certificate.Status.ISSUED)
        .count(),
    }


BUILDERS = {"staff": staff_dashboard, "coordinator": coordinator_dashboard, "lotse": lotse_dashboard}
