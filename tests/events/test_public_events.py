"""Public events without login (issue #13): the list, an event's page with workshops and places left, 404
for events that are not public, the link from the login page, the language switch for anonymous visitors,
and the coordinator's form with the public flag and the workshops."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventSession, GuestRegistration
from tests import factories as f
from tests.events.matrix_public import guest, public_event


@pytest.fixture
def event(world):
    return public_event(world)


def test_anonymous_visitor_sees_the_upcoming_public_events(client, world, event):
    past = f.EventFactory(
        region=None,
        is_public=True,
        title="Vergangene Tagung",
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=29),
    )
    response = client.get(reverse("events:public_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert event.title in html
    assert world.event.title not in html  # not public
    assert past.title not in html


def test_public_page_shows_programme_place_accessibility_and_workshops(client, world, event):
    Event.objects.filter(pk=event.pk).update(
        description="10:00 Begrüßung", accessibility="Stufenloser Zugang, Induktionsschleife"
    )
    guest(world)  # holds one of the workshop's 10 places
    response = client.get(reverse("events:public_detail", args=[event.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "10:00 Begrüßung",
        "Palmenstraße 16, 40217 Düsseldorf",
        "Stufenloser Zugang",
        "Workshop 20: Migrantenorganisationen",
        "Raum 2.11",
    ):
        assert text in html
    session = response.context["sessions"][0]
    assert (session.capacity, session.places_left) == (10, 9)
    assert response.context["places_left"] == 49
    assert 'name="consent"' in html and 'name="website"' in html


def test_an_event_that_is_not_public_is_404(client, world):
    assert client.get(reverse("events:public_detail", args=[world.event.pk])).status_code == 404
    assert client.get(reverse("events:public_detail", args=[world.programme_event.pk])).status_code == 404


def test_the_login_page_links_to_the_public_events(client):
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("events:public_list") in html


def test_the_language_switch_works_for_anonymous_visitors(client, event):
    url = reverse("events:public_detail", args=[event.pk])
    client.post(reverse("set_language"), {"language": "en", "next": url})
    html = client.get(url).content.decode()
    assert "Registration until" in html and '<html lang="en">' in html
    client.post(reverse("set_language"), {"language": "de", "next": url})
    html = client.get(url).content.decode()
    assert "Anmeldung bis" in html and '<html lang="de">' in html


def test_the_privacy_notice_names_the_retention(client, settings):
    settings.GUEST_RETENTION_DAYS = 30
    html = client.get(reverse("events:public_privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "30 days after the event" in html


def test_the_public_list_needs_constant_queries(client, django_assert_max_num_queries):
    for number in range(5):
        f.EventFactory(region=None, is_public=True, title=f"Tagung {number}")
    with django_assert_max_num_queries(6):
        client.get(reverse("events:public_list"))


def _event_post(world, **extra):
    data = {
        "kind": "conference",
        "region": "",
        "title": "Transfer- und Abschlussveranstaltung",
        "starts_at": "2031-12-16T10:00",
        "ends_at": "2031-12-16T16:30",
        "hours_credited": "0",
        "capacity": "120",
        "registration_deadline": "2031-12-09",
        "is_public": "on",
        "address": "Palmenstraße 16, 40217 Düsseldorf",
        "accessibility": "Stufenloser Zugang",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "50",
        "sessions-0-number": "20",
        "sessions-0-title": "Migrantenorganisationen – starke Partner der Arbeitsmarktakteure",
        "sessions-0-starts_at": "2031-12-16T13:00",
        "sessions-0-ends_at": "2031-12-16T14:45",
        "sessions-0-room": "Raum 2.11",
        "sessions-0-capacity": "25",
    }
    return data | extra


def test_staff_creates_a_public_event_with_a_workshop(staff_client, world):
    response = staff_client.post(reverse("events:create"), _event_post(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title="Transfer- und Abschlussveranstaltung")
    assert event.is_public and event.address.startswith("Palmenstraße")
    session = event.sessions.get()
    assert (session.number, session.room, session.capacity) == (20, "Raum 2.11", 25)


def test_a_workshop_that_ends_before_it_starts_is_refused(staff_client, world):
    response = staff_client.post(
        reverse("events:create"), _event_post(world, **{"sessions-0-ends_at": "2031-12-16T12:00"})
    )
    assert response.status_code == 200
    assert "The workshop must end after it starts." in response.content.decode() or "Workshop muss" in (
        response.content.decode()
    )
    assert not Event.objects.filter(title="Transfer- und Abschlussveranstaltung").exists()


def test_coordinator_of_another_region_cannot_edit_the_event(other_coordinator_client, world):
    response = other_coordinator_client.get(reverse("events:edit", args=[world.event.pk]))
    assert response.status_code == 404


def test_workshop_capacity_not_below_the_places_taken(staff_client, world, event):
    guest(world)
    session = EventSession.objects.get(event=event)
    data = _event_post(
        world,
        **{
            "title": event.title,
            "starts_at": timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "registration_deadline": "",
            "sessions-INITIAL_FORMS": "1",
            "sessions-0-id": str(session.pk),
            "sessions-0-event": str(event.pk),
            "sessions-0-starts_at": timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "sessions-0-ends_at": timezone.localtime(session.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "sessions-0-capacity": "0",
        },
    )
    response = staff_client.post(reverse("events:edit", args=[event.pk]), data)
    assert response.status_code == 200
    assert GuestRegistration.objects.filter(session=session).count() == 1
    assert EventSession.objects.get(pk=session.pk).capacity == 10
