"""``python manage.py seed_demo``: the NRW regions and an invented demo programme (see home/demo.py)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from home.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the 16 NRW regions and an invented demo programme with demo logins (idempotent)."

    def handle(self, *args, **options):
        if settings.DJANGO_ENV == "production":
            raise CommandError("seed_demo refuses to run with DJANGO_ENV=production: it creates demo logins.")
        started = time.monotonic()
        summary = seed_demo()
        created = ", ".join(f"{n} {label}" for label, n in summary.created.items() if n) or "nothing new"
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f} s (created: {created}).")
        if options["verbosity"] >= 1:
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for email, _name, role in DEMO_LOGINS:
                self.stdout.write(f"  {email:<34} {role}")
