"""Health that tells the truth (README "Health and outages"): liveness, readiness per component, the staff
status page, the branded 503 page when the database is away, and pages that keep working without Redis.

Outages are real: an address where nothing listens (Redis, broker) or a database that cannot be opened, never
a mock of our own components.
"""

import contextlib
import json
import logging

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from portal import health
from portal.celery import app as celery_app
from tests.conftest import requires_redis

#: nothing listens here (the machine's Redis is on 6379)
UNREACHABLE_REDIS = "redis://127.0.0.1:6399/0"


def _drop_broker_connections():
    # connection and producer pools are cached per broker URL
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()


@contextlib.contextmanager
def broker_at(url: str):
    """Tasks go to a real broker at ``url`` instead of running in-process."""
    old = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, url
    _drop_broker_connections()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = old
        _drop_broker_connections()


@contextlib.contextmanager
def database_away():
    """The default database answers no more: a connection that cannot be opened (a closed port on
    PostgreSQL, a directory that does not exist on SQLite), so every query raises a real OperationalError."""
    original = connections["default"]
    broken = dict(original.settings_dict)
    if original.vendor == "postgresql":
        broken.update(HOST="127.0.0.1", PORT=6398)
    else:
        broken.update(NAME="/nonexistent-directory/portal.sqlite3")
    connections["default"] = original.__class__(broken, alias="default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = original


@pytest.fixture
def redis_away(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    from django.core.cache import cache

    from portal import cache as resilient

    resilient._down_until.clear()  # each test meets Redis away for the first time
    cache.clear()  # the per-process fallback store outlives a test
    with broker_at(UNREACHABLE_REDIS):
        yield


# -- liveness -----------------------------------------------------------------------------------------
def test_liveness_answers_without_database_or_cache(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_liveness_stays_ok_while_database_is_away(client):
    with database_away():
        response = client.get(reverse("healthz"))
    assert response.status_code == 200


# -- readiness ----------------------------------------------------------------------------------------
def test_readiness_names_each_component_and_nothing_else(client):
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "components"}
    assert set(body["components"]) == {"database", "cache", "broker", "worker"}
    assert set(body["components"].values()) <= {"ok", "off"}
    assert body["components"]["database"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_readiness_fails_with_503_without_database(client):
    client.raise_request_exception = False
    with database_away():
        response = client.get(reverse("healthz_ready"))
    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["components"]["database"] == "fail"
    # no host name, port, driver or exception text for the public
    text = response.content.decode()
    assert "127.0.0.1" not in text and "Error" not in text and "sqlite" not in text.lower()


def test_readiness_is_degraded_not_failed_while_redis_is_away(client, redis_away):
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 200  # the web process still serves pages: keep it in the proxy
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"] == {"database": "ok", "cache": "fail", "broker": "fail", "worker": "fail"}
    assert "6399" not in response.content.decode()


@requires_redis
def test_readiness_ok_with_redis_and_a_recent_worker_heartbeat(client, settings):
    with broker_at(settings.REDIS_URL):
        stale = client.get(reverse("healthz_ready")).json()
        health.record_worker_heartbeat()
        fresh = client.get(reverse("healthz_ready")).json()
    assert stale["status"] == "degraded" and stale["components"]["worker"] == "fail"
    assert fresh == {
        "status": "ok",
        "components": {"database": "ok", "cache": "ok", "broker": "ok", "worker": "ok"},
    }


@requires_redis
def test_heartbeat_older_than_the_limit_is_a_lost_worker(client, settings):
    from django.core.cache import cache

    settings.WORKER_HEARTBEAT_STALE_SECONDS = 120
    cache.set(health.HEARTBEAT_KEY, 0.0)  # 1970: long ago
    with broker_at(settings.REDIS_URL):
        assert client.get(reverse("healthz_ready")).json()["components"]["worker"] == "fail"


# -- the staff status page ----------------------------------------------------------------------------
def test_status_page_shows_components_to_staff(staff_client):
    response = staff_client.get(reverse("system_status"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Datenbank (PostgreSQL)" in page and "erreichbar" in page


def test_status_page_says_unreachable_while_redis_is_away(staff_client, redis_away):
    response = staff_client.get(reverse("system_status"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("nicht erreichbar") >= 4  # cache, broker, queue length, oldest task
    assert "keines in letzter Zeit" in page  # no heartbeat


def test_status_page_in_english(staff_client, redis_away):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = staff_client.get(reverse("system_status")).content.decode()
    assert "System status" in page and "unreachable" in page


@requires_redis
def test_status_page_shows_queue_length_and_age_of_oldest_task(staff_client, settings):
    queue = celery_app.conf.task_default_queue
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(queue)
    try:
        with broker_at(settings.REDIS_URL):
            celery_app.send_task("portal.tests.waits", queue=queue)
            celery_app.send_task("portal.tests.waits", queue=queue)
            state = health.queue_state()
            page = staff_client.get(reverse("system_status")).content.decode()
        oldest = json.loads(client.lindex(queue, -1))
    finally:
        client.delete(queue)
        client.close()
    assert state.reachable and state.length == 2
    assert state.oldest_age_seconds is not None
    assert health.ENQUEUED_AT_HEADER in oldest["headers"]  # stamped when published
    assert "Wartende Aufgaben" in page and ">2<" in page


# -- database away: the branded 503 page --------------------------------------------------------------
def test_database_away_gives_the_branded_503_page(lotse_client, caplog):
    lotse_client.raise_request_exception = False
    with database_away():
        response = lotse_client.get(reverse("dashboard"))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Bitte versuchen Sie es in einer Minute erneut" in page
    assert "Traceback" not in page
    # one warning line per request, no error with a traceback (portal.logging.DatabaseOutage)
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.levelno == logging.WARNING and not r.exc_info for r in records)


def test_database_away_page_in_english(lotse_client):
    lotse_client.raise_request_exception = False
    lotse_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with database_away():
        response = lotse_client.get(reverse("dashboard"))
    assert response.status_code == 503
    assert "Please try again in a minute" in response.content.decode()


def test_database_back_serves_pages_again_without_restart(lotse_client):
    lotse_client.raise_request_exception = False
    with database_away():
        assert lotse_client.get(reverse("dashboard")).status_code == 503
    assert lotse_client.get(reverse("dashboard")).status_code == 200


def test_other_errors_keep_the_500_page(client, caplog):
    from portal.views import server_error

    try:
        raise ValueError("not the database")
    except ValueError:
        response = server_error(client.get("/").wsgi_request)
    assert response.status_code == 500 and "Retry-After" not in response


# -- Redis away: pages keep working -------------------------------------------------------------------
def test_pages_and_login_work_while_redis_is_away(lotse_client, world, redis_away, caplog):
    assert lotse_client.get(reverse("dashboard")).status_code == 200
    response = Client().post(
        reverse("account_login"), {"login": world.lotse_b.user.email, "password": "wrong password!"}
    )
    assert response.status_code == 200  # the form again, with its error, not a 500
    logged = caplog.get_records("setup") + caplog.get_records("call")
    assert any("Shared cache unreachable" in r.getMessage() for r in logged)


def test_failed_logins_are_still_limited_while_redis_is_away(client, world, redis_away):
    """Degraded, not off: the limits are counted in the process's own memory until Redis answers again."""
    email = world.lotse_b.user.email
    answers = [
        client.post(reverse("account_login"), {"login": email, "password": f"wrong password {i}"}).status_code
        for i in range(7)
    ]
    assert answers[0] == 200 and answers[-1] == 429
