"""Passwords: at least 12 characters, not common, not like the person's name or address; reset links live one
hour, invitations their own week."""

import datetime

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.urls import reverse

from accounts.tokens import invitation_token_generator
from tests import factories as f
from tests.accounts.test_invitations import invite, link_path

GOOD_PASSWORD = "Fluss-Brot-77"  # 13 characters


@pytest.fixture
def person(client):
    user = f.UserFactory(email="zeynep.arslan@example.org", name="Zeynep Arslan")
    client.force_login(user)
    return user


def change_password(client, new_password):
    return client.post(
        reverse("account_change_password"),
        {"oldpassword": f.TEST_PASSWORD, "password1": new_password, "password2": new_password},
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kurz-pw-123", "mindestens 12 Zeichen"),  # 11 characters
        ("password1234", "zu üblich"),
        ("zeyneparslan", "zu ähnlich"),  # the person's name
        ("zeynep.arslan@ex", "zu ähnlich"),  # the login address
    ],
)
def test_a_weak_new_password_is_refused_with_a_reason_and_nothing_changes(client, person, password, message):
    response = change_password(client, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(f.TEST_PASSWORD)


def test_a_good_password_of_twelve_characters_or_more_is_accepted(client, person):
    response = change_password(client, GOOD_PASSWORD)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(GOOD_PASSWORD)


def test_the_demo_and_test_passwords_pass_the_validators():
    from django.contrib.auth.password_validation import validate_password

    from home.demo import DEMO_PASSWORD

    for password in (DEMO_PASSWORD, f.TEST_PASSWORD):
        validate_password(password, f.UserFactory.build(email="staff@example.org", name="Petra Programm"))


def _reset_link(client, email) -> str:
    client.post(reverse("account_reset_password"), {"email": email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/password/reset/key/" in line)
    return "/" + link.strip().split("://", 1)[-1].split("/", 1)[1]


def _later(monkeypatch, generator, **delta):
    moment = datetime.datetime.now() + datetime.timedelta(**delta)  # noqa: DTZ005 (as Django's tokens)
    monkeypatch.setattr(generator, "_now", lambda self=None: moment)


def test_a_password_reset_link_works_within_the_hour(client, monkeypatch):
    f.UserFactory(email="known@example.org")
    path = _reset_link(client, "known@example.org")
    _later(monkeypatch, PasswordResetTokenGenerator, minutes=50)
    assert client.get(path).status_code == 302


def test_a_password_reset_link_expires_after_an_hour(client, monkeypatch):
    user = f.UserFactory(email="known@example.org")
    path = _reset_link(client, "known@example.org")
    _later(monkeypatch, PasswordResetTokenGenerator, minutes=61)
    response = client.get(path)
    assert response.status_code == 200
    assert response.context["token_fail"]
    assert reverse("account_reset_password") in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(f.TEST_PASSWORD)


@pytest.fixture
def invitee(world):
    user = f.UserFactory(email="neu.lotsin@example.org", name="Zeynep Arslan", password=None)
    user.set_unusable_password()
    user.save()
    f.LotseFactory(region=world.owl, user=user)
    return user


def test_an_invitation_keeps_its_week_although_reset_links_last_an_hour(
    client, world, invitee, django_capture_on_commit_callbacks, monkeypatch
):
    path = link_path(invite(invitee, world.coordinator, django_capture_on_commit_callbacks))
    _later(monkeypatch, invitation_token_generator, days=6, hours=23)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "accounts/accept_invitation.html" in [t.name for t in response.templates]


def test_an_invitation_expires_after_its_own_timeout(
    client, world, invitee, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.INVITATION_TIMEOUT = 2 * 24 * 3600
    path = link_path(invite(invitee, world.coordinator, django_capture_on_commit_callbacks))
    _later(monkeypatch, invitation_token_generator, days=2, hours=1)
    assert client.get(path, follow=True).status_code == 400


def test_the_invitation_form_also_refuses_a_short_password(
    client, world, invitee, django_capture_on_commit_callbacks
):
    path = link_path(invite(invitee, world.coordinator, django_capture_on_commit_callbacks))
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_url, {"new_password1": "kurz-pw-123", "new_password2": "kurz-pw-123"})
    assert response.status_code == 200
    assert "mindestens 12 Zeichen" in response.content.decode()
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()
