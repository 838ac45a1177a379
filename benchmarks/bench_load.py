"""``make bench-load``: 100 Lotsen and 10 coordinators against the production shape (issue #14, point 2).

1. Starts prod-local (benchmarks/prodlocal.py: what docker-compose.yml starts, on loopback): PostgreSQL 15 and
   Redis of its own, seeds them once (seed_scale with LOAD_CONSULTATIONS consultations, default 1,000,000, and
   seed_demo; kept in PROD_LOCAL_DIR between runs), then web (migrate, collectstatic, gunicorn with the
   compose file's worker count), the Celery worker, beat and nginx.
2. Prepares this run's cast (benchmarks/load/prepare.py cast) and runs locust headless for LOAD_MINUTES
   (default 3) with benchmarks/load/locustfile.py.
   The 110 users arrive over RAMP_SECONDS (default 10), as people do, not all in the same second.
3. Saturation: SATURATE_SECONDS (default 20) of back-to-back requests to the Lotse's start page, then as long
   to a trivial view (/robots.txt) behind the same gunicorn; the ratio of their requests per second.
4. Waits for the worker's queue to empty and checks that everything the users were told was saved is in the
   database exactly once (prepare.py check).

Prints:
    BENCH load.requests <n>
    BENCH load.errors <n>
    BENCH load.p50_ms / load.p95_ms / load.p99_ms <ms> ms
    BENCH load.throughput_ratio <x>
    BENCH load.integrity_problems <n>
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prodlocal import ROOT, ProdLocal, stop_on_sigterm  # noqa: E402

LOAD = Path(__file__).resolve().parent / "load"
LOCUST = str(ROOT / ".venv" / "bin" / "locust")


def manage_env(local: ProdLocal, **extra) -> dict:
    return local.plan.manage_env(DJANGO_ENV="development", **extra)


def prepare(local: ProdLocal, *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, str(LOAD / "prepare.py"), *args], cwd=ROOT, env=manage_env(local), check=True
    )


def locust(
    local: ProdLocal,
    locustfile: Path,
    csv_prefix: Path,
    users: int,
    seconds: int,
    env: dict,
    rate: float | None = None,
) -> dict:
    """Run locust headless with ``users`` arriving at ``rate`` per second (all at once by default); return its
    CSV statistics by request name ("Aggregated" for all)."""
    subprocess.run(  # noqa: S603
        [LOCUST, "-f", str(locustfile), "--headless", "--only-summary", "--host", local.plan.base_url]
        + [
            "-u",
            str(users),
            "-r",
            str(rate or users),
            "-t",
            f"{seconds}s",
            "--csv",
            str(csv_prefix),
            "--stop-timeout",
            "15",
        ]
        + ["--loglevel", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=False,  # locust exits 1 when a request failed; the figures tell
    )
    with open(f"{csv_prefix}_stats.csv", encoding="utf-8") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def log_in_everyone(local: ProdLocal, cast: Path) -> None:
    """Log every simulated user in once, before the clock runs (a login hashes the password on purpose for
    half a second of CPU: 110 at once would measure the hasher; logging in is not among the steps)."""
    from concurrent.futures import ThreadPoolExecutor

    from drills import Session

    data = json.loads(cast.read_text())

    def log_in(person: dict) -> None:
        session = Session(local.plan.base_url)
        response = session.login(person["email"], data["password"])
        if "/accounts/login/" in response.url:
            raise RuntimeError(f"login of {person['email']} failed ({response.status_code})")
        person["cookies"] = {c.name: c.value for c in session.http.cookies}

    with ThreadPoolExecutor(max_workers=local.plan.gunicorn_workers) as pool:
        list(pool.map(log_in, data["lotsen"] + data["coordinators"]))
    cast.write_text(json.dumps(data, indent=1))


def queue_length(local: ProdLocal) -> int:
    import redis

    return redis.Redis.from_url(local.plan.env["CELERY_BROKER_URL"]).llen("celery")


def main() -> int:
    minutes = float(os.environ.get("LOAD_MINUTES", "3"))
    saturate = int(os.environ.get("SATURATE_SECONDS", "20"))
    consultations = int(os.environ.get("LOAD_CONSULTATIONS", "1000000"))
    local = ProdLocal()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    cast, saved = work / "cast.json", work / "saved.jsonl"
    saved.touch()
    try:
        local.up(app=False)
        started = time.monotonic()
        prepare(local, "seed", str(consultations))
        print(f"seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)
        local.start_app()
        print(f"gunicorn workers: {local.plan.gunicorn_workers} (compose default)", file=sys.stderr)
        prepare(local, "cast", time.strftime("%Y%m%d-%H%M%S"), str(cast))
        log_in_everyone(local, cast)
        env = {"LOAD_CAST": str(cast), "LOAD_SAVED": str(saved)}
        # People do not all press Enter in the same second: the 110 arrive over RAMP_SECONDS (default 10).
        ramp = float(os.environ.get("RAMP_SECONDS", "10"))
        stats = locust(local, LOAD / "locustfile.py", work / "load", 110, int(minutes * 60), env, 110 / ramp)
        total = stats["Aggregated"]
        slowest = sorted(
            (row for name, row in stats.items() if name != "Aggregated"),
            key=lambda row: float(row["95%"]),
            reverse=True,
        )[:5]
        for row in slowest:
            print(f"  p95 {row['95%']:>6} ms  {row['Request Count']:>5}x  {row['Name']}", file=sys.stderr)

        rates = {}
        for label, path in (("start_page", "/"), ("trivial", "/robots.txt")):
            rows = locust(
                local, LOAD / "saturate.py", work / label, 12, saturate, {**env, "SATURATE_PATH": path}
            )
            rates[label] = float(rows["saturate"]["Requests/s"])
            print(f"  saturation {path}: {rates[label]:.0f} requests/s", file=sys.stderr)

        deadline = time.monotonic() + 300
        while queue_length(local) and time.monotonic() < deadline:
            time.sleep(2)
        print(f"BENCH load.requests {total['Request Count']}")
        print(f"BENCH load.errors {total['Failure Count']}")
        print(f"BENCH load.p50_ms {total['50%']} ms")
        print(f"BENCH load.p95_ms {total['95%']} ms")
        print(f"BENCH load.p99_ms {total['99%']} ms")
        print(f"BENCH load.throughput_ratio {rates['start_page'] / rates['trivial']:.2f}")
        sys.stdout.flush()
        check = subprocess.run(  # noqa: S603
            [sys.executable, str(LOAD / "prepare.py"), "check", str(cast), str(saved)],
            cwd=ROOT,
            env=manage_env(local),
            check=False,
        )
        return check.returncode
    finally:
        if os.environ.get("LOAD_KEEP") != "1":
            local.stop()


if __name__ == "__main__":
    stop_on_sigterm()
    sys.exit(main())
