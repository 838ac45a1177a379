"""``make drills``: outages under a light load against prod-local (issue #14, point 3), and what was seen.

Starts prod-local (benchmarks/prodlocal.py; the data seeded by make bench-load, or seeded here with
LOAD_CONSULTATIONS, default 1,000,000), then with six Lotsen opening their start page and logging
consultations all the time:

1. Redis stopped for DRILL_REDIS_SECONDS (30): the pages' status codes meanwhile, a login (rate limits live in
   Redis) and a certificate batch (queued work) during the outage, and how long after Redis is back a queued
   task runs again.
2. PostgreSQL restarted (fast shutdown, start): how fast requests fail while it is down (goal: a friendly 503
   page within a second), and when the first page is answered again, without restarting gunicorn.
3. A Celery worker process killed (SIGKILL) while it renders a certificate batch: the task is handed out again
   and runs once more; afterwards every certificate of the batch is issued, none twice.

At the end: every consultation the load was told was saved is in the database exactly once (nothing
half-done). Prints one block per drill and `DRILL <name> ok|FAILED`; exits 1 if a drill failed.
"""

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import LOAD, manage_env, prepare  # noqa: E402
from prodlocal import ROOT, ProdLocal, stop_on_sigterm  # noqa: E402

# The portal's cookies are Secure; the TLS proxy a browser talks to is simulated by X-Forwarded-Proto, so the
# clients of the benchmarks send them over http to loopback (every jar requests builds uses this policy).
http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FRIENDLY_503 = re.compile(r"<html", re.I)


class Session:
    """A browser behind the TLS proxy: https headers, its own client address, Secure cookies sent."""

    counter = 0

    def __init__(self, base_url: str):
        Session.counter += 1
        self.base = base_url
        self.http = requests.Session()
        self.http.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"10.250.{Session.counter // 250}.{Session.counter % 250}",
                "Accept-Language": "en",
                "Origin": "https://" + base_url.split("://", 1)[1],
            }
        )

    def get(self, path: str, **kwargs):
        return self.http.get(self.base + path, timeout=30, **kwargs)

    def post_form(self, form: str, action: str, data: dict, **kwargs):
        page = self.get(form)
        match = CSRF.search(page.text)
        token = match.group(1) if match else ""
        return self.http.post(
            self.base + action, {**data, "csrfmiddlewaretoken": token}, timeout=30, **kwargs
        )

    def login(self, email: str, password: str):
        return self.post_form("/accounts/login/", "/accounts/login/", {"login": email, "password": password})


class LightLoad:
    """Lotsen opening their start page and logging consultations back to back, every answer recorded."""

    def __init__(self, base_url: str, lotsen: list[dict], password: str):
        self.sessions = []
        for lotse in lotsen:
            session = Session(base_url)
            session.login(lotse["email"], password)
            self.sessions.append(session)
        self.samples: list[
            tuple[float, str, int, float, bool]
        ] = []  # (time, what, status, seconds, friendly)
        self.saved: list[str] = []
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(s, i), daemon=True) for i, s in enumerate(self.sessions)
        ]

    def _record(self, what: str, call):
        started = time.monotonic()
        try:
            response = call()
            status, friendly = response.status_code, bool(FRIENDLY_503.search(response.text))
        except requests.RequestException:
            response, status, friendly = None, 0, False
        self.samples.append((started, what, status, time.monotonic() - started, friendly))
        return response

    def _run(self, session: Session, index: int):
        while not self.stop.is_set():
            self._record("start page", lambda: session.get("/"))
            if index % 2 == 0:
                key = str(uuid.uuid4())
                data = {
                    "date": date.today().isoformat(),
                    "duration_minutes": "45",
                    "mode": "phone",
                    "topics": ["job_search"],
                    "age_band": "25_34",
                    "gender": "f",
                    "country_of_origin": "SY",
                    "time_in_germany": "1_3",
                    "submission_key": key,
                }
                response = self._record(
                    "log consultation",
                    lambda data=data: session.post_form(
                        "/me/consultations/new/", "/me/consultations/new/", data
                    ),
                )
                if (
                    response is not None
                    and response.ok
                    and urlsplit(response.url).path == "/me/consultations/"
                ):
                    self.saved.append(key)
            time.sleep(0.3)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=40)

    def window(self, start: float, end: float) -> list:
        return [s for s in self.samples if start <= s[0] < end]


