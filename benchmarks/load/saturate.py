"""The saturation phase of ``make bench-load``: as many requests as the portal answers, back to back, to
one path (SATURATE_PATH) by logged-in Lotsen (FastHttpUser, no think time). Run once for the Lotse's start
page and once for a trivial view (/robots.txt: the whole middleware stack, no query), behind the same
gunicorn and nginx."""

import itertools
import json
import os

from locust import FastHttpUser, constant, task

CAST = json.loads(open(os.environ["LOAD_CAST"], encoding="utf-8").read())  # noqa: SIM115
PATH = os.environ["SATURATE_PATH"]
_lotsen = itertools.cycle(CAST["lotsen"])
_addresses = itertools.count(1)


class Saturating(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        number = next(_addresses)
        self.headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.200.{number // 250}.{number % 250}",
            "Accept-Language": "en",
            "Origin": f"https://{self.host.split('://', 1)[1]}",
        }
        person = next(_lotsen)  # logged in by bench_load.py
        self.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in person["cookies"].items())

    @task
    def hit(self):
        self.client.get(PATH, headers=self.headers, name="saturate")
