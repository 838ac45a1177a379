"""Guests of public events. Stub of the `guests` branch's module: only the shared contract of issue #13."""

from django.conf import settings
from django.urls import reverse


def checkin_url(registration) -> str:
    """The absolute URL the guest's QR code encodes: the check-in page at the door (events:checkin_scan)."""
    return f"{settings.SITE_URL}{reverse('events:checkin_scan', args=[registration.token])}"
