"""Review of issue #13's guests: the QR code and the calendar file carry no secret that can cancel; the seat
check of a confirmation counts the workshop the guest holds at that moment; a raised capacity moves the
waiting list up; a workshop named by any registration is not deleted; nobody moves up once the event runs."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import guests
from events.models import Event, EventSession, GuestRegistration
from tests.events.matrix_public import public_event
from tests.events.test_public_events import _event_post

Status = GuestRegistration.Status


@pytest.fixture
def event(world):
    return public_event(world)


@pytest.fixture
def workshop(world, event):
    return world._public_session


def make(event, email, *, session=None, status=Status.CONFIRMED, minutes=0):
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
        confirmed_at=now if status == Status.CONFIRMED else None,
        waiting_since=now if status == Status.WAITING else None,
        token=guests.new_token(),
    )


# -- 2: the QR code and the .ics cannot cancel ------------------------------------------------------
def test_the_qr_code_carries_its_own_secret_not_the_personal_link(client, coordinator_client, world, event):
    registration = make(event, "g@example.org")
    assert registration.checkin_token and registration.checkin_token != registration.token
    url = guests.checkin_url(registration)
    assert registration.token not in url and url.endswith(f"/events/checkin/{registration.checkin_token}/")
    # the check-in secret opens no personal page, so it cannot cancel
    assert client.get(reverse("events:guest_manage", args=[registration.checkin_token])).status_code == 404
    assert client.post(reverse("events:guest_cancel", args=[registration.checkin_token])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    # and the personal link's token is no check-in code (staff may edit the programme-wide event)
    client.force_login(world.staff)
    assert client.get(reverse("events:checkin_scan", args=[registration.token])).status_code == 404
    assert client.get(reverse("events:checkin_scan", args=[registration.checkin_token])).status_code == 200


def test_every_guest_gets_a_different_checkin_secret(event):
    first, second = make(event, "a@example.org"), make(event, "b@example.org")
    assert first.checkin_token != second.checkin_token


def test_the_calendar_file_links_the_public_page_not_the_personal_link(
    client, event, django_capture_on_commit_callbacks
):
    registration = make(event, "g@example.org", status=Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        guests.confirm_guest(registration=registration)
    ics = guests.ics_for(GuestRegistration.objects.get(pk=registration.pk)).decode().replace("\r\n ", "")
    assert registration.token not in ics
    assert reverse("events:public_detail", args=[event.pk]) in ics
    attached = {name: content for name, content, _type in mail.outbox[-1].attachments}["event.ics"]
    attached = attached.decode() if isinstance(attached, bytes) else attached
    assert registration.token not in attached.replace("\r\n ", "")


# -- 3: the confirmation counts the workshop the guest holds now -------------------------------------
def test_confirming_after_a_change_of_workshop_in_another_tab_does_not_overbook(world, event, workshop):
    other = EventSession.objects.create(
        event=event,
        number=21,
        title="Anerkennung",
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        capacity=10,
    )
    EventSession.objects.filter(pk=workshop.pk).update(capacity=1)
    make(event, "seated@example.org", session=workshop)  # the workshop is full
    registration = make(event, "g@example.org", session=other, status=Status.PENDING)
    stale = GuestRegistration.objects.get(pk=registration.pk)  # the confirm page, read with "other"
    guests.change_session(registration=registration, session=workshop)  # another tab: the full one
    confirmed = guests.confirm_guest(registration=stale)
    assert confirmed.session_id == workshop.pk
    assert confirmed.status == Status.WAITING
    taken = GuestRegistration.objects.filter(session=workshop, status=Status.CONFIRMED).count()
    assert taken == 1


def test_cancelling_with_a_stale_workshop_frees_the_seat_held_now(world, event, workshop):
    other = EventSession.objects.create(
        event=event, number=21, title="Anerkennung", starts_at=workshop.starts_at, ends_at=workshop.ends_at
    )
    EventSession.objects.filter(pk=workshop.pk).update(capacity=1)
    registration = make(event, "g@example.org", session=other)
    stale = GuestRegistration.objects.get(pk=registration.pk)
    guests.change_session(registration=registration, session=workshop)
    waiting = make(event, "w@example.org", session=workshop, status=Status.WAITING)
    guests.cancel_guest(registration=stale)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


# -- 4: a raised capacity moves the waiting list up ---------------------------------------------------
def _edit_post(event, session, **changes):
    local = timezone.localtime
    data = _event_post(
        None,
        **{
            "title": event.title,
            "starts_at": local(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": local(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "registration_deadline": "",
            "capacity": str(event.capacity),
            "sessions-INITIAL_FORMS": "1",
            "sessions-0-id": str(session.pk),
            "sessions-0-event": str(event.pk),
            "sessions-0-number": str(session.number),
            "sessions-0-title": session.title,
            "sessions-0-starts_at": local(session.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "sessions-0-ends_at": local(session.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "sessions-0-room": session.room,
            "sessions-0-capacity": str(session.capacity),
        },
    )
    return data | changes


def test_raising_the_event_capacity_moves_the_waiting_list_up(
    staff_client, world, event, django_capture_on_commit_callbacks
):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    event.refresh_from_db()
    make(event, "seated@example.org")
    waiting = make(event, "waiting@example.org", status=Status.WAITING)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("events:edit", args=[event.pk]), _edit_post(event, world._public_session, capacity="2")
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [["waiting@example.org"]]


def test_raising_a_workshop_capacity_moves_its_waiting_list_up(staff_client, world, event, workshop):
    EventSession.objects.filter(pk=workshop.pk).update(capacity=1)
    workshop.refresh_from_db()
    make(event, "seated@example.org", session=workshop)
    waiting = make(event, "waiting@example.org", session=workshop, status=Status.WAITING)
    response = staff_client.post(
        reverse("events:edit", args=[event.pk]), _edit_post(event, workshop, **{"sessions-0-capacity": "2"})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


# -- 5: a workshop that registrations name is not deleted --------------------------------------------
@pytest.mark.parametrize("status", [Status.CANCELLED, Status.WAITING, Status.PENDING])
def test_a_workshop_with_registrations_of_any_status_is_not_deleted(
    staff_client, world, event, workshop, status
):
    make(event, "g@example.org", session=workshop, status=status)
    response = staff_client.post(
        reverse("events:edit", args=[event.pk]), _edit_post(event, workshop, **{"sessions-0-DELETE": "on"})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be deleted" in html or "kann nicht gelöscht werden" in html
    assert EventSession.objects.filter(pk=workshop.pk).exists()


def test_a_workshop_a_lotse_chose_is_not_deleted(staff_client, world, event, workshop):
    from tests import factories as f

    f.AttendanceFactory(event=event, lotse=world.lotse_a, session=workshop, status="excused")
    response = staff_client.post(
        reverse("events:edit", args=[event.pk]), _edit_post(event, workshop, **{"sessions-0-DELETE": "on"})
    )
    assert response.status_code == 200
    assert EventSession.objects.filter(pk=workshop.pk).exists()


def test_a_workshop_nobody_chose_is_deleted(staff_client, world, event, workshop):
    response = staff_client.post(
        reverse("events:edit", args=[event.pk]), _edit_post(event, workshop, **{"sessions-0-DELETE": "on"})
    )
    assert response.status_code == 302
    assert not EventSession.objects.filter(pk=workshop.pk).exists()


# -- 12: nobody moves up once the event runs ---------------------------------------------------------
def test_nobody_moves_up_while_the_event_is_running(world, event, django_capture_on_commit_callbacks):
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        capacity=1, starts_at=now - datetime.timedelta(minutes=30), ends_at=now + datetime.timedelta(hours=3)
    )
    event.refresh_from_db()
    seated = make(event, "seated@example.org")
    waiting = make(event, "waiting@example.org", status=Status.WAITING)
    with django_capture_on_commit_callbacks(execute=True):
        guests.cancel_guest(registration=seated)
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING
    assert not [m for m in mail.outbox if m.to == ["waiting@example.org"]]


def test_move_up_follows_its_now_argument(world, event):
    Event.objects.filter(pk=event.pk).update(capacity=2)
    event.refresh_from_db()
    waiting = make(event, "waiting@example.org", status=Status.WAITING)
    assert guests.move_up(event=event, now=event.starts_at) == []
    assert guests.move_up(event=event, now=event.starts_at - datetime.timedelta(hours=1)) == [waiting]
