"""The admin fixes data; it never moves a claim, payout, contract or certificate through its workflow
(README "Administration"). Search finds what staff type: names, organisations, cities, regions, codes."""

import pytest
from django.urls import reverse

from accounts.models import User
from allowances.models import AllowanceClaim, Contract
from certificates.models import Certificate
from tests import factories as f

PASSWORD = "a-long-password-2014"


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("root@example.org", PASSWORD))
    return client


def _form_data(response) -> dict:
    """What the browser would send back from an admin change form, unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def _post_changed(client, url: str, **changes):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {**_form_data(page), **changes})


def test_a_claim_cannot_be_set_to_paid_in_the_admin(superuser_client, world):
    claim = world.claim
    AllowanceClaim.objects.filter(pk=claim.pk).update(status=AllowanceClaim.Status.APPROVED)
    url = reverse("admin:allowances_allowanceclaim_change", args=[claim.pk])
    page = superuser_client.get(url).content.decode()
    assert 'name="status"' not in page
    response = _post_changed(superuser_client, url, status=AllowanceClaim.Status.PAID, paid_at="2026-01-05")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == AllowanceClaim.Status.APPROVED and claim.paid_at is None


def test_claims_are_neither_added_nor_deleted_in_the_admin(superuser_client, world):
    claim = world.claim
    assert superuser_client.get(reverse("admin:allowances_allowanceclaim_add")).status_code == 403
    delete = reverse("admin:allowances_allowanceclaim_delete", args=[claim.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert AllowanceClaim.objects.filter(pk=claim.pk).exists()


def test_a_contract_is_not_ended_or_repriced_in_the_admin(superuser_client, world):
    contract = world.contract
    rate = contract.rate
    url = reverse("admin:allowances_contract_change", args=[contract.pk])
    response = _post_changed(
        superuser_client, url, status=Contract.Status.ENDED, ends_on="2026-02-28", rate="250.00"
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE and contract.ends_on is None
    assert contract.rate == rate
    assert superuser_client.get(reverse("admin:allowances_contract_add")).status_code == 403


def test_a_certificate_is_not_revoked_in_the_admin(superuser_client, world):
    certificate = world.certificate
    status = certificate.status
    url = reverse("admin:certificates_certificate_change", args=[certificate.pk])
    response = _post_changed(superuser_client, url, status=Certificate.Status.REVOKED)
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == status != Certificate.Status.REVOKED
    assert superuser_client.get(reverse("admin:certificates_certificate_add")).status_code == 403


def test_payout_batches_stay_read_only(superuser_client):
    assert superuser_client.get(reverse("admin:allowances_payoutbatch_add")).status_code == 403


def _found(client, admin_name: str, query: str) -> str:
    response = client.get(reverse(f"admin:{admin_name}_changelist"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_consultations_are_found_by_the_city_of_the_lotses_organisation(client, world):
    organisation = f.OrganisationFactory(region=world.owl, city="Gütersloh", name="Brückenbauer e.V.")
    lotse = f.LotseFactory(region=world.owl, last_name="Yıldırım")
    lotse.organisations.add(organisation)
    f.ConsultationFactory(lotse=lotse)
    client.force_login(world.staff)
    for query in ("Gütersloh", "Brückenbauer", "Yıldırım"):
        page = _found(client, "lotsen_consultation", query)
        assert "Yıldırım" in page, query
    assert "Yıldırım" not in _found(client, "lotsen_consultation", "Paderborn")


def test_claims_and_contracts_are_found_by_organisation_and_region(client, world):
    organisation = f.OrganisationFactory(region=world.owl, city="Herford", name="Nachbarschaftshilfe e.V.")
    lotse = f.LotseFactory(region=world.owl, last_name="Özdemir")
    contract = f.ContractFactory(lotse=lotse, organisation=organisation)
    f.AllowanceClaimFactory(lotse=lotse, contract=contract)
    client.force_login(world.staff)
    for admin_name in ("allowances_allowanceclaim", "allowances_contract"):
        for query in ("Herford", "Nachbarschaftshilfe", world.owl.name):
            assert "Özdemir" in _found(client, admin_name, query), (admin_name, query)


def test_certificates_are_found_by_code_and_lotsen_by_city(client, world):
    certificate = world.certificate
    organisation = f.OrganisationFactory(region=world.owl, city="Minden")
    world.lotse_b.organisations.add(organisation)
    client.force_login(world.staff)
    page = _found(client, "certificates_certificate", certificate.verification_code)
    assert world.lotse_a.last_name in page
    assert world.lotse_b.last_name in _found(client, "lotsen_lotse", "Minden")


def test_the_admin_index_has_one_section_per_name(client, world):
    client.force_login(world.staff)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Benutzer und Zugänge" in page
    assert page.count(">Konten<") <= 1
