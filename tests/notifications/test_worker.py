"""The reminders through the real broker and a real Celery worker: the beat task enqueued twice (a restarted
beat, two schedulers by mistake) sends each reminder once. Runs in CI (real Redis and PostgreSQL); locally it
needs REDIS_URL and DATABASE_URL. The worker writes its e-mails to files (portal/worker_test_settings.py)."""

import datetime
import re
import uuid

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from notifications import tasks
from notifications.models import SentReminder
from tests import factories as f
from tests.certificates.conftest import celery_publishing_to
from tests.certificates.test_worker import Worker, _wait_for
from tests.conftest import requires_postgres, requires_redis
from tests.notifications.conftest import guest

pytestmark = [
    pytest.mark.worker,
    requires_redis,
    requires_postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def queue():
    name = f"test-reminders-{uuid.uuid4().hex[:10]}"
    yield name
    redis.Redis.from_url(settings.REDIS_URL).delete(name)


def _sent(outbox) -> list[str]:
    """The recipients of every e-mail the worker wrote (one "To:" header per message)."""
    return [
        address
        for path in sorted(outbox.glob("*.log"))
        for address in re.findall(r"^To: (.+)$", path.read_text(errors="replace"), re.M)
    ]


def test_the_worker_sends_each_event_reminder_once(world, queue, tmp_path, monkeypatch):
    outbox = tmp_path / "mail"
    outbox.mkdir()
    monkeypatch.setenv("EMAIL_FILE_PATH", str(outbox))
    event = f.EventFactory(region=world.owl, starts_at=timezone.now() + datetime.timedelta(hours=47))
    f.AttendanceFactory(event=event, lotse=world.lotse_a)
    jane = guest(event, language="en", name="Jane Guest")
    log = tmp_path / "worker.log"

    worker = Worker(queue, log)
    try:
        with celery_publishing_to(settings.REDIS_URL):
            tasks.event_reminders.apply_async(queue=queue)
            tasks.event_reminders.apply_async(queue=queue)
        _wait_for(
            lambda: (
                len(re.findall(r"event_reminders\[[^]]+\] succeeded", log.read_text(errors="replace"))) == 2
            ),
            timeout=120,
            log=log,
        )
    finally:
        worker.stop()

    assert sorted(_sent(outbox)) == sorted([world.lotse_a.user.email, jane.email])
    assert SentReminder.objects.filter(kind="event").count() == 2
    # the worker logs ids, never an address
    assert "@" not in "".join(line for line in log.read_text().splitlines() if "reminder" in line)
