import datetime
import re
import secrets
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events.models import GuestRegistration

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)


class Clock:
    """Frozen time (time-machine: also the C datetime Django and the database driver use)."""

    def __init__(self, traveller):
        self.traveller = traveller

    def set(self, moment: datetime.datetime) -> None:
        self.traveller.move_to(moment)

    def advance(self, **delta) -> None:
        self.traveller.move_to(timezone.now() + datetime.timedelta(**delta))


@pytest.fixture
def clock(request):
    """Ask for it before ``world``: the world is then built at the frozen moment. The moment is the test's
    ``pytest.mark.now(...)`` (Berlin time) or a Tuesday in March."""
    marker = request.node.get_closest_marker("now")
    start = berlin(*marker.args) if marker else berlin(2026, 3, 10, 10, 0)
    with time_machine.travel(start, tick=False) as traveller:
        yield Clock(traveller)


def guest(event, *, status=GuestRegistration.Status.CONFIRMED, language="de", name="Jana Gast", session=None):
    email = f"{name.split()[0].lower()}.{secrets.token_hex(3)}@jobcenter.example"
    return GuestRegistration.objects.create(
        event=event,
        session=session,
        name=name,
        organisation="Jobcenter Düsseldorf",
        institution_kind=GuestRegistration.InstitutionKind.JOBCENTER,
        email=email,
        email_key=email.casefold(),
        language=language,
        consent_at=timezone.now(),
        status=status,
        token=secrets.token_urlsafe(32),
    )


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def html_of(message) -> str:
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def unsubscribe_link(message) -> str:
    match = re.search(r"https?://\S+/reminders/unsubscribe/(\S+?)/", message.body)
    assert match, message.body
    return f"/reminders/unsubscribe/{match.group(1)}/"
