"""Each reminder goes out once even when two runs overlap: the (kind, key) row is claimed before sending, and
the second claim fails on the unique constraint. The log of sent reminders is kept a year."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications import reminders
from notifications.models import SentReminder
from privacy import retention
from tests import factories as f
from tests.conftest import requires_postgres
from tests.notifications.conftest import guest, sent_to


@pytest.fixture
def soon(world):
    event = f.EventFactory(region=world.owl, starts_at=timezone.now() + datetime.timedelta(hours=47))
    f.AttendanceFactory(event=event, lotse=world.lotse_a)
    return guest(event)


def test_two_runs_that_both_found_the_same_reminders_send_them_once(world, soon):
    """Both runs computed their list before either sent (as two workers at the same moment)."""
    first = list(reminders.event_reminder_mails(timezone.now()))
    second = list(reminders.event_reminder_mails(timezone.now()))
    assert len(first) == len(second) == 2
    assert reminders._send_all(first) == 2
    assert reminders._send_all(second) == 0
    assert len(sent_to(world.lotse_a.user.email)) == 1
    assert len(sent_to(soon.email)) == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_postgres_send_once(world, soon):
    """Two threads (two database connections) send the same reminder at the same moment."""
    (mail_to_send, *_) = list(reminders.event_reminder_mails(timezone.now()))
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(reminders.send_once(mail_to_send))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    assert SentReminder.objects.filter(key=mail_to_send.key).count() == 1


def test_the_log_of_sent_reminders_is_kept_a_year(world):
    today = datetime.date(2026, 11, 30)
    old = SentReminder.objects.create(kind="digest", key="digest:1:2025-W48")
    SentReminder.objects.filter(pk=old.pk).update(
        sent_at=timezone.make_aware(datetime.datetime(2025, 11, 29))
    )
    recent = SentReminder.objects.create(kind="digest", key="digest:1:2025-W49")
    SentReminder.objects.filter(pk=recent.pk).update(
        sent_at=timezone.make_aware(datetime.datetime(2025, 12, 1))
    )
    rule = next(r for r in retention.RULES if r.name == "sent_reminders")
    assert list(rule.due(today)) == [old]
    assert rule.apply(today) == 1
    assert list(SentReminder.objects.all()) == [recent]
