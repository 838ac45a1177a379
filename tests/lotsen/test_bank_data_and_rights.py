"""Findings of the review of the security work (issue #10), each as an attacker or a user would notice it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from allowances.models import Contract
from lotsen.models import Lotse
from lotsen.services import lotsen as lotsen_services
from regions.models import Coordination
from tests import factories as f
from tests.allowances.test_contracts import terms
from tests.allowances.test_separation_of_duties import _edit_data
from tests.auth import reauthenticate

IBAN = "DE89370400440532013000"


def test_a_form_sent_after_the_login_became_fresh_keeps_the_iban_it_never_showed(coordinator_client, world):
    """The payer opens the edit form without a fresh login (the IBAN field is empty), re-authenticates (in
    another tab, or through the replay of this very form) and saves a new account holder: the IBAN stays."""
    lotse = world.lotse_b
    page = coordinator_client.get(reverse("lotsen:edit", args=[lotse.pk])).content.decode()
    assert IBAN not in page and "DE89 3704" not in page
    reauthenticate(coordinator_client)
    response = coordinator_client.post(
        reverse("lotsen:edit", args=[lotse.pk]), _edit_data(lotse, iban="", account_holder="Neue Inhaberin")
    )
    assert response.status_code == 302
    lotse.refresh_from_db()
    assert (lotse.iban, lotse.account_holder) == (IBAN, "Neue Inhaberin")


def test_the_account_holder_is_bank_data_and_not_shown_to_those_who_do_not_pay(client, world):
    holder = "Kontoinhaberin Musterfrau"  # not the Lotse's name, which the page shows anyway
    Lotse.objects.filter(pk=world.lotse_a.pk).update(account_holder=holder)
    for user in (world.staff, world.coordinator):  # staff never; the payer only after a fresh login
        client.force_login(user)
        detail = client.get(reverse("lotsen:detail", args=[world.lotse_a.pk])).content.decode()
        edit = client.get(reverse("lotsen:edit", args=[world.lotse_a.pk])).content.decode()
        assert holder not in detail and holder not in edit, user
    reauthenticate(client)
    assert holder in client.get(reverse("lotsen:detail", args=[world.lotse_a.pk])).content.decode()


@pytest.mark.parametrize("rights", ["coordination", "staff", "superuser"])
def test_leaving_as_a_lotse_does_not_switch_off_an_account_with_other_rights(
    coordinator_client, world, rights
):
    """A non-paying colleague sets the Lotse record of someone who also coordinates (or is staff, or the
    superuser) to "left": that person's account stays on; only a superuser deactivates such accounts."""
    colleague = world.lotse_b.user
    if rights == "coordination":
        f.CoordinationFactory(user=colleague, region=world.siegen)
    else:
        User.objects.filter(pk=colleague.pk).update(
            is_programme_staff=rights == "staff", is_superuser=rights == "superuser"
        )
    response = coordinator_client.post(
        reverse("lotsen:status", args=[world.lotse_b.pk]),
        {"status": "left", "effective_on": timezone.localdate().strftime("%d.%m.%Y")},
    )
    assert response.status_code == 302
    assert Lotse.objects.get(pk=world.lotse_b.pk).status == Lotse.Status.LEFT
    assert User.objects.get(pk=colleague.pk).is_active
    lotsen_services.disable_leaver_logins()  # the nightly task neither
    assert User.objects.get(pk=colleague.pk).is_active


def test_staff_cannot_take_over_a_deactivated_payer_in_the_admin(client, world):
    payer = world.coordinator
    assert Coordination.objects.filter(user=payer, handles_payments=True).exists()
    User.objects.filter(pk=payer.pk).update(is_active=False)
    client.force_login(world.staff)
    reauthenticate(client)
    url = reverse("admin:accounts_user_change", args=[payer.pk])
    response = client.post(url, {"email": "staff-owns-this@example.org", "name": "X", "is_active": "on"})
    assert response.status_code == 403
    payer.refresh_from_db()
    assert not payer.is_active and payer.email != "staff-owns-this@example.org"


def test_staff_cannot_link_another_login_to_a_lotse_record_in_the_admin(client, world):
    client.force_login(world.staff)
    reauthenticate(client)
    page = client.get(reverse("admin:lotsen_lotse_change", args=[world.lotse_b.pk]))
    assert page.status_code == 200
    assert 'name="user"' not in page.content.decode()


def test_a_login_switched_off_by_a_superuser_is_not_restored_through_the_lotse_page(
    coordinator_client, world
):
    user = world.lotse_b.user
    User.objects.filter(pk=user.pk).update(is_active=False)  # deactivated in the admin, not for leaving
    response = coordinator_client.post(reverse("lotsen:restore_login", args=[world.lotse_b.pk]))
    assert response.status_code in (302, 403)
    assert not User.objects.get(pk=user.pk).is_active


def test_nobody_writes_their_own_contract(client, world):
    """The contract's rate caps the person's own claims: a coordinator who is also a Lotse cannot create,
    renew or end their own contract."""
    f.CoordinationFactory(user=world.lotse_a.user, region=world.owl, handles_payments=True)
    client.force_login(world.lotse_a.user)
    before = list(Contract.objects.filter(lotse=world.lotse_a).values_list("pk", "status", "rate", "ends_on"))
    start = timezone.localdate() + datetime.timedelta(days=400)
    client.post(reverse("lotsen:contract_create", args=[world.lotse_a.pk]), terms(start, rate="500.00"))
    client.post(reverse("lotsen:contract_renew", args=[world.contract.pk]), terms(start, rate="500.00"))
    client.post(
        reverse("lotsen:contract_end", args=[world.contract.pk]),
        {"ended_on": timezone.localdate().strftime("%d.%m.%Y")},
    )
    after = list(Contract.objects.filter(lotse=world.lotse_a).values_list("pk", "status", "rate", "ends_on"))
    assert after == before
