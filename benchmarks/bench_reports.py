"""Benchmark of the programme report at national scale (make bench-reports).

Uses DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/lotsenportal_bench. Migrates, seeds the
scale data with ``seed_scale`` if it is not there yet (checked by counts; the report's rollups are rebuilt if
missing), then measures the full staff report for one year (median of 7 runs through the Django test client,
full HTML rendered), its number of queries, and the XLSX export of the per-region table. In the same run it
does the same on a second database with 10,000 consultations (``<name>_small``, 1 % of everything) and
prints the ratio of the two report times: the report reads rollups, so it should cost the same at any size.
Each database is measured in its own child process (Django binds one database per process). Prints exactly:

    BENCH reports.dashboard_ms <value> ms
    BENCH reports.dashboard_queries <n>
    BENCH reports.export_xlsx_ms <value> ms
    BENCH reports.small_dashboard_ms <value> ms
    BENCH reports.scale_ratio <x>
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lotsenportal_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_ENV", "development")

ORGANISATIONS, LOTSEN, CONSULTATIONS = 2400, 10_000, 1_000_000
#: the small data set of the scale ratio: 10,000 consultations, everything else 1 % as well
SMALL = (24, 100, 10_000)
RUNS = 7


def _ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist (connects to the server's 'postgres' db)."""
    import psycopg2
    from environ import Env
    from psycopg2 import sql

    config = Env.db_url_config(url)
    params = {
        k: v
        for k, v in {
            "host": config.get("HOST"),
            "port": config.get("PORT"),
            "user": config.get("USER"),
            "password": config.get("PASSWORD"),
        }.items()
        if v
    }
    try:
        psycopg2.connect(dbname=config["NAME"], **params).close()
    except psycopg2.OperationalError:
        connection = psycopg2.connect(dbname="postgres", **params)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        connection.close()


def main() -> None:
    url = os.environ["DATABASE_URL"]
    large = _child(url, (ORGANISATIONS, LOTSEN, CONSULTATIONS))
    small = _child(_small_url(url), SMALL)
    print(f"BENCH reports.dashboard_ms {large['dashboard_ms']:.0f} ms")
    print(f"BENCH reports.dashboard_queries {large['queries']}")
    print(f"BENCH reports.export_xlsx_ms {large['export_ms']:.0f} ms")
    print(f"BENCH reports.small_dashboard_ms {small['dashboard_ms']:.0f} ms")
    print(f"BENCH reports.scale_ratio {large['dashboard_ms'] / small['dashboard_ms']:.2f}")


def _small_url(url: str) -> str:
    base, _slash, name = url.rpartition("/")
    name, _q, query = name.partition("?")
    return f"{base}/{name}_small" + (f"?{query}" if query else "")


def _child(url: str, sizes: tuple[int, int, int]) -> dict:
    """Seed (if needed) and measure one database in a child process; its figures come back as JSON."""
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(  # noqa: S603 (this script itself, fixed arguments)
        [sys.executable, __file__, "--measure", *map(str, sizes)],
        env=env,
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(organisations: int, lotsen: int, consultations: int) -> None:
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from lotsen.models import Consultation, Lotse
    from organisations.models import Organisation
    from reports.models import MonthlyCount

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    if (
        Consultation.objects.count() < consultations
        or Lotse.objects.count() < lotsen
        or Organisation.objects.count() < organisations
    ):
        started = time.monotonic()
        call_command(
            "seed_scale",
            organisations=organisations,
            lotsen=lotsen,
            consultations=consultations,
            stdout=sys.stderr,
        )
        print(f"seeded in {time.monotonic() - started:.1f} s", file=sys.stderr)
    elif not MonthlyCount.objects.exists():  # seeded before the report read rollups
        call_command("rebuild_rollups", stdout=sys.stderr)

    staff, _created = User.objects.get_or_create(
        email="bench.staff@example.org", defaults={"is_programme_staff": True, "name": "Benchmark"}
    )
    client = Client()
    client.force_login(staff)
    # the last full year: the seeded data runs up to today
    query = {"period": "year", "year": timezone.localdate().year - 1}
    url = reverse("reports:index")
    client.get(url, query)  # warm up (connections, templates, caches of the database)

    timings, queries = [], 0
    for _run in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, query)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        assert b"chart-consultations" in response.content
        queries = len(captured.captured_queries)

    export_url = reverse("reports:export", kwargs={"table": "regions", "fmt": "xlsx"})
    export_timings = []
    for _run in range(3):
        started = time.perf_counter()
        response = client.get(export_url, query)
        export_timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code

    figures = {
        "dashboard_ms": statistics.median(timings),
        "queries": queries,
        "export_ms": statistics.median(export_timings),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        measure(*map(int, sys.argv[2:]))
    else:
        main()
