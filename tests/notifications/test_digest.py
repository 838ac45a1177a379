"""Coordinators get a weekly digest of their regions: claims waiting more than 7 days, contracts ending within
30 days, invitations not accepted after 14 days; nothing to report, no e-mail; once per ISO week."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from allowances.models import AllowanceClaim
from notifications import tasks
from notifications.models import ReminderSettings
from tests import factories as f
from tests.notifications.conftest import html_of, sent_to

pytestmark = pytest.mark.now(2026, 3, 9, 7, 0)  # a Monday, 07:00


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def invited_lotse(region, days: int, **names):
    user = f.UserFactory(invited_at=days_ago(days), invitation_accepted_at=None)
    return f.LotseFactory(region=region, user=user, **names)


@pytest.fixture
def waiting(world):
    """OWL: one claim waiting 8 days and one 6 days, a contract ending in 20 days and one in 40, an invitation
    open for 15 days and one for 13. Siegen: nothing."""
    world.claim.delete()
    old = f.AllowanceClaimFactory(
        lotse=world.lotse_b, month=datetime.date(2026, 1, 1), submitted_at=days_ago(8)
    )
    f.AllowanceClaimFactory(
        lotse=world.lotse_a,
        contract=world.contract,
        month=datetime.date(2026, 2, 1),
        submitted_at=days_ago(6),
    )
    world.contract.ends_on = timezone.localdate() + datetime.timedelta(days=20)
    world.contract.save(update_fields=["ends_on"])
    far = f.ContractFactory(lotse=f.LotseFactory(region=world.owl, last_name="Fernweh"))
    far.ends_on = timezone.localdate() + datetime.timedelta(days=40)
    far.save(update_fields=["ends_on"])
    slow = invited_lotse(world.owl, 15, first_name="Olga", last_name="Langsam")
    fresh = invited_lotse(world.owl, 13, first_name="Fritz", last_name="Frisch")
    return {"old": old, "far": far, "slow": slow, "fresh": fresh}


def test_digest_lists_what_waits_and_nothing_else(clock, world, waiting):
    assert tasks.coordinator_digest.apply().get() == 1

    (digest,) = sent_to(world.coordinator.email)
    assert digest.subject == "Ihre Wochenübersicht"
    for text in (digest.body, html_of(digest)):
        assert "Mehmet Şahin, Januar 2026" in text  # the claim waiting 8 days
        assert "Februar 2026" not in text  # the one of 6 days
        assert "Ayşe Güllüoğlu: 29.03.2026" in text  # the contract ending in 20 days
        assert "Fernweh" not in text
        assert "Olga Langsam" in text
        assert "Fritz Frisch" not in text
    assert "1 Abrechnung, vor mehr als 7 Tagen eingereicht, wartet auf eine Entscheidung" in digest.body
    assert "/claims/?status=submitted" in digest.body
    # the Siegen coordinator has nothing to report: no e-mail
    assert sent_to(world.other_coordinator.email) == []


def test_digest_once_per_iso_week(clock, world, waiting):
    tasks.coordinator_digest.apply().get()
    tasks.coordinator_digest.apply().get()
    clock.advance(days=2)  # the schedule runs again on Wednesday (a restarted beat): same week
    tasks.coordinator_digest.apply().get()
    assert len(sent_to(world.coordinator.email)) == 1
    clock.advance(days=5)  # next Monday: a new week, still waiting
    assert tasks.coordinator_digest.apply().get() == 1
    assert len(sent_to(world.coordinator.email)) == 2


def test_digest_in_english_and_not_for_whoever_switched_it_off(clock, world, waiting):
    ReminderSettings.objects.create(user=world.coordinator, language="en")
    tasks.coordinator_digest.apply().get()
    (digest,) = sent_to(world.coordinator.email)
    assert digest.subject == "Your weekly overview"
    assert "1 claim submitted more than 7 days ago is waiting for a decision" in digest.body

    mail.outbox.clear()
    ReminderSettings.objects.filter(user=world.coordinator).update(digest=False)
    clock.advance(days=7)
    assert tasks.coordinator_digest.apply().get() == 0
    assert mail.outbox == []


def test_nothing_to_report_means_no_email(clock, world):
    world.claim.delete()
    AllowanceClaim.objects.all().delete()
    assert tasks.coordinator_digest.apply().get() == 0
    assert mail.outbox == []
