"""Lotsen with an active contract for the previous month and no claim for it are reminded on the first
working day of the month (Monday to Friday, not a nationwide holiday), once per Lotse and month."""

import datetime

import pytest
from django.core import mail

from allowances.models import AllowanceClaim
from notifications import tasks, workdays
from notifications.models import ReminderSettings
from tests import factories as f
from tests.notifications.conftest import berlin, html_of, sent_to

JULY = datetime.date(2026, 7, 1)
# 1 August 2026 is a Saturday: the first working day is Monday the 3rd.
pytestmark = pytest.mark.now(2026, 8, 1, 8, 0)


@pytest.fixture
def lotsen(world):
    """Lotse A: active contract, no July claim. Lotse B: no contract. Two more with a contract: one submitted
    July, one has only a draft for July (that is not a claim yet)."""
    submitted = f.LotseFactory(region=world.owl, first_name="Sabine", user=f.UserFactory())
    f.AllowanceClaimFactory(lotse=submitted, month=JULY)
    drafted = f.LotseFactory(region=world.owl, first_name="Dana", user=f.UserFactory())
    f.AllowanceClaimFactory(lotse=drafted, month=JULY, status=AllowanceClaim.Status.DRAFT, submitted_at=None)
    return {"submitted": submitted, "drafted": drafted}


def test_first_working_day_of_a_month_that_starts_on_saturday(clock, world, lotsen):
    assert tasks.claim_month_reminders.apply().get() == 0  # Saturday 1 August
    clock.set(berlin(2026, 8, 2, 8, 0))
    assert tasks.claim_month_reminders.apply().get() == 0  # Sunday
    assert mail.outbox == []

    clock.set(berlin(2026, 8, 3, 8, 0))  # Monday the 3rd
    assert tasks.claim_month_reminders.apply().get() == 2
    assert len(sent_to(world.lotse_a.user.email)) == 1
    assert len(sent_to(lotsen["drafted"].user.email)) == 1
    assert sent_to(world.lotse_b.user.email) == []  # no contract
    assert sent_to(lotsen["submitted"].user.email) == []  # claimed

    # twice the same day, and the days after: nothing more
    assert tasks.claim_month_reminders.apply().get() == 0
    clock.set(berlin(2026, 8, 4, 8, 0))
    assert tasks.claim_month_reminders.apply().get() == 0
    assert len(mail.outbox) == 2


def test_the_reminder_names_the_month_and_links_the_claim(clock, world, lotsen):
    clock.set(berlin(2026, 8, 3, 8, 0))
    ReminderSettings.objects.create(user=lotsen["drafted"].user, language="en")
    tasks.claim_month_reminders.apply().get()
    (german,) = sent_to(world.lotse_a.user.email)
    (english,) = sent_to(lotsen["drafted"].user.email)
    assert german.subject == "Ihre Aufwandsentschädigung für Juli 2026"
    assert english.subject == "Your allowance for July 2026"
    for message in (german, english):
        assert "/me/claims/2026/7/" in message.body
        assert "/me/claims/2026/7/" in html_of(message)
        assert "/reminders/unsubscribe/" in message.body


def test_a_contract_that_ended_before_the_month_brings_no_reminder(clock, world, lotsen):
    clock.set(berlin(2026, 8, 3, 8, 0))
    world.contract.ends_on = datetime.date(2026, 6, 30)
    world.contract.save(update_fields=["ends_on"])
    tasks.claim_month_reminders.apply().get()
    assert sent_to(world.lotse_a.user.email) == []


@pytest.mark.now(2027, 1, 1, 8, 0)
def test_new_years_day_is_no_working_day(clock, world):
    """1 January 2027 is a Friday and a holiday: the reminder for December comes on Monday the 4th."""
    world.contract.starts_on = datetime.date(2026, 1, 1)
    world.contract.save(update_fields=["starts_on"])
    assert tasks.claim_month_reminders.apply().get() == 0
    clock.set(berlin(2027, 1, 4, 8, 0))
    assert tasks.claim_month_reminders.apply().get() == 1
    (message,) = sent_to(world.lotse_a.user.email)
    assert "Dezember 2026" in message.subject


@pytest.mark.parametrize(
    "day, first",
    [
        (datetime.date(2026, 8, 17), datetime.date(2026, 8, 3)),  # starts on Saturday
        (datetime.date(2026, 3, 2), datetime.date(2026, 3, 2)),  # starts on Sunday
        (datetime.date(2024, 4, 1), datetime.date(2024, 4, 2)),  # Easter Monday
        (datetime.date(2026, 5, 1), datetime.date(2026, 5, 4)),  # Labour Day on a Friday
        (datetime.date(2026, 10, 1), datetime.date(2026, 10, 1)),  # a Thursday
    ],
)
def test_first_working_day(day, first):
    assert workdays.first_working_day_of_month(day) == first


def test_easter():
    assert workdays.easter_sunday(2024) == datetime.date(2024, 3, 31)
    assert workdays.easter_sunday(2026) == datetime.date(2026, 4, 5)
    assert workdays.easter_sunday(2027) == datetime.date(2027, 3, 28)


def test_a_reminder_the_mail_server_refused_goes_out_the_next_day(clock, world, lotsen, settings):
    clock.set(berlin(2026, 8, 3, 8, 0))  # the first working day, the mail server is down
    settings.EMAIL_BACKEND = "tests.notifications.broken_mail.EmailBackend"
    assert tasks.claim_month_reminders.apply().get() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.set(berlin(2026, 8, 4, 8, 0))
    assert tasks.claim_month_reminders.apply().get() == 2
    clock.set(berlin(2026, 8, 10, 8, 0))  # a week later the month's round is over: a newcomer gets none
    late = f.LotseFactory(region=world.owl, user=f.UserFactory())
    f.ContractFactory(lotse=late, starts_on=datetime.date(2026, 1, 1))
    assert tasks.claim_month_reminders.apply().get() == 0
    clock.set(berlin(2026, 8, 5, 8, 0))  # within the catch-up days they would have got it
    assert tasks.claim_month_reminders.apply().get() == 1
