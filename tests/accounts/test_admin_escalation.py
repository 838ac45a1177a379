"""Security issue #10: programme staff maintain accounts in the admin but never take over a superuser or
another member of staff, never hand out rights, and never read bank details through the admin."""

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from accounts.models import User
from regions.models import Coordination
from tests.auth import reauthenticate

NEW_PASSWORD = "a-brand-new-password-2014"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("admin@example.org", "the-operators-password-2014")


def _change_form_data(response) -> dict:
    """The admin change form as the browser would send it back unchanged (main form and inlines)."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name)
    return data


def test_staff_cannot_set_the_superusers_password(client, world, superuser):
    client.force_login(world.staff)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 403
    assert authenticate(email="admin@example.org", password=NEW_PASSWORD) is None
    assert authenticate(email="admin@example.org", password="the-operators-password-2014") is not None


def test_staff_cannot_change_or_deactivate_the_superuser(client, world, superuser):
    client.force_login(world.staff)
    url = reverse("admin:accounts_user_change", args=[superuser.pk])
    page = client.get(url)
    assert page.status_code == 200  # staff may still look
    assert b'name="_save"' not in page.content
    response = client.post(url, {"email": "staff-owns-this@example.org", "name": "Root", "is_active": ""})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.email == "admin@example.org" and superuser.is_active
    assert (
        client.post(reverse("admin:accounts_user_delete", args=[superuser.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert User.objects.filter(pk=superuser.pk).exists()


def test_staff_cannot_change_other_staff_or_paying_coordinators(client, world):
    colleague = User.objects.create_user(
        "colleague@example.org", "a-long-password-2014", is_programme_staff=True
    )
    Coordination.objects.filter(user=world.coordinator).update(handles_payments=True)
    client.force_login(world.staff)
    for target in (colleague, world.staff, world.coordinator):
        response = client.post(
            reverse("admin:auth_user_password_change", args=[target.pk]),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
        assert response.status_code == 403, target
        assert not User.objects.get(pk=target.pk).check_password(NEW_PASSWORD)


def test_staff_still_maintain_a_lotse_login(client, world):
    client.force_login(world.staff)
    reauthenticate(client)  # changing an account in the admin asks for a fresh login
    user = world.lotse_b.user
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = _change_form_data(client.get(url))
    data["name"] = "Mehmet Şahin-Yılmaz"
    response = client.post(url, data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name == "Mehmet Şahin-Yılmaz"


def test_staff_cannot_grant_staff_superuser_or_a_coordination(client, world):
    client.force_login(world.staff)
    user = world.lotse_b.user
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = client.get(url)
    for field in ("is_programme_staff", "is_superuser", "user_permissions", "groups"):
        assert f'name="{field}"' not in page.content.decode()
    data = _change_form_data(page)
    data.update(
        {
            "is_programme_staff": "on",
            "is_superuser": "on",
            "coordinations-TOTAL_FORMS": "1",
            "coordinations-0-region": world.owl.pk,
            "coordinations-0-handles_payments": "on",
        }
    )
    client.post(url, data)
    user.refresh_from_db()
    assert not user.is_programme_staff and not user.is_superuser
    assert not Coordination.objects.filter(user=user).exists()


def test_staff_cannot_give_themselves_payment_rights(client, world):
    client.force_login(world.staff)
    response = client.post(
        reverse("admin:regions_coordination_add"),
        {"user": world.staff.pk, "region": world.owl.pk, "handles_payments": "on"},
    )
    assert response.status_code == 403
    coordination = Coordination.objects.get(user=world.coordinator)
    response = client.post(
        reverse("admin:regions_coordination_change", args=[coordination.pk]),
        {"user": world.staff.pk, "region": world.owl.pk, "handles_payments": "on"},
    )
    assert response.status_code == 403
    assert not Coordination.objects.filter(user=world.staff).exists()
    page = client.get(reverse("admin:regions_region_change", args=[world.owl.pk]))
    (coordinations,) = [i for i in page.context["inline_admin_formsets"] if i.opts.model is Coordination]
    assert not coordinations.has_add_permission and not coordinations.has_change_permission
    assert world.staff.paying_region_ids() == frozenset()


def test_the_superuser_still_grants_rights(client, world, superuser):
    client.force_login(superuser)
    reauthenticate(client, password="the-operators-password-2014")  # granting rights: a fresh login
    response = client.post(
        reverse("admin:regions_coordination_add"),
        {"user": world.staff.pk, "region": world.owl.pk, "handles_payments": "on"},
    )
    assert response.status_code == 302
    assert Coordination.objects.get(user=world.staff).handles_payments
    response = client.post(
        reverse("admin:auth_user_password_change", args=[world.staff.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert authenticate(email="staff@example.org", password=NEW_PASSWORD) is not None


def test_user_admin_refuses_lookups_on_the_password_hash(client, world, superuser, caplog):
    client.force_login(superuser)
    response = client.get(reverse("admin:accounts_user_changelist"), {"password__startswith": "pbkdf2"})
    assert response.status_code == 400
    assert any(r.name == "django.security.DisallowedModelAdminLookup" for r in caplog.records)
    caplog.clear()  # the refusal is logged as a security error on purpose
