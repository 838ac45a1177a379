"""Contracts: create, overlap refused, renew, end, signed PDF upload by content and its download."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from allowances.models import Contract
from allowances.services import contracts as services
from tests import factories as f

TODAY = timezone.localdate


def terms(starts_on, **extra) -> dict:
    data = {
        "starts_on": starts_on.isoformat(),
        "allowance_type": "monthly",
        "rate": "60.00",
        "tax_allowance": "ehrenamt",
    }
    data.update(extra)
    return data


def contracts_of(lotse) -> list[tuple]:
    return list(
        Contract.objects.filter(lotse=lotse)
        .order_by("starts_on")
        .values_list("status", "starts_on", "ends_on")
    )


def test_create_contract(coordinator_client, world):
    start = TODAY()
    response = coordinator_client.post(
        reverse("lotsen:contract_create", args=[world.lotse_b.pk]),
        terms(
            start,
            ends_on=(start + datetime.timedelta(days=364)).isoformat(),
            organisation=world.organisation.pk,
        ),
        follow=True,
    )
    contract = Contract.objects.get(lotse=world.lotse_b)
    assert (contract.status, contract.rate, contract.organisation, contract.created_by) == (
        "active",
        Decimal("60.00"),
        world.organisation,
        world.coordinator,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_a_candidates_first_contract_makes_them_active(coordinator_client, world):
    from lotsen.models import Lotse

    candidate = f.LotseFactory(region=world.owl, status=Lotse.Status.CANDIDATE, joined_on=None)
    start = TODAY()
    coordinator_client.post(reverse("lotsen:contract_create", args=[candidate.pk]), terms(start))
    candidate.refresh_from_db()
    assert (candidate.status, candidate.joined_on) == (Lotse.Status.ACTIVE, start)
    assert candidate.status_changes.get().changed_by == world.coordinator


def test_overlapping_active_contract_is_refused(coordinator_client, world):
    before = contracts_of(world.lotse_a)
    response = coordinator_client.post(
        reverse("lotsen:contract_create", args=[world.lotse_a.pk]), terms(TODAY())
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("starts_on", "overlap")
    assert contracts_of(world.lotse_a) == before


def test_service_refuses_a_second_active_contract_even_without_overlap(world):
    world.contract.ends_on = TODAY()
    world.contract.save()
    with pytest.raises(ValidationError) as refused:
        services.create_contract(
            lotse=world.lotse_a,
            acting_user=world.coordinator,
            starts_on=TODAY() + datetime.timedelta(days=10),
            rate=Decimal(50),
        )
    assert refused.value.code == "active_exists"
    assert Contract.objects.filter(lotse=world.lotse_a).count() == 1


def test_database_constraint_is_turned_into_a_message(world, monkeypatch):
    """If the check is passed by a race, the unique constraint refuses; the user gets a message, not a 500."""
    monkeypatch.setattr(services, "_check_no_overlap", lambda *args, **kwargs: None)
    with pytest.raises(ValidationError) as refused:
        services.create_contract(
            lotse=world.lotse_a, acting_user=world.coordinator, starts_on=TODAY(), rate=Decimal(50)
        )
    assert refused.value.code == "active_exists"
    assert Contract.objects.filter(lotse=world.lotse_a).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {
            "starts_on": "2026-05-10",
            "ends_on": "2026-05-01",
            "rate": "60",
            "allowance_type": "monthly",
            "tax_allowance": "ehrenamt",
        },
        {"starts_on": "2026-05-10", "rate": "-1", "allowance_type": "monthly", "tax_allowance": "ehrenamt"},
        {"starts_on": "kein Datum", "rate": "60", "allowance_type": "monthly", "tax_allowance": "ehrenamt"},
        {"starts_on": "2026-05-10", "rate": "60", "allowance_type": "weekly", "tax_allowance": "ehrenamt"},
    ],
)
def test_bad_contract_input_changes_nothing(coordinator_client, world, data):
    response = coordinator_client.post(reverse("lotsen:contract_create", args=[world.lotse_b.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Contract.objects.filter(lotse=world.lotse_b).exists()


def test_foreign_organisation_is_refused(coordinator_client, world):
    response = coordinator_client.post(
        reverse("lotsen:contract_create", args=[world.lotse_b.pk]),
        terms(TODAY(), organisation=world.organisation_siegen.pk),
    )
    assert "organisation" in response.context["form"].errors
    assert not Contract.objects.filter(lotse=world.lotse_b).exists()


def test_renew_ends_the_current_contract_the_day_before(coordinator_client, world):
    old_start = world.contract.starts_on
    new_start = old_start + datetime.timedelta(days=365)
    response = coordinator_client.post(
        reverse("lotsen:contract_renew", args=[world.contract.pk]), terms(new_start, rate="75.00")
    )
    assert response.status_code == 302
    assert contracts_of(world.lotse_a) == [
        ("ended", old_start, new_start - datetime.timedelta(days=1)),
        ("active", new_start, None),
    ]
    assert Contract.objects.get(status="active", lotse=world.lotse_a).rate == Decimal("75.00")


def test_renew_that_fails_changes_nothing(coordinator_client, world):
    before = contracts_of(world.lotse_a)
    response = coordinator_client.post(
        reverse("lotsen:contract_renew", args=[world.contract.pk]),
        terms(world.contract.starts_on - datetime.timedelta(days=1)),
    )
    assert "starts_on" in response.context["form"].errors
    assert contracts_of(world.lotse_a) == before


def test_end_contract(coordinator_client, world):
    url = reverse("lotsen:contract_end", args=[world.contract.pk])
    too_early = coordinator_client.post(
        url, {"ended_on": (world.contract.starts_on - datetime.timedelta(days=1)).isoformat()}
    )
    assert "ended_on" in too_early.context["form"].errors
    assert Contract.objects.get(pk=world.contract.pk).status == "active"
    assert coordinator_client.post(url, {"ended_on": TODAY().isoformat()}).status_code == 302
    world.contract.refresh_from_db()
    assert (world.contract.status, world.contract.ended_on, world.contract.ends_on) == (
        "ended",
        TODAY(),
        TODAY(),
    )
    # Ending twice is refused with a message.
    again = coordinator_client.post(url, {"ended_on": TODAY().isoformat()})
    assert again.context["form"].non_field_errors()


# -- the signed PDF ------------------------------------------------------------------------------------
def test_upload_stores_under_a_generated_name_and_lotse_can_download(coordinator_client, world):
    url = reverse("lotsen:contract_upload", args=[world.contract.pk])
    response = coordinator_client.post(url, {"document": f.pdf_upload("Vertrag Ayşe Güllüoğlu.pdf")})
    assert response.status_code == 302
    world.contract.refresh_from_db()
    name = world.contract.signed_document.name
    assert name.startswith("contracts/") and "Ay" not in name and name.endswith(".pdf")

    client = coordinator_client
    client.force_login(world.lotse_a.user)
    download = client.get(reverse("lotsen:contract_document", args=[world.contract.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="contract-{world.contract.pk}.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_replacing_the_pdf_deletes_the_old_file(
    coordinator_client, world, django_capture_on_commit_callbacks
):
    f.contract_with_document(world.contract)
    old = world.contract.signed_document
    storage, old_name = old.storage, old.name
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            reverse("lotsen:contract_upload", args=[world.contract.pk]), {"document": f.pdf_upload()}
        )
    world.contract.refresh_from_db()
    assert world.contract.signed_document.name != old_name
    assert not storage.exists(old_name)


@pytest.mark.parametrize(
    "content",
    [
        b"GIF89a fake image",
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.7 but nothing readable follows",
        b"",
    ],
)
def test_upload_checks_the_content_not_the_name(coordinator_client, world, content):
    response = coordinator_client.post(
        reverse("lotsen:contract_upload", args=[world.contract.pk]),
        {"document": f.pdf_upload("scan.pdf", content)},
    )
    assert response.status_code == 200
    assert "document" in response.context["form"].errors
    world.contract.refresh_from_db()
    assert not world.contract.signed_document


def test_upload_size_limit(coordinator_client, world, settings):
    settings.MAX_CONTRACT_UPLOAD_BYTES = 100
    response = coordinator_client.post(
        reverse("lotsen:contract_upload", args=[world.contract.pk]), {"document": f.pdf_upload()}
    )
    assert "document" in response.context["form"].errors
    world.contract.refresh_from_db()
    assert not world.contract.signed_document


def test_download_without_file_or_of_other_region_is_404(client, world):
    url = reverse("lotsen:contract_document", args=[world.contract.pk])
    client.force_login(world.coordinator)
    assert client.get(url).status_code == 404
    f.contract_with_document(world.contract)
    assert client.get(url).status_code == 200
    client.force_login(world.other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(world.lotse_b.user)
    assert client.get(url).status_code == 404
