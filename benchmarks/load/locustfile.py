"""The simulated users of ``make bench-load`` (run headless by benchmarks/bench_load.py against prod-local).

Lotsen: start page, log a consultation (it lands on their list), open this month's claim, register for the
region's upcoming training, with 3-10 s to think between steps. Coordinators: the Lotsen list and the claims
queue with filters, approve a claim, take attendance at the running training, export the claims, and once a
certificate batch. Every request goes through nginx as a TLS proxy would send it (X-Forwarded-Proto: https,
the user's own address in X-Forwarded-For), so the production settings (secure cookies, SSL redirect, CSRF
origin check, rate limits per client address) apply unchanged.

Whatever the portal confirmed as saved is appended to LOAD_SAVED (one JSON object a line); prepare.py check
compares it with the database at the end. The cast (logins, regions, events) comes from LOAD_CAST.
"""

import http.cookiejar
import itertools
import json
import os
import random
import re
import threading
import uuid
from datetime import date
from urllib.parse import urlsplit

from locust import HttpUser, SequentialTaskSet, between, task

CAST = json.loads(open(os.environ["LOAD_CAST"], encoding="utf-8").read())  # noqa: SIM115
SAVED = open(os.environ["LOAD_SAVED"], "a", encoding="utf-8")  # noqa: SIM115
_saved_lock = threading.Lock()
_lotsen = itertools.cycle(CAST["lotsen"])
_coordinators = itertools.cycle(CAST["coordinators"])
_addresses = itertools.count(1)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOPICS = ["job_search", "recognition", "language_course", "application", "education"]


def saved(**item) -> None:
    with _saved_lock:
        SAVED.write(json.dumps(item) + "\n")
        SAVED.flush()


# The portal's cookies are Secure; the TLS proxy a browser talks to is simulated by X-Forwarded-Proto, so the
# simulated users send them over http to loopback (requests builds new jars per request: patch the policy).
http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(3, 10)

    def on_start(self):
        number = next(_addresses)
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"10.{number // 250}.{number % 250}.{number % 7 + 1}",
                "Accept-Language": "en",
                "Origin": f"https://{self.host.split('://', 1)[1]}",
            }
        )
        self.person = self.pick()
        # logged in by bench_load.py before the clock runs (the password hasher is not what is measured)
        for name, value in self.person["cookies"].items():
            self.client.cookies.set(name, value, domain=self.host.split("://", 1)[1].split(":")[0], path="/")

    @staticmethod
    def csrf(response) -> str:
        match = CSRF.search(response.text)
        return match.group(1) if match else ""

    def post_form(self, form_url: str, action: str, data: dict, name: str, form_name: str | None = None):
        page = self.client.get(form_url, name=form_name or name)
        return self.client.post(action, {**data, "csrfmiddlewaretoken": self.csrf(page)}, name=name)


class LotseJourney(SequentialTaskSet):
    @task
    def start_page(self):
        self.client.get("/", name="lotse: start page")

    @task
    def log_consultation(self):
        key = str(uuid.uuid4())
        data = {
            "date": date.today().isoformat(),
            "duration_minutes": str(random.choice([30, 45, 60, 90])),
            "mode": random.choice(["phone", "in_person", "video"]),
            "topics": random.sample(TOPICS[:2], k=random.randint(1, 2)),
            "age_band": random.choice(["u25", "25_34", "35_44"]),
            "gender": random.choice(["f", "m"]),
            "country_of_origin": random.choice(["SY", "TR", "UA", "AF"]),
            "time_in_germany": "1_3",
            "submission_key": key,
        }
        saved(kind="consultation_sent", key=key)
        with self.client.post(
            "/me/consultations/new/",
            {
                **data,
                "csrfmiddlewaretoken": self.user.csrf(
                    self.client.get("/me/consultations/new/", name="lotse: consultation form")
                ),
            },
            name="lotse: log consultation",
            catch_response=True,
        ) as response:
            if response.ok and urlsplit(response.url).path == "/me/consultations/":
                saved(kind="consultation", key=key, lotse=self.user.person["lotse"])
            elif response.ok:
                response.failure("the consultation form came back (not saved)")

    @task
    def claim_month(self):
        today = date.today()
        self.client.get(f"/me/claims/{today.year}/{today.month}/", name="lotse: month claim")

    @task
    def register(self):
        event = self.user.person["event"]
        response = self.user.post_form(
            "/me/events/", f"/me/events/{event}/register/", {}, "lotse: register", "lotse: events"
        )
        if response.ok and "You are registered." in response.text:
            saved(kind="registration", event=event, lotse=self.user.person["lotse"])


class Lotse(PortalUser):
    fixed_count = 100
    tasks = [LotseJourney]

    def pick(self):
        return next(_lotsen)


class CoordinatorJourney(SequentialTaskSet):
    @task
    def lists(self):
        region = self.user.person["region"]
        self.client.get(
            f"/lotsen/?status=active&region={region}&q=a", name="coordinator: Lotsen list (filtered)"
        )
        self.queue = self.client.get(
            f"/claims/?status=submitted&region={region}", name="coordinator: claims queue"
        )

    @task
    def approve(self):
        ids = re.findall(r'href="/claims/(\d+)/[?"]', self.queue.text)
        if not ids:
            return
        claim = random.choice(ids[:10])
        response = self.user.post_form(
            f"/claims/{claim}/",
            f"/claims/{claim}/approve/",
            {},
            "coordinator: approve claim",
            "coordinator: claim",
        )
        if response.ok and "was approved" in response.text:
            saved(kind="approval", claim=int(claim))

    @task
    def attendance(self):
        event = self.user.person["attendance_event"]
        page = self.client.get(f"/events/{event}/attendance/", name="coordinator: attendance")
        rows = re.findall(r'action="/events/attendance/(\d+)/"', page.text)
        for pk in random.sample(rows, k=min(3, len(rows))):
            status = random.choice(["attended", "excused", "absent"])
            response = self.client.post(
                f"/events/attendance/{pk}/",
                {"status": status, "csrfmiddlewaretoken": self.user.csrf(page)},
                name="coordinator: take attendance",
            )
            if response.ok:
                saved(kind="attendance", attendance=int(pk), status=status)

    @task
    def export(self):
        region = self.user.person["region"]
        self.client.get(
            f"/claims/export.csv?status=submitted&region={region}", name="coordinator: export claims"
        )

    @task
    def certificates(self):
        if getattr(self.user, "batch_done", False):
            return
        self.user.batch_done = True
        response = self.user.post_form(
            "/certificates/batches/new/",
            "/certificates/batches/new/",
            {"region": self.user.person["region"], "programme_year": ""},
            "coordinator: certificate batch",
            "coordinator: certificate batch form",
        )
        if response.ok and "/certificates/batches/" in response.url and not response.url.endswith("/new/"):
            saved(kind="certificate_batch", url=response.url)


class Coordinator(PortalUser):
    fixed_count = 10
    tasks = [CoordinatorJourney]

    def pick(self):
        return next(_coordinators)
