"""Registrants hear of an event two days before: the first hourly run within 48 hours of the start sends it,
once; Lotsen in their chosen language, confirmed guests in the language they registered in."""

import datetime

from django.core import mail
from django.utils import timezone

from events.models import Attendance, EventSession, GuestRegistration
from notifications import tasks
from notifications.models import ReminderSettings, SentReminder
from tests import factories as f
from tests.notifications.conftest import berlin, guest, html_of, sent_to


def conference(world, starts_at):
    event = f.EventFactory(
        region=world.owl,
        kind="conference",
        title="Transfer- und Abschlussveranstaltung",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=7),
        place="Haus der Wissenschaft",
        address="Palmenstraße 16, 40217 Düsseldorf",
    )
    workshop = EventSession.objects.create(
        event=event,
        number=20,
        title="Migrantenorganisationen – starke Partner der Arbeitsmarktakteure",
        starts_at=starts_at + datetime.timedelta(hours=2),
        ends_at=starts_at + datetime.timedelta(hours=4),
        room="Raum 2.14",
    )
    return event, workshop


def test_reminder_goes_out_48_hours_before_once_and_not_before(clock, world):
    # the conference starts on Thursday 12 March 10:30; the clock stands at Tuesday 10:00 (48.5 h before)
    event, workshop = conference(world, berlin(2026, 3, 12, 10, 30))
    f.AttendanceFactory(event=event, lotse=world.lotse_a, session=workshop)
    f.AttendanceFactory(event=event, lotse=world.lotse_b, status=Attendance.Status.EXCUSED)
    confirmed = guest(event, session=workshop, language="en", name="Jane Guest")
    waiting = guest(event, status=GuestRegistration.Status.WAITING, name="Wanda Warteliste")
    pending = guest(event, status=GuestRegistration.Status.PENDING, name="Peter Pending")

    assert tasks.event_reminders.apply().get() == 0
    assert mail.outbox == []

    clock.advance(hours=1)  # 47.5 hours before: the hourly run sends
    assert tasks.event_reminders.apply().get() == 2
    assert len(sent_to(world.lotse_a.user.email)) == 1
    assert len(sent_to(confirmed.email)) == 1
    for nobody in (world.lotse_b.user.email, waiting.email, pending.email):
        assert sent_to(nobody) == []

    # the schedule runs again (twice in the same hour, and every hour after): nothing more
    assert tasks.event_reminders.apply().get() == 0
    for _ in range(30):
        clock.advance(hours=1)
        tasks.event_reminders.apply().get()
    assert len(mail.outbox) == 2
    assert SentReminder.objects.filter(kind="event").count() == 2


def test_no_reminder_for_a_registration_within_the_last_day(clock, world):
    """Later than 24 hours before the start a "two days before" reminder is not sent any more."""
    event, _ = conference(world, timezone.now() + datetime.timedelta(hours=23))
    f.AttendanceFactory(event=event, lotse=world.lotse_a)
    guest(event)
    assert tasks.event_reminders.apply().get() == 0
    assert mail.outbox == []


def test_the_reminder_tells_date_place_address_and_workshop_in_the_recipients_language(clock, world):
    event, workshop = conference(world, timezone.now() + datetime.timedelta(hours=47))
    f.AttendanceFactory(event=event, lotse=world.lotse_a, session=workshop)
    confirmed = guest(event, session=workshop, language="en", name="Jane Guest")

    tasks.event_reminders.apply().get()

    (german,) = sent_to(world.lotse_a.user.email)
    (english,) = sent_to(confirmed.email)
    assert german.subject == "Erinnerung: Ihre Veranstaltung am 12.03.2026"
    assert english.subject == "Reminder: your event on 12/03/2026"
    for message, words in [
        (german, ["Donnerstag, 12. März 2026, 09:00–16:00"]),
        (english, ["Thursday, 12 Mar 2026, 09:00–16:00"]),
    ]:
        for text in (message.body, html_of(message)):
            for expected in [
                *words,
                "Transfer- und Abschlussveranstaltung",
                "Haus der Wissenschaft",
                "Palmenstraße 16, 40217 Düsseldorf",
                "Migrantenorganisationen – starke Partner der Arbeitsmarktakteure",
                "Raum 2.14",
                "/reminders/unsubscribe/",
            ]:
                assert expected in text, (message.subject, expected)
    assert "Hallo Ayşe," in german.body
    # the guest's personal link (change the workshop, cancel), not only the public page
    assert f"/events/guest/{confirmed.token}/" in english.body
    assert "Hello Jane Guest," in english.body
    assert f"/events/{event.pk}/" in german.body


def test_lotse_who_switched_event_reminders_off_gets_none(clock, world):
    ReminderSettings.objects.create(user=world.lotse_a.user, event=False)
    event, _ = conference(world, timezone.now() + datetime.timedelta(hours=47))
    f.AttendanceFactory(event=event, lotse=world.lotse_a)
    f.AttendanceFactory(event=event, lotse=world.lotse_b)
    tasks.event_reminders.apply().get()
    assert sent_to(world.lotse_a.user.email) == []
    assert len(sent_to(world.lotse_b.user.email)) == 1


def test_a_failing_mail_server_loses_no_reminder(clock, world, settings):
    """Sending fails: the claim is rolled back and the next hourly run sends it."""
    event, _ = conference(world, timezone.now() + datetime.timedelta(hours=47, minutes=30))
    f.AttendanceFactory(event=event, lotse=world.lotse_a)
    settings.EMAIL_BACKEND = "tests.notifications.broken_mail.EmailBackend"
    assert tasks.event_reminders.apply().get() == 0
    assert not SentReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.advance(hours=1)
    assert tasks.event_reminders.apply().get() == 1
    assert len(sent_to(world.lotse_a.user.email)) == 1