def summary(samples: list) -> str:
    if not samples:
        return "no requests"
    codes = Counter(status for _t, _w, status, _d, _f in samples)
    slowest = max(duration for _t, _w, _s, duration, _f in samples)
    codes = dict(sorted(codes.items()))
    return f"{len(samples)} requests, status {codes} (0 = no answer), slowest {slowest:.2f} s"


def first_ok_after(load: LightLoad, moment: float) -> float | None:
    times = [t for t, _w, status, _d, _f in load.samples if t >= moment and status == 200]
    return min(times) - moment if times else None


def run_celery(local: ProdLocal, *args: str) -> str:
    return subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "portal", *args],
        cwd=ROOT,
        env=local.plan.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    ).stdout


def drill_redis(local: ProdLocal, load: LightLoad, drill: dict, seconds: int) -> bool:
    """drill: a coordinator of a load region (the worker drill keeps its own region's Lotsen for later)."""
    print(f"\n== Drill 1: Redis stopped for {seconds} s")
    local.stop_redis()
    down = time.monotonic()
    time.sleep(3)
    login = Session(local.plan.base_url).login(drill["email"], drill["password"])
    print(
        f"  login during the outage: {login.status_code} "
        f"({'logged in' if '/accounts/login/' not in login.url else 'not logged in'})"
    )
    coordinator = Session(local.plan.base_url)
    coordinator.login(drill["email"], drill["password"])
    batch = coordinator.post_form(
        "/certificates/batches/new/",
        "/certificates/batches/new/",
        {"region": drill["region"], "programme_year": ""},
    )
    print(f"  certificate batch during the outage: {batch.status_code}, ended on {batch.url.split('://')[1]}")
    time.sleep(max(0, seconds - (time.monotonic() - down)))
    up_at = time.monotonic()
    local.start_redis()
    during = load.window(down, up_at)
    print(f"  pages during the outage: {summary(during)}")
    errors = [s for s in during if s[2] >= 500 or s[2] == 0]
    # queued work resumes: a ping through the broker to the worker
    resumed = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if "pong" in run_celery(local, "inspect", "ping", "--timeout", "2"):
            resumed = time.monotonic() - up_at
            break
        time.sleep(1)
    print(
        f"  worker answers through the broker again after "
        f"{resumed if resumed is None else f'{resumed:.1f} s'}"
    )
    ok = not errors and login.status_code < 500 and batch.status_code < 500 and resumed is not None
    print(f"DRILL redis {'ok' if ok else 'FAILED'}")
    return ok


def drill_postgres(local: ProdLocal, load: LightLoad) -> bool:
    print("\n== Drill 2: PostgreSQL restarted")
    down = time.monotonic()
    local.restart_db(down_seconds=5)  # requests meet a database that is not there for 5 s
    up_at = time.monotonic()
    time.sleep(10)
    during = load.window(down, up_at)
    print(f"  while it was down ({up_at - down:.1f} s): {summary(during)}")
    failed = [s for s in during if s[2] != 200]
    fast = all(duration < 2 for _t, _w, _s, duration, _f in failed)
    friendly = all(status == 503 and is_page for _t, _w, status, _d, is_page in failed)
    print(f"  failures answered within 2 s: {fast}; all of them a 503 page: {friendly}")
    recovered = first_ok_after(load, up_at)
    after = load.window(up_at + (recovered or 0), time.monotonic())
    print(
        f"  first page answered {recovered if recovered is None else f'{recovered:.1f} s'} "
        "after PostgreSQL was back"
        f" (gunicorn not restarted); since then: {summary(after)}"
    )
    ok = fast and friendly and recovered is not None and all(s[2] == 200 for s in after)
    print(f"DRILL postgres {'ok' if ok else 'FAILED'}")
    return ok


