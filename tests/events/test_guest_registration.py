"""Guests register for a public event (issue #13): one form, one click in the e-mail. Double opt-in, the
same answer for known addresses, honeypot and rate limits, the deadline and the seats shared with the
Lotsen (enforced under the event's row lock), the waiting list with automatic move-up, the personal link,
the calendar file and the QR code."""

import datetime
import re
import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from events import guests, services
from events.models import Attendance, Event, EventSession, GuestRegistration
from tests.conftest import requires_postgres
from tests.events.matrix_public import public_event

Status = GuestRegistration.Status


@pytest.fixture
def event(world):
    return public_event(world)


@pytest.fixture
def workshop(world, event):
    return world._public_session


def form_data(email="mehmet@example.org", **extra):
    data = {
        "name": "Mehmet Aydın",
        "organisation": "Agentur für Arbeit Bielefeld",
        "institution_kind": "agentur",
        "email": email,
        "consent": "on",
    }
    return data | extra


def post(client, event, capture, **data):
    with capture(execute=True):
        return client.post(reverse("events:public_register", args=[event.pk]), form_data(**data))


def link_in(message, name: str) -> str:
    pattern = re.escape("/events/guest/") + r"[\w-]+/" + ("confirm/" if name == "confirm" else "")
    found = re.search(r"https?://[^\s]+" + pattern, message.body)
    assert found, message.body
    return found.group(0).split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def confirmed_guest(event, email, session=None, status=Status.CONFIRMED, minutes=0):
    now = timezone.now() - datetime.timedelta(minutes=60 - minutes)
    return GuestRegistration.objects.create(
        event=event,
        session=session,
        name=email.split("@")[0],
        organisation="Jobcenter",
        institution_kind="jobcenter",
        email=email,
        email_key=email,
        consent_at=now,
        status=status,
        waiting_since=now if status == Status.WAITING else None,
        token=guests.new_token(),
    )


