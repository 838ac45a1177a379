"""Benchmark of the foundation: seeding the demo data and scoped dashboard queries.

Runs against a fresh SQLite database in a temporary folder (or DATABASE_URL if BENCH_USE_DATABASE_URL=1).
Prints its figures as lines ``BENCH <name> <value> <unit>``.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["DJANGO_ENV"] = "development"
os.environ["CELERY_BROKER_URL"] = ""
workdir = tempfile.mkdtemp(prefix="lotsenportal-bench-")
if os.environ.get("BENCH_USE_DATABASE_URL") != "1":
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def bench(name: str, value: float, unit: str) -> None:
    figure = str(value) if isinstance(value, int) else f"{value:.3f}"
    print(f"BENCH {name} {figure} {unit}", flush=True)


def main() -> None:
    from accounts.models import User
    from home import dashboards
    from home.demo import seed_demo

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_demo()
    bench("seed_demo_first_run", time.perf_counter() - started, "s")
    started = time.perf_counter()
    seed_demo()
    bench("seed_demo_second_run", time.perf_counter() - started, "s")

    for email, builder in [
        ("coordinator.owl@example.org", dashboards.coordinator_dashboard),
        ("staff@example.org", dashboards.staff_dashboard),
        ("lotse.owl@example.org", dashboards.lotse_dashboard),
    ]:
        role = email.split("@")[0].replace(".", "_")
        rounds = 50
        started = time.perf_counter()
        for _ in range(rounds):
            user = User.objects.get(email=email)
            with CaptureQueriesContext(connection) as queries:
                builder(user)
        bench(f"dashboard_{role}", (time.perf_counter() - started) / rounds * 1000, "ms")
        bench(f"dashboard_{role}_queries", len(queries), "queries")


if __name__ == "__main__":
    main()
