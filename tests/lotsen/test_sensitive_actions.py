"""Sensitive actions need a fresh re-authentication: a stolen or forgotten-open session alone shows no full
IBAN, pays nothing, exports no bank details, changes no bank data and grants no rights."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from allowances.models import AllowanceClaim, PayoutBatch, SelfDeclaration
from regions.models import Coordination
from tests import factories as f
from tests.allowances.payout_helpers import execution_day, paying_account
from tests.auth import reauthenticate

User = get_user_model()
FULL, MASKED = "DE89 3704 0044 0532 0130 00", "DE89 **** **** **** **30 00"


def _sent_to_reauthenticate(response, next_url):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate")), response["Location"]
    assert (
        "next=" in response["Location"] and next_url.split("?")[0].replace("/", "%2F") in response["Location"]
    )


# -- showing a full IBAN -------------------------------------------------------------------------------
@pytest.mark.parametrize("page", ["lotse", "claim"])
def test_full_iban_only_after_a_fresh_re_authentication(client, world, page):
    url = (
        reverse("lotsen:detail", args=[world.lotse_a.pk])
        if page == "lotse"
        else reverse("claims:detail", args=[world.claim.pk])
    )
    client.force_login(world.coordinator)
    response = client.get(url)
    assert response.context["iban"] == MASKED
    assert "0532" not in response.content.decode()
    link = response.context["show_iban_url"]
    assert link.startswith(reverse("account_reauthenticate"))
    # Confirming the password on that page comes back to the page with the IBAN in full.
    response = client.post(link, {"password": f.TEST_PASSWORD})
    assert response["Location"] == url
    response = client.get(url)
    assert response.context["iban"] == FULL
    assert response.context["show_iban_url"] == ""


def test_the_fresh_login_expires(client, world, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    client.force_login(world.coordinator)
    reauthenticate(client)
    assert client.get(reverse("lotsen:detail", args=[world.lotse_a.pk])).context["iban"] == MASKED


def test_those_who_do_not_pay_get_no_link_to_the_full_iban(client, world):
    client.force_login(world.staff)
    reauthenticate(client)
    response = client.get(reverse("lotsen:detail", args=[world.lotse_a.pk]))
    assert response.context["iban"] == MASKED and response.context["show_iban_url"] == ""


# -- paying a batch --------------------------------------------------------------------------------------
@pytest.fixture
def payable(world):
    claim = world.claim
    AllowanceClaim.objects.filter(pk=claim.pk).update(status=AllowanceClaim.Status.APPROVED)
    SelfDeclaration.objects.create(
        lotse=world.lotse_a, year=claim.month.year, received_on=datetime.date(claim.month.year, 1, 2)
    )
    return claim


def _status(claim):
    claim.refresh_from_db()
    return claim.status


def test_paying_a_batch_with_a_stale_login_asks_first_and_then_pays(client, world, payable):
    paying_account(world.owl)
    client.force_login(world.coordinator)
    data = {"claims": [payable.pk], "confirm": "1", "execution_date": execution_day().isoformat()}
    response = client.post(reverse("claims:pay"), data)
    _sent_to_reauthenticate(response, reverse("claims:pay"))
    assert not PayoutBatch.objects.exists()
    # After the password the kept request is carried out (allauth replays the POST): the batch is made.
    response = client.post(response["Location"], {"password": f.TEST_PASSWORD})
    assert response.status_code == 302
    batch = PayoutBatch.objects.get()
    assert list(batch.claims.all()) == [payable]
    # confirming it as sent asks again once the login is stale, and then pays
    client.logout()
    client.force_login(world.coordinator)
    response = client.post(reverse("claims:batch_confirm_sent", args=[batch.pk]))
    _sent_to_reauthenticate(response, reverse("claims:batch_confirm_sent", args=[batch.pk]))
    assert _status(payable) == AllowanceClaim.Status.APPROVED
    response = client.post(response["Location"], {"password": f.TEST_PASSWORD})
    assert _status(payable) == AllowanceClaim.Status.PAID


def test_a_wrong_password_pays_nothing(client, world, payable):
    paying_account(world.owl)
    client.force_login(world.coordinator)
    data = {"claims": [payable.pk], "confirm": "1", "execution_date": execution_day().isoformat()}
    response = client.post(reverse("claims:pay"), data)
    response = client.post(response["Location"], {"password": "wrong-password"})
    assert response.status_code == 200
    assert _status(payable) == AllowanceClaim.Status.APPROVED
    assert not PayoutBatch.objects.exists()


# -- an export with IBANs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("url_name", ["claims:export_csv", "claims:export_xlsx"])
def test_an_export_with_bank_details_needs_a_fresh_login(client, world, payable, url_name):
    client.force_login(world.coordinator)
    _sent_to_reauthenticate(client.get(reverse(url_name)), reverse(url_name))
    reauthenticate(client)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_an_export_without_bank_details_needs_none(client, world, payable):
    client.force_login(world.staff)  # sees every region, pays none: IBANs masked
    response = client.get(reverse("claims:export_csv"))
    assert response.status_code == 200
    assert MASKED in response.content.decode("utf-8-sig")


# -- changing bank data -------------------------------------------------------------------------------------
def _edit_data(world, **changes):
    lotse = world.lotse_a
    return {
        "first_name": lotse.first_name,
        "last_name": lotse.last_name,
        "email": lotse.email,
        "phone": "0521 123456",
        # a stale login sees the bank fields empty and sends them back so; empty keeps what is stored
        "account_holder": "",
        "district": lotse.district_id or "",
        "organisations": [world.organisation.pk],
        "iban": "",
        **changes,
    }


def test_changing_bank_data_needs_a_fresh_login(client, world):
    url = reverse("lotsen:edit", args=[world.lotse_a.pk])
    client.force_login(world.coordinator)
    # The edit form of a stale login shows no IBAN either.
    assert "0532" not in client.get(url).content.decode()
    response = client.post(url, _edit_data(world, iban="DE02120300000000202051"))
    _sent_to_reauthenticate(response, url)
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.iban == "DE89370400440532013000"
    # After the password, the kept change is saved.
    client.post(response["Location"], {"password": f.TEST_PASSWORD})
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.iban == "DE02120300000000202051"


def test_other_changes_need_no_fresh_login(client, world):
    client.force_login(world.coordinator)
    response = client.post(reverse("lotsen:edit", args=[world.lotse_a.pk]), _edit_data(world))
    assert response["Location"] == reverse("lotsen:detail", args=[world.lotse_a.pk])
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.phone == "0521 123456"
    assert world.lotse_a.iban == "DE89370400440532013000"


# -- granting rights ---------------------------------------------------------------------------------------
def test_granting_a_coordination_needs_a_fresh_login(client, world):
    newcomer = f.UserFactory(email="neu@example.org")
    url = reverse("admin:regions_coordination_add")
    data = {"user": newcomer.pk, "region": world.owl.pk, "handles_payments": "on", "since": ""}
    # Only a superuser grants coordinations (staff get 403: tests/accounts/test_admin_escalation.py).
    client.force_login(User.objects.create_superuser("root@example.org", "a-long-password-2014"))
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    _sent_to_reauthenticate(response, url)
    assert not Coordination.objects.filter(user=newcomer).exists()
    reauthenticate(client, password="a-long-password-2014")
    assert client.post(url, data).status_code == 302
    assert Coordination.objects.filter(user=newcomer, region=world.owl, handles_payments=True).exists()


def test_making_someone_programme_staff_needs_a_fresh_login(client, world):
    superuser = User.objects.create_superuser("root@example.org", "a-long-password-2014")
    target = world.lotse_b.user
    url = reverse("admin:accounts_user_change", args=[target.pk])
    client.force_login(superuser)
    form = client.get(url).context["adminform"].form
    data = {
        "email": target.email,
        "name": "Mehmet Şahin",
        "is_active": "on",
        "is_programme_staff": "on",
        "coordinations-TOTAL_FORMS": "0",
        "coordinations-INITIAL_FORMS": "0",
        "coordinations-MIN_NUM_FORMS": "0",
        "coordinations-MAX_NUM_FORMS": "1000",
    }
    assert "is_programme_staff" in form.fields
    _sent_to_reauthenticate(client.post(url, data), url)
    target.refresh_from_db()
    assert not target.is_programme_staff
    reauthenticate(client, password="a-long-password-2014")
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.is_programme_staff
