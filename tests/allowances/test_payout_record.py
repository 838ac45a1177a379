"""Review findings on the payout path (issue #12): a batch keeps what it pays, its files are refused when
its confirmation would be, a downloaded file is not cancelled silently, and the rules cover 0 € claims and
months of an ended contract."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from allowances import rules
from allowances.models import AllowanceClaim, Contract, PayoutBatch, SelfDeclaration
from audit.models import AuditEntry
from lotsen.models import Lotse
from tests import factories as f
from tests.allowances.payout_helpers import paying_account, prepare
from tests.auth import reauthenticate

Status = AllowanceClaim.Status
MAY = datetime.date(2025, 5, 1)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def payer(client, world):
    paying_account(world.owl)
    client.force_login(world.coordinator)
    reauthenticate(client)
    return client


@pytest.fixture
def claim(world):
    claim = f.AllowanceClaimFactory(
        lotse=world.lotse_a,
        contract=world.contract,
        month=MAY,
        amount=Decimal("80.00"),
        status=Status.APPROVED,
    )
    SelfDeclaration.objects.create(lotse=world.lotse_a, year=2025, received_on=datetime.date(2025, 1, 5))
    return claim


def test_a_sent_batch_keeps_its_files_with_the_accounts_it_paid(payer, world, claim):
    prepare(payer, [claim.pk])
    batch = PayoutBatch.objects.get()
    paid_iban = world.lotse_a.iban
    payer.post(reverse("claims:batch_confirm_sent", args=[batch.pk]))
    lotse = Lotse.objects.get(pk=world.lotse_a.pk)
    lotse.iban = "DE02120300000000202051"
    lotse.save(acting_user=world.staff)  # the Lotse's account changes after the payment
    response = payer.get(reverse("claims:batch_sepa", args=[batch.pk]))
    assert response.status_code == 200
    xml = response.content.decode()
    assert paid_iban in xml and "DE02120300000000202051" not in xml
    csv_text = payer.get(reverse("claims:batch_csv", args=[batch.pk])).content.decode("utf-8-sig")
    assert "DE89" in csv_text.replace(" ", "") and "80,00" in csv_text


def test_no_file_for_a_batch_its_confirmation_would_refuse(payer, world, claim):
    prepare(payer, [claim.pk])
    batch = PayoutBatch.objects.get()
    # the self-declaration turns out to be of another year after the batch was prepared
    SelfDeclaration.objects.filter(lotse=world.lotse_a).update(year=2024)
    response = payer.get(reverse("claims:batch_sepa", args=[batch.pk]))
    assert response.status_code == 302
    assert "Selbsterklärung" in messages_of(response)[-1]
    assert PayoutBatch.objects.get(pk=batch.pk).file_downloaded_at is None


def test_cancelling_after_the_download_needs_the_payers_word(payer, world, claim):
    prepare(payer, [claim.pk])
    batch = PayoutBatch.objects.get()
    assert payer.get(reverse("claims:batch_sepa", args=[batch.pk])).status_code == 200
    refused = payer.post(reverse("claims:batch_cancel", args=[batch.pk]))
    assert "heruntergeladen" in messages_of(refused)[-1]
    assert PayoutBatch.objects.get(pk=batch.pk).status == "prepared"
    payer.post(reverse("claims:batch_cancel", args=[batch.pk]), {"not_uploaded": "1"})
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    assert batch.transfers[0]["claim"] == claim.pk  # what the cancelled file held stays on record
    steps = list(
        AuditEntry.objects.filter(action="payout_batch", target_id=str(batch.pk))
        .order_by("at")
        .values_list("details", flat=True)
    )
    assert [step["step"] for step in steps] == ["prepared", "cancelled"]


def test_a_passed_execution_date_is_not_put_into_the_file(payer, world, claim):
    prepare(payer, [claim.pk])
    batch = PayoutBatch.objects.get()
    PayoutBatch.objects.filter(pk=batch.pk).update(execution_date=datetime.date(2025, 6, 2))
    xml = payer.get(reverse("claims:batch_sepa", args=[batch.pk])).content.decode()
    assert f"<Dt>{timezone.localdate().isoformat()}</Dt>" in xml


def test_a_claim_of_0_euros_is_never_offered_for_payment(world, claim):
    AllowanceClaim.objects.filter(pk=claim.pk).update(amount=Decimal("0"))
    zero = rules.with_cap_figures(AllowanceClaim.objects.filter(pk=claim.pk)).select_related("lotse").get()
    with translation.override("en"):
        reason = rules.why_not_payable(zero, user=world.coordinator, declaration_on_file=True)
    assert reason == "nothing to pay (0 €)"


def test_the_month_of_an_ended_contract_can_still_be_claimed(world):
    """Renewed from 1 July: June is claimed in July under the contract that ended on 30 June."""
    lotse = world.lotse_b
    old = f.ContractFactory(
        lotse=lotse,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
        status=Contract.Status.ENDED,
    )
    new = f.ContractFactory(lotse=lotse, starts_on=datetime.date(2025, 7, 1))
    assert rules.contract_for_month(lotse, datetime.date(2025, 6, 1)) == old
    assert rules.contract_for_month(lotse, datetime.date(2025, 7, 1)) == new
    assert rules.contract_for_month(lotse, datetime.date(2024, 12, 1)) is None


def test_uploading_the_pdf_of_ones_own_contract_is_refused_with_a_message(client, world):
    dual = f.LotseFactory(region=world.owl, user=world.coordinator)
    contract = f.ContractFactory(lotse=dual)
    client.force_login(world.coordinator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("v.pdf", f.pdf_bytes(), content_type="application/pdf")
    response = client.post(reverse("lotsen:contract_upload", args=[contract.pk]), {"document": upload})
    assert response.status_code == 200
    assert not Contract.objects.get(pk=contract.pk).signed_document


def test_the_admin_never_sets_a_claim_paid(client, world, claim):
    world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)
    page = client.get(reverse("admin:allowances_allowanceclaim_change", args=[claim.pk])).content.decode()
    assert 'name="status"' not in page and 'name="amount"' not in page
