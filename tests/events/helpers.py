"""Guests and badge batches for the tests of the event's door (created directly: the registration flow of
the `guests` branch is not needed here)."""

from django.core.files.base import ContentFile
from django.utils import timezone

from events.models import BadgeBatch, GuestRegistration


def make_guest(event, name="Gülcan Yıldız", *, token=None, status="confirmed", kind="jobcenter", **extra):
    token = token or f"tok-{event.pk}-{name.casefold().replace(' ', '-')}"
    email = extra.pop("email", f"{token}@example.org")
    return GuestRegistration.objects.create(
        event=event,
        name=name,
        organisation=extra.pop("organisation", "Jobcenter Bielefeld"),
        institution_kind=kind,
        email=email,
        email_key=email.casefold(),
        consent_at=timezone.now(),
        status=status,
        token=token,
        confirmed_at=timezone.now() if status == "confirmed" else None,
        **extra,
    )


def world_guest(w):
    """The OWL event's guest of the role matrix (one per world)."""
    guest = GuestRegistration.objects.filter(event=w.event, token="matrix-guest-owl").first()
    return guest or make_guest(w.event, "Matrix Gast", token="matrix-guest-owl")


def world_badges(w):
    """A finished badge file of the OWL event."""
    batch = BadgeBatch.objects.filter(event=w.event).first()
    if batch is None:
        batch = BadgeBatch(event=w.event, status=BadgeBatch.Status.DONE, total=1, done=1)
        batch.file.save("badges.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=False)
        batch.save()
    return batch
