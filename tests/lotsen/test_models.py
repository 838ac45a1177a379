"""Invariants of the Lotse's data: one active contract, one claim per month, IBAN checks and masking,
the dated table of tax-free caps and the warning when approved claims exceed a year's cap."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from allowances.models import AllowanceClaim, Contract
from home.demo import de_iban
from lotsen.validators import mask_iban, validate_iban
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
