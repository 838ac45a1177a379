"""Invariants of the Lotse's data: one active contract, one claim per month, IBAN checks and masking,
the dated table of tax-free caps and the warning when approved claims exceed a year's cap."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from allowances.models import AllowanceClaim, Contract, TaxAllowanceCap, TaxAllowanceKind
from allowances.services.claims import cap_status
from lotsen.validators import mask_iban, validate_iban
from portal.demo import de_iban
from regions.models import Coordination
from tests import factories as f

VALID_IBAN = "DE89370400440532013000"


def test_a_second_active_contract_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ContractFactory(lotse=world.lotse_a, status=Contract.Status.ACTIVE)


def test_ended_contracts_do_not_count_as_active(world):
    f.ContractFactory(lotse=world.lotse_a, status=Contract.Status.ENDED, starts_on=datetime.date(2014, 3, 1))
    assert world.lotse_a.contracts.active().count() == 1


def test_a_second_claim_for_the_same_month_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        AllowanceClaim.objects.create(
            lotse=world.lotse_a, contract=world.contract, month=world.claim.month, amount=Decimal("10")
        )


@pytest.mark.parametrize(
    "iban", [VALID_IBAN, "DE89 3704 0044 0532 0130 00", "de89370400440532013000", de_iban("48050161", 4711)]
)
def test_valid_ibans_pass(iban):
    validate_iban(iban)


@pytest.mark.parametrize(
    ("iban", "code"),
    [
        ("DE88370400440532013000", "iban"),  # check digits wrong
        ("DE89370400440532013001", "iban"),  # one digit of the account changed
        ("DE8937040044053201300", "iban_length"),  # one character short for Germany
        ("DE893704004405320130000", "iban_length"),
        ("1234", "iban"),
        ("", "iban"),
    ],
)
def test_invalid_ibans_are_refused(iban, code):
    with pytest.raises(ValidationError) as error:
        validate_iban(iban)
    assert error.value.code == code


def test_an_invalid_iban_fails_model_validation(world):
    world.lotse_a.iban = "DE88370400440532013000"
    with pytest.raises(ValidationError) as error:
        world.lotse_a.full_clean()
    assert "iban" in error.value.message_dict


def test_masking_keeps_country_check_digits_and_last_four():
    assert mask_iban(VALID_IBAN) == "DE89 **** **** **** **30 00"
    assert "0532" not in mask_iban(VALID_IBAN)
    assert mask_iban("") == ""


def test_iban_in_full_only_for_those_who_pay(world):
    lotse = world.lotse_a
    full, masked = "DE89 3704 0044 0532 0130 00", "DE89 **** **** **** **30 00"
    superuser = f.UserFactory(email="root@example.org", is_superuser=True)
    # The OWL coordination pays the allowances (the default), so it sees the full IBAN after a fresh
    # re-authentication, and masked without one.
    assert lotse.iban_for(world.coordinator, fresh=True) == full
    assert lotse.iban_for(superuser, fresh=True) == full
    assert lotse.iban_for(world.coordinator, fresh=False) == masked
    assert lotse.iban_for(superuser, fresh=False) == masked
    # Programme staff, the coordinator of another region and the Lotse themselves see it masked.
    for user in (world.staff, world.other_coordinator, lotse.user, world.lotse_b.user):
        assert lotse.iban_for(user, fresh=True) == masked


def test_a_coordinator_who_does_not_pay_sees_the_iban_masked(world):
    Coordination.objects.filter(user=world.coordinator).update(handles_payments=False)
    coordinator = type(world.coordinator).objects.get(pk=world.coordinator.pk)
    assert world.lotse_a.iban_for(coordinator, fresh=True) == "DE89 **** **** **** **30 00"


@pytest.mark.parametrize(
    ("year", "ehrenamt", "uebungsleiter"),
    [
        (2014, "720", "2400"),
        (2020, "720", "2400"),
        (2021, "840", "3000"),
        (2025, "840", "3000"),
        (2026, "960", "3300"),
        (2030, "960", "3300"),
    ],
)
def test_tax_allowance_caps_by_year(year, ehrenamt, uebungsleiter):
    assert TaxAllowanceCap.amount_for(TaxAllowanceKind.EHRENAMTSPAUSCHALE, year) == Decimal(ehrenamt)
    assert TaxAllowanceCap.amount_for(TaxAllowanceKind.UEBUNGSLEITERPAUSCHALE, year) == Decimal(uebungsleiter)


def test_no_cap_before_the_table_starts():
    assert TaxAllowanceCap.amount_for(TaxAllowanceKind.EHRENAMTSPAUSCHALE, 2012) is None


def _claims_2014(lotse, contract, amounts_by_month, status=AllowanceClaim.Status.APPROVED):
    return [
        f.AllowanceClaimFactory(
            lotse=lotse, contract=contract, month=datetime.date(2014, month, 1), amount=amount, status=status
        )
        for month, amount in amounts_by_month
    ]


def test_cap_status_warns_when_approved_claims_exceed_the_cap(world):
    lotse = f.LotseFactory(region=world.owl)
    contract = f.ContractFactory(lotse=lotse, starts_on=datetime.date(2014, 1, 1), rate=Decimal("100"))
    _claims_2014(lotse, contract, [(month, Decimal("100")) for month in range(1, 8)])  # 700 €
    waiting = f.AllowanceClaimFactory(
        lotse=lotse, contract=contract, month=datetime.date(2014, 8, 1), amount=Decimal("100")
    )
    status = cap_status(waiting)
    assert status.cap == Decimal("720")
    assert status.approved_total == Decimal("700")
    assert status.total_with_claim == Decimal("800")
    assert status.exceeded
    assert status.remaining == Decimal("20")


def test_cap_status_without_warning_below_the_cap(world):
    lotse = f.LotseFactory(region=world.owl)
    contract = f.ContractFactory(lotse=lotse, starts_on=datetime.date(2021, 1, 1), rate=Decimal("60"))
    claims = [
        f.AllowanceClaimFactory(
            lotse=lotse,
            contract=contract,
            month=datetime.date(2021, month, 1),
            amount=Decimal("60"),
            status=AllowanceClaim.Status.APPROVED,
        )
        for month in range(1, 13)
    ]
    # 12 × 60 € = 720 €, under the 840 € of 2021; already approved claims are not counted twice.
    status = cap_status(claims[-1])
    assert (status.cap, status.approved_total, status.total_with_claim) == (
        Decimal("840"),
        Decimal("720"),
        Decimal("720"),
    )
    assert not status.exceeded


def test_cap_status_counts_only_approved_and_paid_claims_of_the_same_year(world):
    lotse = f.LotseFactory(region=world.owl)
    contract = f.ContractFactory(lotse=lotse, starts_on=datetime.date(2013, 1, 1), rate=Decimal("500"))
    _claims_2014(lotse, contract, [(1, Decimal("500"))], status=AllowanceClaim.Status.REJECTED)
    _claims_2014(lotse, contract, [(2, Decimal("300"))], status=AllowanceClaim.Status.PAID)
    f.AllowanceClaimFactory(
        lotse=lotse,
        contract=contract,
        month=datetime.date(2013, 12, 1),
        amount=Decimal("500"),
        status=AllowanceClaim.Status.APPROVED,
    )
    waiting = f.AllowanceClaimFactory(
        lotse=lotse, contract=contract, month=datetime.date(2014, 3, 1), amount=Decimal("450")
    )
    status = cap_status(waiting)
    assert status.approved_total == Decimal("300")
    assert status.total_with_claim == Decimal("750")
    assert status.exceeded  # 300 + 450 > 720
