"""What the portal depends on, and whether it answers: /healthz/ready/ and the staff status page.

Each check is bounded by short timeouts (database: connect_timeout, cache and broker: one-second socket
timeouts), so a health check never hangs on a component that is away. States: ``ok``, ``fail``, or ``off``
when the component is not configured (a laptop without Redis runs tasks in-process).

Only the database decides readiness: without it no page works. The cache, the broker and the worker make the
portal *degraded* (pages keep working; rate limits count per process, queued work is refused with a message
and picked up again later), which a proxy must not answer by taking the web process out of service.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

from portal.celery import ENQUEUED_AT_HEADER
from portal.celery import app as celery_app

logger = logging.getLogger(__name__)

OK, FAIL, OFF = "ok", "fail", "off"
#: overall states of readiness
READY, DEGRADED, NOT_READY = "ok", "degraded", "fail"

HEARTBEAT_KEY = "portal:worker-heartbeat"
_REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}


@dataclass(frozen=True)
class Component:
    name: str
    state: str


@dataclass(frozen=True)
class QueueState:
    """What waits in the broker; ``reachable`` False while Redis is away (the numbers are then unknown)."""

    reachable: bool
    length: int | None = None
    oldest_age_seconds: float | None = None


@dataclass(frozen=True)
class Readiness:
    status: str
    components: list[Component]
    heartbeat_age_seconds: float | None


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: database unavailable")
        return FAIL
    return OK


def check_cache() -> str:
    ping = getattr(cache, "ping", None)
    if ping is None:
        return OFF  # per-process memory (development): nothing shared to lose
    return OK if ping() else FAIL


def _broker_url() -> str:
    if celery_app.conf.task_always_eager:
        return ""
    url = celery_app.conf.broker_url or ""
    return url if url.startswith(("redis://", "rediss://")) else ""


def _broker() -> redis.Redis | None:
    url = _broker_url()
    return redis.Redis.from_url(url, **_REDIS_TIMEOUTS) if url else None


def check_broker() -> str:
    client = _broker()
    if client is None:
        return OFF
    try:
        client.ping()
    except redis.exceptions.RedisError:
        return FAIL
    finally:
        client.close()
    return OK


def record_worker_heartbeat() -> None:
    """Called by every worker every WORKER_HEARTBEAT_SECONDS (portal.celery.Heartbeat)."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=settings.WORKER_HEARTBEAT_STALE_SECONDS * 5)


def heartbeat_age_seconds() -> float | None:
    """Seconds since a worker last said it is alive; None if none did recently (or the cache is away)."""
    beat = cache.get(HEARTBEAT_KEY)
    return None if beat is None else max(0.0, time.time() - float(beat))


def check_worker(age: float | None) -> str:
    if not _broker_url():
        return OFF  # tasks run in the web process
    return OK if age is not None and age <= settings.WORKER_HEARTBEAT_STALE_SECONDS else FAIL


def readiness() -> Readiness:
    age = heartbeat_age_seconds()
    components = [
        Component("database", check_database()),
        Component("cache", check_cache()),
        Component("broker", check_broker()),
        Component("worker", check_worker(age)),
    ]
    if components[0].state == FAIL:
        status = NOT_READY
    elif any(component.state == FAIL for component in components):
        status = DEGRADED
    else:
        status = READY
    return Readiness(status=status, components=components, heartbeat_age_seconds=age)


def queue_names() -> list[str]:
    names = {celery_app.conf.task_default_queue}
    names.update(celery_app.amqp.queues.keys())
    return sorted(names)


def _keys_of(queue: str) -> list[str]:
    # kombu keeps one Redis list per priority step besides the queue's own ("celery\x06\x163", ...)
    from kombu.transport.redis import PRIORITY_STEPS, Channel

    return [queue] + [f"{queue}{Channel.sep}{step}" for step in PRIORITY_STEPS if step]


def _published_at(raw: bytes | None) -> float | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw).get("headers", {}).get(ENQUEUED_AT_HEADER)
        return float(value) if value is not None else None
    except (ValueError, TypeError, AttributeError):
        return None


def queue_state() -> QueueState:
    """Messages waiting in the broker's queues and the age of the oldest (kombu pushes new messages on the
    left and workers take from the right, so each list's oldest message is its last element)."""
    client = _broker()
    if client is None:
        return QueueState(reachable=False)
    try:
        keys = [key for queue in queue_names() for key in _keys_of(queue)]
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.llen(key)
            pipe.lindex(key, -1)
        answers = pipe.execute()
    except redis.exceptions.RedisError:
        return QueueState(reachable=False)
    finally:
        client.close()
    lengths, oldest = answers[0::2], answers[1::2]
    stamps = [stamp for stamp in map(_published_at, oldest) if stamp is not None]
    age = max(0.0, time.time() - min(stamps)) if stamps else None
    return QueueState(reachable=True, length=sum(lengths), oldest_age_seconds=age)
