"""The money models moved from ``lotsen`` to ``allowances`` (issue #12) without losing a row.

A database is filled by ``seed_demo`` of the last commit before the move (its own code, from git), then
migrated by today's code; counts and sums of every moved table must be what they were. On SQLite without an
environment, on PostgreSQL in CI (the database the test run uses decides)."""

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

#: The last commit of main with the money models in lotsen.
BEFORE_MOVE = "e45756be4d34412c9c9fd7cc2abb188a1cf7abfc"
REPO = Path(settings.BASE_DIR)

#: Counts and sums per table, the same SQL before and after (the tables are renamed by the move).
FIGURES = {
    "contract": "SELECT COUNT(*), COALESCE(SUM(rate), 0), COUNT(DISTINCT lotse_id) FROM {t}",
    "taxallowancecap": "SELECT COUNT(*), COALESCE(SUM(amount), 0), MIN(valid_from) FROM {t}",
    "selfdeclaration": "SELECT COUNT(*), COALESCE(SUM(year), 0), COUNT(DISTINCT lotse_id) FROM {t}",
    "allowanceclaim": (
        "SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(SUM(hours), 0), "
        "SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END), COUNT(DISTINCT contract_id) FROM {t}"
    ),
}

SCRIPT = """
import json, decimal
from django.db import connection
figures = json.loads({figures!r})
out = {{}}
with connection.cursor() as cursor:
    for model, sql in figures.items():
        cursor.execute(sql.format(t="{prefix}_" + model))
        row = cursor.fetchone()
        out[model] = [
            str(decimal.Decimal(str(v)).normalize()) if isinstance(v, (float, decimal.Decimal)) else str(v)
            for v in row
        ]
    cursor.execute("SELECT app_label FROM django_content_type WHERE model = 'allowanceclaim'")
    out["content_type"] = [row[0] for row in cursor.fetchall()]
print("FIGURES" + json.dumps(out))
"""


def _git_available() -> bool:
    if shutil.which("git") is None:
        return False
    probe = subprocess.run(  # noqa: S603
        ["git", "-C", str(REPO), "cat-file", "-e", f"{BEFORE_MOVE}^{{commit}}"],  # noqa: S607
        capture_output=True,
    )
    return probe.returncode == 0


def _database_url(tmp_path: Path) -> tuple[str, callable]:
    """A fresh database on the same server as the test run's, and how to drop it."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'move.sqlite3'}", lambda: None
    import psycopg2

    params = connection.settings_dict
    name = f"lp_move_{uuid.uuid4().hex[:8]}"
    server = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"],
        "password": params["PASSWORD"] or None,
        "dbname": "postgres",
    }

    def admin(sql):
        conn = psycopg2.connect(**server)
        conn.autocommit = True
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    admin(f'CREATE DATABASE "{name}"')
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    url = f"postgres://{params['USER']}{password}@{server['host']}:{server['port']}/{name}"
    return url, lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(tree: Path, url: str, *args: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "MEDIA_ROOT": str(tree / "media"),
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=tree, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _figures(tree: Path, url: str, prefix: str) -> dict:
    script = SCRIPT.format(figures=json.dumps(FIGURES), prefix=prefix)
    output = _run(tree, url, "shell", "-c", script)
    return json.loads(output.split("FIGURES", 1)[1])


@pytest.mark.skipif(
    not os.environ.get("CI") and not _git_available(), reason="needs the git history of the repository"
)
def test_seed_demo_data_survives_the_move_to_allowances(tmp_path):
    old = tmp_path / "before"
    old.mkdir()
    archive = subprocess.run(  # noqa: S603
        ["git", "-C", str(REPO), "archive", "--format=tar", BEFORE_MOVE],  # noqa: S607
        capture_output=True,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(old, filter="data")
    url, drop = _database_url(tmp_path)
    try:
        _run(old, url, "migrate", "-v0")
        _run(old, url, "seed_demo")
        before = _figures(old, url, "lotsen")
        assert int(before["allowanceclaim"][0]) > 0 and int(before["contract"][0]) > 0
        assert before["content_type"] == ["lotsen"]

        _run(REPO, url, "migrate", "-v0")
        after = _figures(REPO, url, "allowances")
    finally:
        drop()

    assert after.pop("content_type") == ["allowances"]
    before.pop("content_type")
    assert after == before
