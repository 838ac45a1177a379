"""Invitations: staff or a coordinator creates the account; the person sets a password by a one-use link."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.tokens import invitation_token_generator
from tests import factories as f

NEW_PASSWORD = "ein-sicheres-Passwort-2014"


@pytest.fixture
def invitee(world):
    """A new Lotse in OWL whose account has no password yet."""
    user = f.UserFactory(email="neu.lotsin@example.org", name="Zeynep Arslan", password=None)
    user.set_unusable_password()
    user.save()
    f.LotseFactory(region=world.owl, first_name="Zeynep", last_name="Arslan", user=user)
    return user


def invite(user, acting_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_user(user=user, acting_user=acting_user)
    return mail.outbox[-1]


def link_path(message) -> str:
    url = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def open_link(client, path) -> str:
    """Follow the link from the mail like a browser: it answers with a redirect to the form's own URL."""
    response = client.get(path)
    assert response.status_code == 302
    return response["Location"]


def test_the_invitation_link_sets_the_password_once(
    client, world, invitee, django_capture_on_commit_callbacks
):
    path = link_path(invite(invitee, world.coordinator, django_capture_on_commit_callbacks))
    form_url = open_link(client, path)
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    invitee.refresh_from_db()
    assert invitee.check_password(NEW_PASSWORD)
    assert invitee.invitation_accepted_at is not None

    # The same link a second time: refused, the password stays.
    client.logout()
    assert client.get(path).status_code == 400
    response = client.post(
        form_url, {"new_password1": "noch-ein-Passwort-99", "new_password2": "noch-ein-Passwort-99"}
    )
    assert response.status_code == 400
    invitee.refresh_from_db()
    assert invitee.check_password(NEW_PASSWORD)


def test_the_new_person_can_then_log_in_by_email(client, world, invitee, django_capture_on_commit_callbacks):
    path = link_path(invite(invitee, world.staff, django_capture_on_commit_callbacks))
    client.post(open_link(client, path), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    response = client.post(reverse("account_login"), {"login": invitee.email, "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_an_expired_link_is_refused(
    client, world, invitee, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.INVITATION_TIMEOUT = 7 * 24 * 3600
    path = link_path(invite(invitee, world.coordinator, django_capture_on_commit_callbacks))
    eight_days_later = datetime.datetime.now() + datetime.timedelta(days=8)  # noqa: DTZ005 (as Django's tokens)
    monkeypatch.setattr(invitation_token_generator, "_now", lambda: eight_days_later)
    assert client.get(path).status_code == 400
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 400
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()


def test_resending_makes_the_old_link_invalid(client, world, invitee, django_capture_on_commit_callbacks):
    first = link_path(invite(invitee, world.coordinator, django_capture_on_commit_callbacks))
    second = link_path(invite(invitee, world.coordinator, django_capture_on_commit_callbacks))
    assert first != second
    assert client.get(first).status_code == 400
    assert client.get(second, follow=True).status_code == 200


def test_the_invitation_mail_has_the_link_and_no_other_persons_data(
    world, invitee, django_capture_on_commit_callbacks
):
    message = invite(invitee, world.coordinator, django_capture_on_commit_callbacks)
    assert message.to == ["neu.lotsin@example.org"]
    assert link_path(message).startswith("/accounts/invitation/")
    text = message.subject + message.body
    others = [world.lotse_a, world.lotse_b, world.lotse_siegen]
    for lotse in others:
        assert lotse.last_name not in text
        assert lotse.user.email not in text
    assert world.other_coordinator.email not in text
    assert world.coordinator.email not in text


def test_only_own_regions_lotsen_can_be_invited_by_a_coordinator(world, invitee):
    with pytest.raises(PermissionDenied):
        services.invite_user(user=invitee, acting_user=world.other_coordinator)
    with pytest.raises(PermissionDenied):
        services.invite_user(user=invitee, acting_user=world.lotse_a.user)
    assert len(mail.outbox) == 0


def test_the_token_leaves_the_url_before_the_form_is_shown(
    client, world, invitee, django_capture_on_commit_callbacks
):
    path = link_path(invite(invitee, world.coordinator, django_capture_on_commit_callbacks))
    token = path.rstrip("/").rsplit("/", 1)[1]
    form_url = open_link(client, path)
    assert token not in form_url
    page = client.get(form_url)
    assert page.status_code == 200
    assert token not in page.content.decode()
    # A POST to the link itself sets nothing: it only leads to the form.
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()


def test_the_form_url_without_the_link_opened_in_this_browser_is_refused(
    client, world, invitee, django_capture_on_commit_callbacks
):
    path = link_path(invite(invitee, world.coordinator, django_capture_on_commit_callbacks))
    form_url = open_link(Client(), path)
    assert client.get(form_url).status_code == 400
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 400
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()
