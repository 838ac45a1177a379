"""Recompute the reports' rollups from the raw records (README "Reports: rollups").

    python manage.py rebuild_rollups            # every region-month
    python manage.py rebuild_rollups --year 2025

Idempotent: a second run writes the same rows. Months that retention closed (their consultations deleted)
keep their consultation counts; their other figures are recomputed. Needed after data was written behind the
services' back (SQL, ``bulk_create``, ``QuerySet.update()`` without ``portal.signals.rows_updated``) and once
after the migration that added the rollups (it fills in the closed months' other figures); day to day the
rollups are kept current in the transaction of every change.
"""

import time

from django.core.management.base import BaseCommand

from reports import rollups


class Command(BaseCommand):
    help = (
        "Recompute the reports' monthly rollups from the raw records "
        "(closed months keep their consultation counts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="only the months of this year")

    def handle(self, *args, year=None, **options):
        started = time.monotonic()
        result = rollups.rebuild(year)
        self.stdout.write(
            f"rollups rebuilt{f' for {year}' if year else ''}: {result['recomputed']} region-months "
            f"recomputed, {result['closed']} of them closed (consultation counts kept), "
            f"in {time.monotonic() - started:.1f} s"
        )
