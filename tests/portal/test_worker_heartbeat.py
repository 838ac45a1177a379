"""A real Celery worker records its heartbeat, and readiness sees it (README "Health and outages")."""

import time
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from portal import health
from tests.certificates.test_worker import Worker
from tests.conftest import requires_postgres, requires_redis
from tests.portal.test_health import broker_at

pytestmark = [pytest.mark.worker, requires_redis, requires_postgres, pytest.mark.django_db(transaction=True)]


def test_a_running_worker_makes_readiness_ok(client, tmp_path):
    queue = f"test-heartbeat-{uuid.uuid4().hex[:10]}"
    log = tmp_path / "worker.log"
    with broker_at(settings.REDIS_URL):
        assert client.get(reverse("healthz_ready")).json()["components"]["worker"] == "fail"
        worker = Worker(queue, log)
        try:
            deadline = time.monotonic() + 60
            while cache.get(health.HEARTBEAT_KEY) is None and time.monotonic() < deadline:
                time.sleep(0.2)
            body = client.get(reverse("healthz_ready")).json()
        finally:
            worker.stop()
            redis.Redis.from_url(settings.REDIS_URL).delete(queue)
    assert body["components"]["worker"] == "ok", log.read_text(errors="replace")[-3000:]
    assert body["status"] == "ok"
