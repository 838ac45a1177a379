"""Multi-factor authentication: who must enrol (MFA_REQUIRED), enrolling an authenticator app, logging in with
a code or a recovery code, the admin login, re-authentication by the second factor, and the lost-device
reset."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import MFAReset
from regions.models import Coordination
from tests import factories as f
from tests.auth import enrol_totp, has_authenticators, reauthenticate, totp_code

User = get_user_model()
SUPERUSER_PASSWORD = "a-long-password-2014"


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED = True


@pytest.fixture
def superuser():
    return User.objects.create_superuser("root@example.org", SUPERUSER_PASSWORD)


def _login(client, email, password=f.TEST_PASSWORD, next_url=""):
    data = {"login": email, "password": password}
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def _messages(response):
    return [str(m) for m in response.wsgi_request._messages]


# -- who must enrol ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "must_enrol"),
    [
        ("staff", True),
        ("coordinator", True),  # OWL: handles payments (sees full IBANs)
        ("other_coordinator", False),  # Siegen: does not handle payments
        ("lotse_a", False),
        ("lotse_b", False),
    ],
)
def test_with_mfa_required_paying_and_admin_roles_reach_only_the_enrolment(
    client, world, mfa_required, role, must_enrol
):
    client.force_login(world.user_for(role))
    response = client.get(reverse("dashboard"))
    if not must_enrol:
        assert response.status_code == 200
        return
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    # The page says why (German by default): a warning message and the notice that it is required here.
    assert "message--warning" in content and "Zwei-Faktor-Authentifizierung" in content
    assert "Pflicht" in content
    # Nothing else is reachable: lists, exports, the admin.
    for url in (reverse("lotsen:list"), reverse("claims:export_csv"), reverse("admin:index")):
        assert client.get(url)["Location"] == reverse("mfa_index"), url
    # Logout and the language switch still work.
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"})["Location"] == "/"
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_a_coordinator_who_does_not_pay_need_not_enrol(client, world, mfa_required):
    Coordination.objects.filter(user=world.coordinator).update(handles_payments=False)
    client.force_login(world.coordinator)
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_superuser_must_enrol_before_the_admin(client, superuser, mfa_required):
    client.force_login(superuser)
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_index")


def test_enrolled_staff_get_everywhere(client, world, mfa_required):
    enrol_totp(world.staff)
    client.force_login(world.staff)
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_without_mfa_required_nobody_is_held_at_the_enrolment(client, world, settings):
    settings.MFA_REQUIRED = False
    for role in ("staff", "coordinator", "lotse_a"):
        client.force_login(world.user_for(role))
        assert client.get(reverse("dashboard")).status_code == 200


def test_a_lotse_is_offered_mfa_on_the_profile(client, world):
    client.force_login(world.lotse_a.user)
    content = client.get(reverse("me:profile")).content.decode()
    assert reverse("mfa_index") in content


# -- enrolling an authenticator app and logging in with it ---------------------------------------------
def test_enrol_totp_then_log_in_with_password_and_code(client, world, mfa_required):
    staff = world.staff
    assert _login(client, staff.email)["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_index")
    # Setting up asks for the password again, then shows the secret (as QR code and text).
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": f.TEST_PASSWORD}, follow=True)
    assert response.status_code == 200
    secret = response.context["form"].secret
    assert secret in response.content.decode()
    # A wrong code is refused.
    wrong = str((int(totp_code(secret)) + 1) % 1_000_000).zfill(6)
    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})
    assert response.status_code == 200
    assert not has_authenticators(staff)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with it.
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(reverse("dashboard")).status_code == 200

    # Next login: the password alone does not log in; the code does.
    client.post(reverse("account_logout"))
    response = _login(client, staff.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, step=1)})
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_log_in_with_a_recovery_code_once(client, world):
    _secret, codes = enrol_totp(world.coordinator)
    assert _login(client, world.coordinator.email)["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response["Location"] == reverse("dashboard")
    client.post(reverse("account_logout"))
    # The same recovery code does not work twice.
    _login(client, world.coordinator.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": codes[1]})
    assert response["Location"] == reverse("dashboard")


def test_the_admin_login_asks_for_the_second_factor(client, superuser, mfa_required):
    secret, _codes = enrol_totp(superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = _login(client, superuser.email, SUPERUSER_PASSWORD, next_url=reverse("admin:index"))
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("admin:index")).status_code == 302  # not logged in yet
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


# -- re-authentication with MFA enrolled -----------------------------------------------------------------
def test_with_mfa_the_re_authentication_asks_for_the_code_not_the_password(client, world):
    secret, _codes = enrol_totp(world.coordinator)
    client.force_login(world.coordinator)
    detail = reverse("lotsen:detail", args=[world.lotse_a.pk])
    response = client.get(detail)
    assert response.context["iban"] == "DE89 **** **** **** **30 00"
    assert response.context["show_iban_url"].startswith(reverse("mfa_reauthenticate"))
    # The password page sends on to the code page, and a password posted there anyway unlocks nothing.
    assert client.get(reverse("account_reauthenticate"))["Location"].startswith(reverse("mfa_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": f.TEST_PASSWORD})
    assert client.get(detail).context["iban"] == "DE89 **** **** **** **30 00"
    # A stale export goes to the code page as well.
    response = client.get(reverse("claims:export_csv"))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    reauthenticate(client, totp_secret=secret)
    assert client.get(detail).context["iban"] == "DE89 3704 0044 0532 0130 00"


# -- lost device: reset by a superuser, recorded --------------------------------------------------------
def _reset_url(user):
    return reverse("admin:accounts_user_mfa_reset", args=[user.pk])


def test_a_superuser_resets_a_lost_device_and_it_is_recorded(client, world, superuser, mfa_required):
    enrol_totp(world.coordinator)
    client.force_login(superuser)
    enrol_totp(superuser)
    assert client.get(_reset_url(world.coordinator)).status_code == 200
    # A stale login is sent to re-authenticate first; nothing is removed yet.
    response = client.post(_reset_url(world.coordinator), {"reason": "Handy verloren, Rückruf 01.12."})
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert has_authenticators(world.coordinator)
    assert not MFAReset.objects.exists()

    client.force_login(superuser)
    secret = _secret_of(superuser)
    reauthenticate(client, totp_secret=secret)
    response = client.post(_reset_url(world.coordinator), {"reason": "Handy verloren, Rückruf 01.12."})
    assert response["Location"] == reverse("admin:accounts_user_change", args=[world.coordinator.pk])
    assert not has_authenticators(world.coordinator)
    record = MFAReset.objects.get()
    assert (record.user, record.reset_by, record.reason) == (
        world.coordinator,
        superuser,
        "Handy verloren, Rückruf 01.12.",
    )
    assert "totp" in record.removed and "recovery_codes" in record.removed
    # The record is read-only in the admin.
    assert client.get(reverse("admin:accounts_mfareset_change", args=[record.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_mfareset_add")).status_code == 403
    assert client.post(reverse("admin:accounts_mfareset_delete", args=[record.pk])).status_code == 403
    # The coordinator logs in with the password and must enrol again.
    client.force_login(world.coordinator)
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_index")


def test_the_reset_needs_a_reason(client, world, superuser):
    enrol_totp(world.coordinator)
    client.force_login(superuser)
    reauthenticate(client, password=SUPERUSER_PASSWORD)
    response = client.post(_reset_url(world.coordinator), {"reason": "  "})
    assert response.status_code == 200
    assert has_authenticators(world.coordinator) and not MFAReset.objects.exists()


def test_programme_staff_cannot_reset_mfa(client, world):
    enrol_totp(world.coordinator)
    secret, _codes = enrol_totp(world.staff)
    client.force_login(world.staff)
    reauthenticate(client, totp_secret=secret)
    assert client.get(_reset_url(world.coordinator)).status_code == 403
    assert client.post(_reset_url(world.coordinator), {"reason": "x"}).status_code == 403
    assert has_authenticators(world.coordinator) and not MFAReset.objects.exists()
    change_page = client.get(reverse("admin:accounts_user_change", args=[world.coordinator.pk]))
    assert _reset_url(world.coordinator) not in change_page.content.decode()


def test_a_superuser_cannot_reset_their_own_mfa(client, superuser):
    client.force_login(superuser)
    reauthenticate(client, password=SUPERUSER_PASSWORD)
    enrol_totp(superuser)
    reauthenticate(client, totp_secret=_secret_of(superuser))
    client.post(_reset_url(superuser), {"reason": "lost"})
    assert has_authenticators(superuser) and not MFAReset.objects.exists()


def _secret_of(user) -> str:
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])
