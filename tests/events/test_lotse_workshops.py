"""Lotsen choose a parallel workshop too (their own registration and the coordinator's), and hold a seat of
it, counted together with the guests' (events.services.register / register_many under the event's and the
workshop's lock)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance, EventSession, GuestRegistration
from tests import factories as f
from tests.events.helpers import make_guest


@pytest.fixture
def conference(world):
    event = f.EventFactory(region=world.owl, kind="conference", title="Transfertagung OWL", capacity=50)
    start = event.starts_at
    end = start + datetime.timedelta(hours=1)
    first = EventSession.objects.create(
        event=event, number=1, title="Anerkennung", starts_at=start, ends_at=end, capacity=1
    )
    second = EventSession.objects.create(
        event=event, number=2, title="Migrantenorganisationen", starts_at=start, ends_at=end, capacity=10
    )
    return event, first, second


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_lotse_registers_for_a_workshop_and_sees_it(lotse_client, world, conference):
    event, first, second = conference
    page = lotse_client.get(reverse("me:events")).content.decode()
    assert 'name="session"' in page and "Workshop 2: Migrantenorganisationen" in page
    lotse_client.post(reverse("me:event_register", args=[event.pk]), {"session": second.pk})
    attendance = Attendance.objects.get(event=event, lotse=world.lotse_a)
    assert attendance.session == second
    page = lotse_client.get(reverse("me:events")).content.decode()
    assert "Your workshop: Workshop 2" in page or "Ihr Workshop: Workshop 2" in page


def test_a_lotse_counts_against_the_workshop_capacity(lotse_client, world, conference):
    event, first, second = conference
    make_guest(event, "Gast Eins", session=first)  # the one place of workshop 1
    response = lotse_client.post(reverse("me:event_register", args=[event.pk]), {"session": first.pk})
    assert not Attendance.objects.filter(event=event, lotse=world.lotse_a).exists()
    said = messages_of(response)
    assert any("workshop is fully booked" in m or "Workshop ist ausgebucht" in m for m in said)


def test_a_lotse_in_a_workshop_takes_the_place_a_guest_wanted(lotse_client, world, conference):
    from events import guests

    event, first, second = conference
    lotse_client.post(reverse("me:event_register", args=[event.pk]), {"session": first.pk})
    pending = make_guest(event, "Gast Spät", session=first, status="pending", token="late-guest")
    guests.confirm_guest(registration=pending)
    pending.refresh_from_db()
    assert pending.status == GuestRegistration.Status.WAITING


def test_a_workshop_of_another_event_is_refused(lotse_client, world, conference):
    event, first, second = conference
    foreign = EventSession.objects.create(
        event=world.event,
        number=9,
        title="Fremd",
        starts_at=world.event.starts_at,
        ends_at=world.event.ends_at,
    )
    lotse_client.post(reverse("me:event_register", args=[event.pk]), {"session": foreign.pk})
    assert not Attendance.objects.filter(event=event, lotse=world.lotse_a).exists()


def test_the_coordinator_registers_lotsen_for_a_workshop(coordinator_client, world, conference):
    event, first, second = conference
    url = reverse("events:register", args=[event.pk])
    detail = coordinator_client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert 'name="session"' in detail
    coordinator_client.post(url, {"lotsen": [world.lotse_a.pk, world.lotse_b.pk], "session": second.pk})
    assert set(Attendance.objects.filter(event=event).values_list("session", flat=True)) == {second.pk}


def test_the_coordinator_cannot_overfill_a_workshop(coordinator_client, world, conference):
    event, first, second = conference
    response = coordinator_client.post(
        reverse("events:register", args=[event.pk]),
        {"lotsen": [world.lotse_a.pk, world.lotse_b.pk], "session": first.pk},
    )
    assert response.status_code == 200
    assert not Attendance.objects.filter(event=event).exists()
    html = response.content.decode()
    assert "left in the workshop" in html or "Im Workshop sind nur noch" in html


def test_the_lotse_list_has_constant_queries(lotse_client, world, django_assert_max_num_queries):
    def measure():
        with django_assert_max_num_queries(30) as captured:
            lotse_client.get(reverse("me:events"))
        return len(captured)

    def add_event():
        event = f.EventFactory(region=world.owl, starts_at=timezone.now() + datetime.timedelta(days=3))
        EventSession.objects.create(
            event=event, number=1, title="A", starts_at=event.starts_at, ends_at=event.ends_at
        )

    add_event()
    before = measure()
    for _ in range(5):
        add_event()
    assert measure() == before
