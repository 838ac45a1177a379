"""Login by e-mail, closed sign-up, password reset without account enumeration, login rate limits."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests import factories as f
from tests.conftest import requires_redis

User = get_user_model()


def test_the_user_model_has_no_username():
    field_names = {field.name for field in User._meta.get_fields()}
    assert "username" not in field_names
    assert User.USERNAME_FIELD == "email"


def test_login_by_email_reaches_the_dashboard(client):
    f.UserFactory(email="ayse@example.org")
    response = client.post(
        reverse("account_login"), {"login": "Ayse@Example.org", "password": f.TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_wrong_password_does_not_log_in(client):
    f.UserFactory(email="ayse@example.org")
    response = client.post(reverse("account_login"), {"login": "ayse@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-long-password-2014",
            "password2": "a-long-password-2014",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.org").exists()
    assert "account/signup_closed.html" in [t.name for t in response.templates]


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client):
    f.UserFactory(email="known@example.org")
    url = reverse("account_reset_password")
    known = client.post(url, {"email": "known@example.org"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["known@example.org"]
    unknown = client.post(url, {"email": "unknown@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("account_reset_password_done")
    # No mail to the unknown address: the form is no way to send mail to strangers.
    assert len(mail.outbox) == 1


def test_password_reset_link_sets_a_new_password(client):
    user = f.UserFactory(email="known@example.org")
    client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/key/" in line).strip()
    path = link.split("://", 1)[-1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    response = client.post(
        form_url, {"password1": "ein-neues-Passwort-2014", "password2": "ein-neues-Passwort-2014"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("ein-neues-Passwort-2014")


@requires_redis
def test_repeated_wrong_passwords_for_one_address_get_429(client):
    """Runs against the real Redis cache (shared by all web processes), as in production."""
    assert settings.CACHES["default"]["BACKEND"] == "portal.cache.ResilientRedisCache"
    f.UserFactory(email="target@example.org")
    url = reverse("account_login")
    statuses = [
        client.post(url, {"login": "target@example.org", "password": f"wrong-{i}"}).status_code
        for i in range(8)
    ]
    assert statuses[0] == 200
    assert statuses[-1] == 429
    # The limit is per address (at this client): the right password is refused here as well ...
    assert client.post(url, {"login": "target@example.org", "password": f.TEST_PASSWORD}).status_code == 429
    # ... while another person can still log in.
    f.UserFactory(email="other@example.org")
    assert client.post(url, {"login": "other@example.org", "password": f.TEST_PASSWORD}).status_code == 302


@pytest.mark.parametrize("role", ["coordinator", "lotse"])
def test_coordinators_and_lotsen_never_enter_the_admin(client, world, role):
    from django.contrib.auth.models import Permission

    user = world.coordinator if role == "coordinator" else world.lotse_a.user
    # Even if someone hands out every permission, the admin stays closed.
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 403
    assert client.get(reverse("admin:lotsen_lotse_changelist")).status_code == 302


def test_programme_staff_and_superusers_enter_the_admin(client, world):
    client.force_login(world.staff)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:lotsen_lotse_changelist")).status_code == 200
    superuser = User.objects.create_superuser("root@example.org", "a-long-password-2014")
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_hands_over_to_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_admin_login_form_cannot_be_posted_around_allauth(client):
    f.UserFactory(email="staff2@example.org", is_programme_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": "staff2@example.org", "password": f.TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_reauthentication_by_e_mailed_code_is_not_offered(client, world):
    """allauth 65.22 added code re-authentication; sensitive actions here ask for the password, and the code
    pages neither send a code nor accept one."""
    client.force_login(world.coordinator)
    for url in (
        reverse("account_request_reauthentication_code"),
        reverse("account_confirm_reauthentication_code"),
    ):
        for response in (client.get(url), client.post(url, {"code": "123456"})):
            assert response.status_code == 302
            assert response["Location"] in (
                reverse("account_reauthenticate"),
                reverse("account_request_reauthentication_code"),
            )
    assert mail.outbox == []
