"""A real Celery worker is killed with SIGKILL in the middle of a batch; a new worker finishes it.

Every certificate of the batch must then exist exactly once, issued, with a valid PDF whose SHA-256 is the
stored one. Runs in CI (real Redis and PostgreSQL); locally it needs REDIS_URL and DATABASE_URL.
"""

import datetime
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.services import issue_batch
from tests import factories as f
from tests.certificates.conftest import attend, celery_publishing_to
from tests.conftest import requires_postgres, requires_redis

pytestmark = [
    pytest.mark.worker,
    requires_redis,
    requires_postgres,
    pytest.mark.django_db(transaction=True),
]

LOTSEN = 40
CHUNK = 5  # 8 tasks, so the kill lands between chunks


def _database_url() -> str:
    db = connection.settings_dict  # NAME is the test database here
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, queue: str, log: Path):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.worker_test_settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.REDIS_URL,
            "REDIS_URL": settings.REDIS_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
        self.log = log.open("ab")
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--concurrency=1",
            "--pool=prefork",
        ]
        command += ["-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
        # Own process group: SIGKILL reaches the main process and its pool child at once.
        self.process = subprocess.Popen(  # noqa: S603
            command,
            env=env,
            cwd=settings.BASE_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def _statuses(batch) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Certificate.objects.filter(batch=batch).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def _wait_for(condition, timeout: float, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    pytest.fail(f"timed out; worker log:\n{log.read_text(errors='replace')[-4000:]}")


@pytest.fixture
def queue():
    name = f"test-certificates-{uuid.uuid4().hex[:10]}"
    yield name
    redis.Redis.from_url(settings.REDIS_URL).delete(name)


def test_killed_worker_loses_no_certificate_and_duplicates_none(world, settings, queue, tmp_path):
    settings.CERTIFICATE_TASK_QUEUE = queue
    settings.CERTIFICATE_CHUNK_SIZE = CHUNK
    year = timezone.localdate().year
    sessions = [
        f.EventFactory(region=world.owl, starts_at=timezone.make_aware(datetime.datetime(year, month, 5, 10)))
        for month in (2, 3, 4)
    ]
    for _ in range(LOTSEN):
        attend(f.LotseFactory(region=world.owl), sessions)
    log = tmp_path / "worker.log"

    first = Worker(queue, log)
    try:
        with celery_publishing_to(settings.REDIS_URL):
            batch = issue_batch(programme_year=year, region=world.owl, acting_user=world.coordinator)
        assert batch.total == LOTSEN

        # Kill the whole worker while it renders a chunk: some certificates done, some half-way.
        counts = _wait_for(
            lambda: (c := _statuses(batch)).get("issued", 0) >= CHUNK and c.get("rendering", 0) > 0 and c,
            timeout=120,
            log=log,
        )
        first.kill()
        assert counts.get("issued", 0) < batch.total
        assert _statuses(batch).get("issued", 0) < batch.total
    finally:
        first.stop()

    second = Worker(queue, log)
    try:
        _wait_for(lambda: _statuses(batch).get("issued", 0) == batch.total, timeout=120, log=log)
    finally:
        second.stop()

    certificates = list(Certificate.objects.filter(batch=batch).select_related("lotse"))
    assert len(certificates) == batch.total
    # Exactly once per Lotse and year, enforced by the database and checked here.
    lotse_ids = [c.lotse_id for c in certificates]
    assert len(set(lotse_ids)) == len(lotse_ids)
    assert Certificate.objects.filter(programme_year=year, lotse_id__in=lotse_ids).count() == len(lotse_ids)
    for certificate in certificates:
        with certificate.file.open("rb") as handle:
            pdf = handle.read()
        assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        assert certificate.verification_code in reader.pages[0].extract_text()
    # One final file per certificate, no stray copies (temporary files end in .tmp).
    stored = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "certificates").glob("*.pdf"))
    assert stored == sorted(f"{c.verification_code}.pdf" for c in certificates)
