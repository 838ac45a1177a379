"""What each role's start page shows. Each builder takes the user and returns template context;
the figures come from the apps' selectors, always through visible_to(user)."""

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
    lotse = user.lotse_profile
    today = timezone.localdate()
    return {
        "lotse": lotse,
        "upcoming_events": list(Event.objects.visible_to(user).upcoming().select_related("region")[:5]),
        "consultations_this_month": Consultation.objects.visible_to(user)
        .filter(date__year=today.year, date__month=today.month)
        .count(),
    }


BUILDERS = {"staff": staff_dashboard, "coordinator": coordinator_dashboard, "lotse": lotse_dashboard}