# -- double opt-in -----------------------------------------------------------------------------------
def test_register_creates_a_pending_registration_and_sends_the_confirm_link(
    client, event, workshop, django_capture_on_commit_callbacks
):
    response = post(client, event, django_capture_on_commit_callbacks, session=workshop.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("events:public_registered", args=[event.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Bitte bestätigen" in page or "Please confirm" in page
    registration = GuestRegistration.objects.get(email_key="mehmet@example.org")
    assert registration.status == Status.PENDING and registration.session == workshop
    assert registration.consent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mehmet@example.org"]
    assert f"/events/guest/{registration.token}/confirm/" in message.body
    html = message.alternatives[0][0]
    assert f"/events/guest/{registration.token}/confirm/" in html


def test_get_on_the_confirm_link_does_not_confirm_but_post_does(
    client, event, django_capture_on_commit_callbacks
):
    post(client, event, django_capture_on_commit_callbacks)
    registration = GuestRegistration.objects.get()
    url = reverse("events:guest_confirm", args=[registration.token])
    response = client.get(url)  # a mail scanner or link prefetcher
    assert response.status_code == 200 and 'method="post"' in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == reverse("events:guest_manage", args=[registration.token])
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED and registration.confirmed_at
    confirmation = mail.outbox[-1]
    assert guests.checkin_url(registration) in confirmation.body
    assert reverse("events:guest_manage", args=[registration.token]) in confirmation.body
    names = {name: (content, mimetype) for name, content, mimetype in confirmation.attachments}
    assert names["event.ics"][1] == "text/calendar"
    png, mimetype = names["checkin-qr.png"]
    assert mimetype == "image/png" and png.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_pending_registration_expires_after_24_hours(client, event, django_capture_on_commit_callbacks):
    post(client, event, django_capture_on_commit_callbacks)
    registration = GuestRegistration.objects.get()
    GuestRegistration.objects.filter(pk=registration.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    client.post(reverse("events:guest_confirm", args=[registration.token]))
    registration.refresh_from_db()
    assert registration.status == Status.PENDING
    # Registering again replaces the lapsed request with a fresh one.
    post(client, event, django_capture_on_commit_callbacks)
    assert GuestRegistration.objects.get().pk != registration.pk


# -- abuse protection --------------------------------------------------------------------------------
def test_honeypot_stores_nothing_but_answers_the_same(client, event, django_capture_on_commit_callbacks):
    response = post(client, event, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response["Location"] == reverse("events:public_registered", args=[event.pk])
    assert not GuestRegistration.objects.exists()
    assert not mail.outbox


def test_a_known_address_gets_the_same_page_and_its_link_by_mail(
    client, event, django_capture_on_commit_callbacks
):
    first = post(client, event, django_capture_on_commit_callbacks)
    registration = GuestRegistration.objects.get()
    guests.confirm_guest(registration=registration)
    mail.outbox.clear()
    second = post(
        client, event, django_capture_on_commit_callbacks, email="  MEHMET@example.org ", name="X Y"
    )
    assert second.status_code == first.status_code and second["Location"] == first["Location"]
    assert GuestRegistration.objects.count() == 1
    assert len(mail.outbox) == 1
    assert reverse("events:guest_manage", args=[registration.token]) in mail.outbox[0].body
    # The personal link is in the e-mail, never on the page.
    assert registration.token not in client.get(second["Location"]).content.decode()


def test_rate_limit_per_address_and_per_client(client, event, settings, django_capture_on_commit_callbacks):
    settings.GUEST_RATE_LIMIT_PER_ADDRESS = 2
    settings.GUEST_RATE_LIMIT_PER_IP = 4
    for _ in range(2):
        assert post(client, event, django_capture_on_commit_callbacks).status_code == 302
    assert post(client, event, django_capture_on_commit_callbacks).status_code == 429
    assert post(client, event, django_capture_on_commit_callbacks, email="b@example.org").status_code == 302
    assert post(client, event, django_capture_on_commit_callbacks, email="c@example.org").status_code == 429
    assert GuestRegistration.objects.count() == 2


class _RedisDown:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Redis is down")

        return fail


def test_without_a_cache_the_registration_still_works(
    client, event, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(guests, "cache", _RedisDown())
    assert post(client, event, django_capture_on_commit_callbacks).status_code == 302
    assert GuestRegistration.objects.count() == 1


def test_after_the_deadline_registration_is_refused_with_a_message(
    client, event, django_capture_on_commit_callbacks
):
    Event.objects.filter(pk=event.pk).update(
        registration_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    with translation.override("en"):
        response = post(client, event, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Registration for this event has closed." in response.content.decode() or (
        "Die Anmeldung" in response.content.decode()
    )
    assert not GuestRegistration.objects.exists()


def test_consent_is_required(client, event, django_capture_on_commit_callbacks):
    data = form_data()
    del data["consent"]
    response = client.post(reverse("events:public_register", args=[event.pk]), data)
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not GuestRegistration.objects.exists()


# -- seats and waiting list ------------------------------------------------------------------------
def test_event_full_puts_the_guest_on_the_waiting_list(world, event, django_capture_on_commit_callbacks):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    confirmed_guest(event, "first@example.org")
    late = confirmed_guest(event, "late@example.org", status=Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        late = guests.confirm_guest(registration=late)
    assert late.status == Status.WAITING and late.waiting_since
    assert "waiting list" in mail.outbox[-1].body or "Warteliste" in mail.outbox[-1].body


def test_workshop_full_puts_the_guest_on_that_workshops_waiting_list(world, event, workshop):
    EventSession.objects.filter(pk=workshop.pk).update(capacity=1)
    confirmed_guest(event, "first@example.org", session=workshop)
    late = guests.confirm_guest(
        registration=confirmed_guest(event, "late@example.org", workshop, Status.PENDING)
    )
    other = guests.confirm_guest(
        registration=confirmed_guest(event, "free@example.org", None, Status.PENDING)
    )
    assert late.status == Status.WAITING
    assert other.status == Status.CONFIRMED  # the event itself still has places


def test_cancel_moves_the_first_on_the_waiting_list_up_with_an_email(
    client, world, event, workshop, django_capture_on_commit_callbacks
):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    seated = confirmed_guest(event, "seated@example.org")
    first = confirmed_guest(event, "first@example.org", status=Status.WAITING, minutes=1)
    second = confirmed_guest(event, "second@example.org", status=Status.WAITING, minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:guest_cancel", args=[seated.token]))
    assert response.status_code == 302
    statuses = dict(GuestRegistration.objects.values_list("email_key", "status"))
    assert statuses == {
        "seated@example.org": Status.CANCELLED,
        "first@example.org": Status.CONFIRMED,
        "second@example.org": Status.WAITING,
    }
    moved = [m for m in mail.outbox if m.to == ["first@example.org"]]
    assert len(moved) == 1 and guests.checkin_url(first) in moved[0].body
    assert not [m for m in mail.outbox if m.to == [second.email]]


def test_a_workshop_seat_goes_to_someone_waiting_for_that_workshop(world, event, workshop):
    EventSession.objects.filter(pk=workshop.pk).update(capacity=1)
    seated = confirmed_guest(event, "seated@example.org", session=workshop)
    waiting = confirmed_guest(event, "waiting@example.org", session=workshop, status=Status.WAITING)
    guests.cancel_guest(registration=seated)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_lotsen_and_guests_share_the_seats(world, event):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    confirmed_guest(event, "guest@example.org")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.register(event=event, lotse=world.lotse_a, acting_user=world.lotse_a.user)


def test_a_lotse_cancelling_moves_a_guest_up(lotse_client, world, event, django_capture_on_commit_callbacks):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    services.register(event=event, lotse=world.lotse_a, acting_user=world.lotse_a.user)
    waiting = guests.confirm_guest(
        registration=confirmed_guest(event, "w@example.org", status=Status.PENDING)
    )
    assert waiting.status == Status.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        lotse_client.post(reverse("me:event_cancel", args=[event.pk]))
    assert not Attendance.objects.filter(event=event).exists()
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [["w@example.org"]]


@requires_postgres
def test_a_lotse_and_a_guest_compete_for_the_last_seat(transactional_db, world):
    event = public_event(world)
    Event.objects.filter(pk=event.pk).update(capacity=1)
    pending = confirmed_guest(event, "guest@example.org", status=Status.PENDING)
    guest_holds_lock = threading.Event()
    outcomes: dict[str, object] = {}

    def guest_confirms():
        try:
            with transaction.atomic():
                outcomes["guest"] = guests.confirm_guest(registration=pending).status
                guest_holds_lock.set()
                time.sleep(0.6)  # still inside the transaction: the event row stays locked
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes["guest"] = exc
        finally:
            guest_holds_lock.set()
            connection.close()

    def lotse_registers():
        guest_holds_lock.wait(5)
        try:
            with translation.override("en"):
                services.register(event=event, lotse=world.lotse_a, acting_user=world.lotse_a.user)
            outcomes["lotse"] = "registered"
        except Exception as exc:  # noqa: BLE001
            outcomes["lotse"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=guest_confirms), threading.Thread(target=lotse_registers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert outcomes["guest"] == Status.CONFIRMED
    assert "fully booked" in str(outcomes["lotse"])
    taken = (
        Attendance.objects.filter(event=event).count()
        + GuestRegistration.objects.filter(event=event, status=Status.CONFIRMED).count()
    )
    assert taken == 1


# -- the personal link --------------------------------------------------------------------------------
def test_manage_page_shows_the_qr_code_and_changes_the_workshop(client, world, event, workshop):
    registration = confirmed_guest(event, "g@example.org")
    url = reverse("events:guest_manage", args=[registration.token])
    html = client.get(url).content.decode()
    assert 'src="data:image/png;base64,' in html and "Workshop 20" in html
    response = client.post(
        reverse("events:guest_change", args=[registration.token]), {"session": workshop.pk}
    )
    assert response["Location"] == url
    registration.refresh_from_db()
    assert registration.session == workshop


def test_changing_to_a_full_workshop_is_refused(client, world, event, workshop):
    EventSession.objects.filter(pk=workshop.pk).update(capacity=1)
    confirmed_guest(event, "seated@example.org", session=workshop)
    registration = confirmed_guest(event, "g@example.org")
    response = client.post(
        reverse("events:guest_change", args=[registration.token]), {"session": workshop.pk}, follow=True
    )
    registration.refresh_from_db()
    assert registration.session is None
    assert "ausgebucht" in response.content.decode() or "fully booked" in response.content.decode()


def test_manage_page_cancels(client, world, event):
    registration = confirmed_guest(event, "g@example.org")
    client.post(reverse("events:guest_cancel", args=[registration.token]))
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED and registration.cancelled_at
    assert client.get(reverse("events:guest_ics", args=[registration.token])).status_code == 404


def test_ics_file(client, world, event):
    registration = confirmed_guest(event, "g@example.org")
    response = client.get(reverse("events:guest_ics", args=[registration.token]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")  # only CRLF line endings
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    start = event.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    end = event.ends_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}\r\n" in body and f"DTEND:{end}\r\n" in body
    assert "SUMMARY:Transfer- und Abschlussveranstaltung" in body
    unfolded = body.replace("\r\n ", "")
    assert "LOCATION:" in unfolded and "Palmenstraße 16\\, 40217 Düsseldorf" in unfolded


def test_emails_are_in_the_guests_language(client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("events:public_register", args=[event.pk]), form_data(), HTTP_ACCEPT_LANGUAGE="en"
        )
    registration = GuestRegistration.objects.get()
    assert registration.language == "en"
    assert mail.outbox[0].subject.startswith("Please confirm your registration")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("events:public_register", args=[event.pk]),
            form_data(email="de@example.org"),
            HTTP_ACCEPT_LANGUAGE="de",
        )
    assert mail.outbox[1].subject.startswith("Bitte bestätigen")


def test_a_waiting_guest_who_switches_to_a_workshop_with_places_gets_a_seat(
    client, world, event, workshop, django_capture_on_commit_callbacks
):
    other = EventSession.objects.create(
        event=event,
        number=1,
        title="Anerkennung",
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        capacity=1,
    )
    EventSession.objects.filter(pk=workshop.pk).update(capacity=1)
    confirmed_guest(event, "seated@example.org", session=workshop)
    waiting = confirmed_guest(event, "w@example.org", session=workshop, status=Status.WAITING)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:guest_change", args=[waiting.token]), {"session": other.pk})
    waiting.refresh_from_db()
    assert (waiting.status, waiting.session) == (Status.CONFIRMED, other)
    assert [m.to for m in mail.outbox] == [["w@example.org"]]


def test_a_lotse_excused_before_the_event_gives_the_seat_to_the_waiting_list(world, event):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    attendance = services.register(event=event, lotse=world.lotse_a, acting_user=world.staff)
    waiting = guests.confirm_guest(
        registration=confirmed_guest(event, "w@example.org", status=Status.PENDING)
    )
    assert waiting.status == Status.WAITING
    services.set_attendance(attendance=attendance, status=Attendance.Status.EXCUSED, acting_user=world.staff)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