def drill_worker(local: ProdLocal, drill: dict) -> bool:
    print("\n== Drill 3: a worker process killed while it renders certificates")
    # The worker's log names every task it receives; its pool processes are the children of the worker.
    log_file = local.logs / "worker.log"
    offset = len(log_file.read_text(errors="replace"))
    coordinator = Session(local.plan.base_url)
    coordinator.login(drill["email"], drill["password"])
    response = coordinator.post_form(
        "/certificates/batches/new/",
        "/certificates/batches/new/",
        {"region": drill["region"], "programme_year": ""},
    )
    match = re.search(r"/certificates/batches/(\d+)/", response.url)
    if not match:
        print(
            f"  no batch was created ({response.status_code}, {response.url}): no Lotse of the region is due?"
        )
        print("DRILL worker FAILED")
        return False
    batch = int(match.group(1))
    task_id = None
    deadline = time.monotonic() + 120
    while task_id is None and time.monotonic() < deadline:
        found = re.search(
            r"render_certificates\[([0-9a-f-]+)\] received", log_file.read_text(errors="replace")[offset:]
        )
        task_id = found.group(1) if found else None
        time.sleep(0.1)
    if task_id is None:
        print("  no render task was received by the worker")
        print("DRILL worker FAILED")
        return False
    time.sleep(0.5)  # the pool process has started rendering
    children = subprocess.run(  # noqa: S603
        ["pgrep", "-P", str(local.procs["worker"].pid)],  # noqa: S607 (procps from the PATH)
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    print(f"  killed the worker's pool processes {', '.join(children)} while task {task_id} was running")
    deadline = time.monotonic() + 300
    state = {}
    while time.monotonic() < deadline:
        state = json.loads(
            subprocess.run(  # noqa: S603
                [sys.executable, str(LOAD / "prepare.py"), "batch", str(batch)],
                cwd=ROOT,
                env=manage_env(local),
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        if not set(state["statuses"]) & {"pending", "rendering"}:
            break
        time.sleep(2)
    log = log_file.read_text(errors="replace")[offset:]
    received = log.count(f"[{task_id}] received")
    succeeded = len(re.findall(rf"\[{task_id}\] succeeded", log))
    print(f"  task {task_id}: received {received} times, succeeded {succeeded} time(s)")
    print(f"  batch {batch}: certificates by status {state.get('statuses')}, doubled {state.get('doubled')}")
    ok = received == 2 and succeeded == 1 and set(state["statuses"]) == {"issued"} and not state["doubled"]
    print(f"DRILL worker {'ok' if ok else 'FAILED'}")
    return ok


def main() -> int:
    seconds = int(os.environ.get("DRILL_REDIS_SECONDS", "30"))
    local = ProdLocal()
    work = Path(tempfile.mkdtemp(prefix="drills-"))
    try:
        local.up(app=False)
        prepare(local, "seed", os.environ.get("LOAD_CONSULTATIONS", "1000000"))
        local.start_app()
        prepare(local, "cast", "drill-" + time.strftime("%Y%m%d-%H%M%S"), str(work / "cast.json"))
        cast = json.loads((work / "cast.json").read_text())
        drill = json.loads(
            subprocess.run(  # noqa: S603
                [sys.executable, str(LOAD / "prepare.py"), "drill"],
                cwd=ROOT,
                env=manage_env(local),
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        results = {}
        with LightLoad(local.plan.base_url, cast["lotsen"][:6], cast["password"]) as load:
            time.sleep(5)
            print(f"before the drills: {summary(load.window(0, time.monotonic()))}")
            first = {**cast["coordinators"][0], "password": cast["password"]}
            results["redis"] = drill_redis(local, load, first, seconds)
            time.sleep(5)
            results["postgres"] = drill_postgres(local, load)
        results["worker"] = drill_worker(local, drill)
        (work / "saved.jsonl").write_text(
            "".join(json.dumps({"kind": "consultation", "key": k}) + "\n" for k in load.saved)
        )
        check = subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(LOAD / "prepare.py"),
                "check",
                str(work / "cast.json"),
                str(work / "saved.jsonl"),
            ],
            cwd=ROOT,
            env=manage_env(local),
            check=False,
        )
        results["nothing half-done"] = check.returncode == 0
        print("\n" + ", ".join(f"{name}: {'ok' if ok else 'FAILED'}" for name, ok in results.items()))
        return 0 if all(results.values()) else 1
    finally:
        local.stop()


if __name__ == "__main__":
    stop_on_sigterm()
    sys.exit(main())
