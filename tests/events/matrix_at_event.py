"""Role matrix of the event's door (issue #13): participant list and exports, name badges and check-in are
for those who may edit the event (Lotsen 403, another region's event 404; a programme-wide event: staff only).
The QR check-in page answers 404 to anyone who may not edit the guest (also Lotsen)."""

import datetime

from django.utils import timezone

from events.models import BadgeBatch, Event, GuestRegistration
from tests.events.helpers import world_badges, world_guest
from tests.matrix import CO, ST, Case, expect

OWL_EVENT_SCREEN = expect(lotse_a=403, lotse_b=403, other_coordinator=404)
PROGRAMME_WIDE = expect(lotse_a=403, lotse_b=403, coordinator=403, other_coordinator=403)
OWL_POST = expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=404, staff=302)
GUEST_PAGE = expect(lotse_a=404, lotse_b=404, other_coordinator=404)
GUEST_POST = expect(lotse_a=404, lotse_b=404, coordinator=302, other_coordinator=404, staff=302)


def _event(w):
    world_guest(w)
    return {"pk": w.event.pk}


def _door_open(w):
    """The OWL event began half an hour ago: check-in is open (events.services.check_checkin_window)."""
    now = timezone.now()
    Event.objects.filter(pk=w.event.pk).update(
        starts_at=now - datetime.timedelta(minutes=30), ends_at=now + datetime.timedelta(hours=3)
    )
    w.event.refresh_from_db()
    return world_guest(w)


def _checked_in(w):
    return GuestRegistration.objects.filter(token="matrix-guest-owl", checked_in_at__isnull=False).exists()


CASES = [
    Case("events:participants", OWL_EVENT_SCREEN, kwargs=_event),
    Case(
        "events:participants",
        OWL_EVENT_SCREEN,
        kwargs=_event,
        query="?q=Gast&kind=jobcenter&status=guest:confirmed&checked_in=no&page=2",
    ),
    Case("events:participants", PROGRAMME_WIDE, kwargs=lambda w: {"pk": w.programme_event.pk}),
    Case(
        "events:participants",
        expect(lotse_a=403, lotse_b=403, coordinator=404),
        kwargs=lambda w: {"pk": w.event_siegen.pk},
    ),
    Case("events:participants_csv", OWL_EVENT_SCREEN, kwargs=_event, query="?kind=lotse"),
    Case("events:participants_xlsx", OWL_EVENT_SCREEN, kwargs=_event),
    Case(
        "events:badges_create",
        OWL_POST,
        kwargs=_event,
        method="post",
        data=lambda w: {},
        wrote=lambda w: BadgeBatch.objects.filter(event=w.event).exists(),
        writers=frozenset({CO, ST}),
    ),
    Case("events:badge_batch", OWL_EVENT_SCREEN, kwargs=lambda w: {"pk": world_badges(w).pk}),
    Case("events:badge_download", OWL_EVENT_SCREEN, kwargs=lambda w: {"pk": world_badges(w).pk}),
    Case("events:checkin", OWL_EVENT_SCREEN, kwargs=_event, query="?q=Matrix"),
    Case("events:checkin", PROGRAMME_WIDE, kwargs=lambda w: {"pk": w.programme_event.pk}),
    Case(
        "events:checkin",
        OWL_POST,
        kwargs=_event,
        method="post",
        data=lambda w: {"guest": _door_open(w).pk, "q": "Matrix"},
        wrote=_checked_in,
        writers=frozenset({CO, ST}),
    ),
    Case("events:checkin_scan", GUEST_PAGE, kwargs=lambda w: {"token": world_guest(w).checkin_token}),
    Case(
        "events:checkin_scan",
        GUEST_POST,
        kwargs=lambda w: {"token": _door_open(w).checkin_token},
        method="post",
        wrote=_checked_in,
        writers=frozenset({CO, ST}),
    ),
]
