"""Settings come from the environment; production refuses unsafe configuration at start.

Each case starts a fresh Python process with a clean environment, as a server would start.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(64)


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    clean.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    clean.update(env)
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def production(**overrides: str) -> dict[str, str]:
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "lotsenportal.example.org",
        "DEBUG": "0",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_deploy_check_passes_in_production():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "django-insecure-" + STRONG_KEY}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "a" * 80}, "SECRET_KEY is too weak"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set"),
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"REDIS_URL": None}, "REDIS_URL must be set"),
    ],
    ids=[
        "missing-key",
        "short-key",
        "insecure-prefix",
        "one-character-key",
        "no-hosts",
        "debug-on",
        "no-redis",
    ],
)
def test_production_refuses_to_start(overrides, message):
    result = run("manage.py", "check", **production(**overrides))
    assert result.returncode != 0
    assert message in result.stderr


def test_booleans_are_parsed_strictly():
    result = run("manage.py", "check", DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_without_environment_sqlite_in_project_folder_and_eager_celery():
    code = (
        "import django; django.setup(); from django.conf import settings; from portal.celery import app; "
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "app.conf.task_always_eager, settings.DEBUG, settings.CACHES['default']['BACKEND'])"
    )
    result = run("-c", code)
    assert result.returncode == 0, result.stderr
    engine, name, eager, debug, cache = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == BASE_DIR / "db.sqlite3"
    assert eager == "True"
    assert debug == "True"
    assert cache.endswith("LocMemCache")


def test_environment_selects_postgres_redis_and_a_real_broker():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.CELERY_BROKER_URL, settings.CACHES['default']['BACKEND'])"
    )
    result = run(
        "-c",
        code,
        DATABASE_URL="postgres://portal@db.example.org:5432/portal",
        REDIS_URL="redis://cache.example.org:6379/0",
    )
    assert result.returncode == 0, result.stderr
    engine, eager, broker, cache = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert eager == "False"
    assert broker == "redis://cache.example.org:6379/0"
    assert cache.endswith("RedisCache")


def test_a_login_lasts_a_working_day(client, world):
    """ASVS V7: the session cookie of a login expires after 8 hours (SESSION_COOKIE_AGE), not two weeks."""
    from django.conf import settings as django_settings

    client.force_login(world.coordinator)
    assert client.session.get_expiry_age() == django_settings.SESSION_COOKIE_AGE == 8 * 3600


def test_every_test_file_named_in_security_md_exists():
    import re
    from pathlib import Path

    from django.conf import settings as django_settings

    base = Path(django_settings.BASE_DIR)
    text = (base / "SECURITY.md").read_text(encoding="utf-8")
    named = set(re.findall(r"tests/[\w/]+\.py", text))
    assert len(named) > 15
    missing = sorted(name for name in named if not (base / name).exists())
    assert not missing, missing
