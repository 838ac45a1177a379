"""The unsubscribe link of a reminder works without login; GET only asks, the POST unsubscribes; an
unsubscribed person gets no more of that kind. The account page has the same switches."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import tasks, tokens
from notifications.models import GuestOptOut, ReminderSettings
from tests import factories as f
from tests.notifications.conftest import berlin, guest, sent_to, unsubscribe_link

pytestmark = pytest.mark.now(2026, 8, 3, 8, 0)  # first working day of August


def claim_reminder(world):
    tasks.claim_month_reminders.apply().get()
    (message,) = sent_to(world.lotse_a.user.email)
    return message


def test_link_works_without_login_and_get_does_not_unsubscribe(clock, world, client):
    link = unsubscribe_link(claim_reminder(world))

    page = client.get(link)  # a mail scanner or a link preview opens it
    assert page.status_code == 200
    assert (
        "Monthly reminder to claim the allowance" in page.content.decode()
        or "Monatliche" in page.content.decode()
    )
    assert "Möchten Sie diese E-Mails nicht mehr erhalten" in page.content.decode()
    assert world.lotse_a.user.email.encode() not in page.content  # the page shows no address
    assert not ReminderSettings.objects.filter(user=world.lotse_a.user, claim_month=False).exists()

    response = client.post(link)
    assert response.status_code == 302
    assert ReminderSettings.objects.get(user=world.lotse_a.user).claim_month is False
    assert ReminderSettings.objects.get(user=world.lotse_a.user).event is True  # only that kind
    done = client.get(link).content.decode()
    assert "Erledigt: Sie erhalten diese E-Mails nicht mehr" in done
    assert "Möchten Sie" not in done  # no button any more
    assert client.post(link).status_code == 302  # a second click does no harm

    mail.outbox.clear()
    clock.set(berlin(2026, 9, 1, 8, 0))
    tasks.claim_month_reminders.apply().get()
    assert sent_to(world.lotse_a.user.email) == []


def test_forged_or_damaged_links_are_refused(clock, world, client):
    link = unsubscribe_link(claim_reminder(world))
    token = link.rstrip("/").rsplit("/", 1)[-1]
    signature = token.rsplit(":", 1)[1]
    forged = tokens.unsubscribe_url_for_user(world.lotse_b.user.pk, "digest").rstrip("/").rsplit("/", 1)[-1]
    other_signature = f"/reminders/unsubscribe/{forged.rsplit(':', 1)[0]}:{signature}/"
    for bad in [link[:-5] + "x/", "/reminders/unsubscribe/abc/", other_signature]:
        assert client.get(bad).status_code == 400
        assert client.post(bad).status_code == 400
    assert not ReminderSettings.objects.exists()


def test_guest_unsubscribes_from_the_event_reminder(clock, world, client):
    event = f.EventFactory(region=world.owl, starts_at=timezone.now() + datetime.timedelta(hours=47))
    jane = guest(event, language="en", name="Jane Guest")
    other = guest(event, name="Otto Anders")
    url = tokens.unsubscribe_url_for_guest(jane.pk).split("8000", 1)[-1]
    page = client.get(url)
    assert page.status_code == 200
    assert "Erinnerungen an Veranstaltungen (zwei Tage vorher)" in page.content.decode()
    assert not GuestOptOut.objects.exists()
    client.post(url)
    assert GuestOptOut.objects.filter(registration=jane).exists()
    tasks.event_reminders.apply().get()
    assert sent_to(jane.email) == []
    assert len(sent_to(other.email)) == 1
    assert "/reminders/unsubscribe/" in sent_to(other.email)[0].body


def test_account_page_offers_the_reminders_of_ones_roles(world, client):
    url = reverse("notifications:settings")
    client.force_login(world.lotse_a.user)
    page = client.get(url).content.decode()
    assert 'name="claim_month"' in page and 'name="event"' in page
    assert 'name="digest"' not in page  # a Lotse gets no digest
    client.force_login(world.coordinator)
    page = client.get(url).content.decode()
    assert 'name="digest"' in page and 'name="claim_month"' not in page


def test_account_page_switches_reminders_off_and_sets_the_language(clock, world, lotse_client):
    url = reverse("notifications:settings")
    response = lotse_client.post(url, {"language": "en", "event": "on"})
    assert response.status_code == 302
    choice = ReminderSettings.objects.get(user=world.lotse_a.user)
    assert (choice.language, choice.event, choice.claim_month, choice.digest) == ("en", True, False, True)

    tasks.claim_month_reminders.apply().get()
    assert sent_to(world.lotse_a.user.email) == []

    lotse_client.post(url, {"language": "en", "event": "on", "claim_month": "on"})
    tasks.claim_month_reminders.apply().get()
    (message,) = sent_to(world.lotse_a.user.email)
    assert message.subject == "Your allowance for July 2026"


def test_account_page_links_to_the_reminders(lotse_client):
    assert reverse("notifications:settings") in lotse_client.get(reverse("account_email")).content.decode()
