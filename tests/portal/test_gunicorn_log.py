"""gunicorn, started as the web container starts it, writes no reset key or invitation token to any log."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
RESET_KEY = "c3x7nq-0d41f9b6e2a8c5d7e9f1a3b5c7d9e1f3"
INVITATION_TOKEN = "c3x7nr-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, **headers) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_entrypoint_starts_gunicorn_with_the_masking_configuration():
    script = (BASE_DIR / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
    assert "exec gunicorn portal.wsgi:application --config python:portal.gunicorn_conf\n" in script


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is a runtime dependency; the venv lacks it")
def test_gunicorn_logs_no_token_of_a_reset_or_invitation_link(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "CI": "",
        # An empty database: the token pages fail with a 500, which also puts the path into Django's error
        # log, so both gunicorn's access log and the application's log are checked.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(GUNICORN),
            "portal.wsgi:application",
            "--config",
            "python:portal.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    reset_path = f"/accounts/password/reset/key/1-{RESET_KEY}/"
    invitation_path = f"/accounts/invitation/MQ/{INVITATION_TOKEN}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "gunicorn did not start"
                assert time.monotonic() < deadline, "gunicorn did not listen within 30 s"
                time.sleep(0.2)
        assert _get(port, "/healthz/") in (200, 503)
        assert _get(port, reset_path) == 500
        assert _get(port, invitation_path, Referer=f"http://127.0.0.1:{port}{reset_path}") == 500
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
    output = stdout + stderr
    assert '"GET /accounts/password/reset/key/…/ HTTP/1.1" 500' in stdout
    assert '"GET /accounts/invitation/…/ HTTP/1.1" 500' in stdout
    assert "Internal Server Error: /accounts/invitation/…/" in stderr  # Django's own error line
    assert RESET_KEY not in output
    assert INVITATION_TOKEN not in output
