import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import kombu.pools
import pytest
from django.utils import timezone

from events.models import Attendance
from portal.celery import app as celery_app
from tests import factories as f

TOPICS = [
    ("Anerkennung ausländischer Berufsabschlüsse", Decimal("3.0")),
    ("Aufenthaltsrecht und Arbeitsmarktzugang", Decimal("2.5")),
    ("Bewerbungsunterlagen: Lebenslauf & Anschreiben", Decimal("4.0")),
]


@dataclass
class Trained:
    """Training sessions of this year in OWL and who attended them."""

    year: int
    sessions: list
    fatima: object  # Arabic name, attended all three sessions: eligible
    natalya: object  # Cyrillic name (OWL), attended all three: eligible
    partial: object  # attended two: not eligible (the programme default is 3)


def _at(year: int, month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


def attend(lotse, events, status=Attendance.Status.ATTENDED):
    for event in events:
        f.AttendanceFactory(event=event, lotse=lotse, status=status)


@pytest.fixture
def trained(world) -> Trained:
    year = timezone.localdate().year
    sessions = [
        f.EventFactory(
            region=world.owl,
            title=f"Qualifizierungstreffen {i + 1}",
            topic=topic,
            hours_credited=hours,
            starts_at=_at(year, 2 + i, 10),
            ends_at=_at(year, 2 + i, 10) + datetime.timedelta(hours=4),
        )
        for i, (topic, hours) in enumerate(TOPICS)
    ]
    fatima = f.LotseFactory(region=world.owl, first_name="فاطمة", last_name="الزهراء")
    fatima.organisations.add(world.organisation)
    natalya = f.LotseFactory(region=world.owl, first_name="Наталья", last_name="Смирнова")
    partial = f.LotseFactory(region=world.owl, first_name="Jürgen", last_name="Weißmann")
    attend(fatima, sessions)
    attend(natalya, sessions)
    attend(partial, sessions[:2])
    return Trained(year=year, sessions=sessions, fatima=fatima, natalya=natalya, partial=partial)


@contextmanager
def celery_publishing_to(broker_url: str):
    """Let tasks go through a real broker instead of running in-process (the test settings' default)."""

    def reset_connections():
        # Connection and producer pools are cached per broker URL; drop them so the new URL is used.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        kombu.pools.reset()

    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    reset_connections()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = broker_url, False
    try:
        yield
    finally:
        reset_connections()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
