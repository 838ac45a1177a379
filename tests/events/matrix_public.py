"""Role matrix of the public event pages and the guest's personal link: no login, the same for every role
(also anonymous). A non-public event is 404 for everyone; the guest's pages are reached by the token."""

import datetime

from django.utils import timezone

from events.models import EventSession, GuestRegistration
from tests import factories as f
from tests.matrix import CO, LA, LB, OC, PUBLIC, ST, A, Case, expect

EVERYONE = frozenset({A, LA, LB, CO, OC, ST})
NOT_FOUND = expect(anonymous=404, lotse_a=404, lotse_b=404, coordinator=404, other_coordinator=404, staff=404)
#: a POST on the guest's personal link answers with a redirect back to the personal page
REDIRECT = expect(anonymous=302, lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302)


def public_event(world):
    if not hasattr(world, "_public_event"):
        starts = timezone.now() + datetime.timedelta(days=20)
        event = f.EventFactory(
            region=None,
            kind="conference",
            title="Transfer- und Abschlussveranstaltung",
            is_public=True,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=6),
            capacity=50,
            address="Palmenstraße 16, 40217 Düsseldorf",
        )
        world._public_event = event
        world._public_session = EventSession.objects.create(
            event=event,
            number=20,
            title="Migrantenorganisationen – starke Partner der Arbeitsmarktakteure",
            starts_at=starts + datetime.timedelta(hours=3),
            ends_at=starts + datetime.timedelta(hours=4),
            room="Raum 2.11",
            capacity=10,
        )
    return world._public_event


def guest(world, status=GuestRegistration.Status.CONFIRMED):
    event = public_event(world)
    return GuestRegistration.objects.create(
        event=event,
        session=world._public_session,
        name="Sabine Krüger",
        organisation="Jobcenter Düsseldorf",
        institution_kind="jobcenter",
        email="sabine@example.org",
        email_key="sabine@example.org",
        consent_at=timezone.now(),
        status=status,
        token=f"tok-{status}-{event.pk}",
    )


def _registration_data(world):
    return {
        "name": "Mehmet Aydın",
        "organisation": "Agentur für Arbeit Bielefeld",
        "institution_kind": "agentur",
        "email": "mehmet@example.org",
        "session": world._public_session.pk,
        "consent": "on",
    }


CASES = [
    Case("events:public_list", PUBLIC),
    Case("events:public_privacy", PUBLIC),
    Case("events:public_detail", PUBLIC, kwargs=lambda w: {"pk": public_event(w).pk}),
    # A regional, non-public event: not there for anyone on the public pages.
    Case("events:public_detail", NOT_FOUND, kwargs=lambda w: {"pk": w.event.pk}),
    Case("events:public_registered", PUBLIC, kwargs=lambda w: {"pk": public_event(w).pk}),
    Case(
        "events:public_register",
        REDIRECT,  # to the "please confirm" page, for everyone
        kwargs=lambda w: {"pk": public_event(w).pk},
        method="post",
        data=_registration_data,
        login_redirect=False,
        wrote=lambda w: GuestRegistration.objects.filter(
            email_key="mehmet@example.org", status="pending"
        ).exists(),
        writers=EVERYONE,
    ),
    Case("events:public_register", NOT_FOUND, kwargs=lambda w: {"pk": w.event.pk}, method="post"),
    Case("events:guest_manage", PUBLIC, kwargs=lambda w: {"token": guest(w).token}),
    Case("events:guest_manage", NOT_FOUND, kwargs=lambda w: {"token": "not-a-token"}),
    Case("events:guest_confirm", PUBLIC, kwargs=lambda w: {"token": guest(w, "pending").token}),
    Case(
        "events:guest_confirm",
        REDIRECT,
        kwargs=lambda w: {"token": guest(w, "pending").token},
        method="post",
        login_redirect=False,
        wrote=lambda w: GuestRegistration.objects.filter(name="Sabine Krüger", status="confirmed").exists(),
        writers=EVERYONE,
    ),
    Case(
        "events:guest_change",
        REDIRECT,
        kwargs=lambda w: {"token": guest(w).token},
        method="post",
        data=lambda w: {"session": ""},
        login_redirect=False,
        wrote=lambda w: GuestRegistration.objects.filter(name="Sabine Krüger", session__isnull=True).exists(),
        writers=EVERYONE,
    ),
    Case(
        "events:guest_cancel",
        REDIRECT,
        kwargs=lambda w: {"token": guest(w).token},
        method="post",
        login_redirect=False,
        wrote=lambda w: GuestRegistration.objects.filter(name="Sabine Krüger", status="cancelled").exists(),
        writers=EVERYONE,
    ),
    Case("events:guest_ics", PUBLIC, kwargs=lambda w: {"token": guest(w).token}),
]
