"""Security issue #10: on the day a Lotse leaves, the login is switched off and their sessions end; a
coordinator of the region (or staff) can switch it back on."""

import datetime

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lotsen import tasks
from lotsen.models import Lotse
from tests import factories as f


def _logged_in_elsewhere(user) -> Client:
    """The Lotse's own phone: a real login with the password, a session in the database."""
    phone = Client()
    assert phone.login(email=user.email, password=f.TEST_PASSWORD)
    assert phone.get(reverse("me:consultations")).status_code == 200
    return phone


def _can_log_in(user) -> bool:
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": f.TEST_PASSWORD})
    return SESSION_KEY in client.session


def test_leaving_today_ends_the_login_and_the_sessions(coordinator_client, world):
    lotse, user = world.lotse_a, world.lotse_a.user
    assert _can_log_in(user)
    phone = _logged_in_elsewhere(user)
    response = coordinator_client.post(
        reverse("lotsen:status", args=[lotse.pk]),
        {"status": "left", "effective_on": timezone.localdate().strftime("%d.%m.%Y")},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert not _can_log_in(user)
    # The open session on the phone is gone: the next page asks for the login.
    response = phone.get(reverse("me:consultations"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    # ... and so is registering for an event.
    response = phone.post(reverse("me:event_register", args=[world.event.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    page = coordinator_client.get(reverse("lotsen:detail", args=[lotse.pk])).content.decode()
    assert reverse("lotsen:restore_login", args=[lotse.pk]) in page


def test_leaving_later_keeps_the_login_until_the_day(coordinator_client, world):
    lotse, user = world.lotse_a, world.lotse_a.user
    later = timezone.localdate() + datetime.timedelta(days=10)
    coordinator_client.post(
        reverse("lotsen:status", args=[lotse.pk]),
        {"status": "left", "effective_on": later.strftime("%d.%m.%Y")},
    )
    user.refresh_from_db()
    assert user.is_active and _can_log_in(user)
    assert tasks.disable_leaver_logins() == 0  # not yet
    # The leaving day has come (as if ten days had passed).
    Lotse.objects.filter(pk=lotse.pk).update(left_on=timezone.localdate())
    phone = _logged_in_elsewhere(user)
    assert tasks.disable_leaver_logins.apply().get() == 1
    assert not _can_log_in(user)
    assert phone.get(reverse("me:consultations")).status_code == 302


def test_the_task_is_idempotent_and_keeps_a_restored_login(coordinator_client, world):
    lotse, user = world.lotse_a, world.lotse_a.user
    Lotse.objects.filter(pk=lotse.pk).update(
        status="left", left_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    assert tasks.disable_leaver_logins() == 1
    assert tasks.disable_leaver_logins() == 0
    user.refresh_from_db()
    assert not user.is_active
    response = coordinator_client.post(reverse("lotsen:restore_login", args=[lotse.pk]))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and _can_log_in(user)
    assert tasks.disable_leaver_logins() == 0  # the coordinator's decision stands
    user.refresh_from_db()
    assert user.is_active


def test_only_coordinators_of_the_region_and_staff_restore(client, world):
    lotse, user = world.lotse_b, world.lotse_b.user
    Lotse.objects.filter(pk=lotse.pk).update(status="left", left_on=timezone.localdate())
    tasks.disable_leaver_logins()
    for someone, expected in ((world.other_coordinator, 404), (world.lotse_a.user, 404)):
        client.force_login(someone)
        assert client.post(reverse("lotsen:restore_login", args=[lotse.pk])).status_code == expected
        user.refresh_from_db()
        assert not user.is_active
    client.force_login(world.staff)
    assert client.post(reverse("lotsen:restore_login", args=[lotse.pk])).status_code == 302
    user.refresh_from_db()
    assert user.is_active


def test_restoring_an_active_login_is_refused_with_a_message(coordinator_client, world):
    response = coordinator_client.post(reverse("lotsen:restore_login", args=[world.lotse_b.pk]), follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert world.lotse_b.user.is_active
