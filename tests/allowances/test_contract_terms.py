"""Contract terms (issue #12, point 5): rate limits in words, per region; a monthly contract that alone
passes the year's tax-free cap is warned about; a region may let the cap block approval."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from allowances import rules
from allowances.models import AllowanceClaim, Contract, RegionAllowancePolicy, TaxAllowanceCap
from allowances.services import claims as claim_services
from allowances.services import contracts as services
from tests import factories as f

#: a year of its own, so the caps seeded by the migrations do not matter
CAP_YEAR = 2031


def terms(**extra) -> dict:
    data = {
        "starts_on": timezone.localdate().isoformat(),
        "allowance_type": "monthly",
        "rate": "60.00",
        "tax_allowance": "ehrenamt",
    }
    data.update(extra)
    return data


def create(client, lotse, **extra):
    return client.post(reverse("lotsen:contract_create", args=[lotse.pk]), terms(**extra), follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def cap_960():
    TaxAllowanceCap.objects.update_or_create(
        kind="ehrenamt", valid_from=datetime.date(CAP_YEAR, 1, 1), defaults={"amount": Decimal("960.00")}
    )


# -- limits, through the form and through the service ---------------------------------------------------
def test_250_an_hour_is_refused_in_words_by_the_form(coordinator_client, world):
    response = create(coordinator_client, world.lotse_b, allowance_type="hourly", rate="250")
    assert response.status_code == 200
    assert response.context["form"].errors["rate"] == [
        "Der Stundensatz darf in Ostwestfalen-Lippe höchstens 30,00 € betragen."
    ]
    assert not Contract.objects.filter(lotse=world.lotse_b).exists()


def test_250_an_hour_is_refused_by_the_service_too(world):
    """A forged POST past the form meets the same rule."""
    with pytest.raises(ValidationError) as refused:
        services.create_contract(
            lotse=world.lotse_b,
            acting_user=world.coordinator,
            starts_on=timezone.localdate(),
            rate=Decimal("250"),
            allowance_type="hourly",
        )
    assert refused.value.message_dict["rate"] == [
        "Der Stundensatz darf in Ostwestfalen-Lippe höchstens 30,00 € betragen."
    ]
    assert not Contract.objects.filter(lotse=world.lotse_b).exists()


def test_renewal_is_held_to_the_limit_and_the_old_contract_stays(world):
    with pytest.raises(ValidationError):
        services.renew_contract(
            contract=world.contract,
            acting_user=world.coordinator,
            starts_on=timezone.localdate() + datetime.timedelta(days=30),
            rate=Decimal("301"),
        )
    world.contract.refresh_from_db()
    assert world.contract.status == Contract.Status.ACTIVE


def test_100000_gives_the_limit_not_a_digit_count(coordinator_client, world):
    response = create(coordinator_client, world.lotse_b, rate="100000")
    errors = response.context["form"].errors["rate"]
    assert errors == ["Die Monatspauschale darf in Ostwestfalen-Lippe höchstens 300,00 € betragen."]
    assert "Ziffern" not in response.content.decode()


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("-5", "Der Satz kann nicht negativ sein."),
        (
            "12.345",
            "Bitte geben Sie den Satz in Euro und Cent an, mit höchstens zwei Stellen nach dem Komma.",
        ),
        ("zwölf", "Bitte geben Sie den Satz als Betrag in Euro an, zum Beispiel 12,50."),
    ],
)
def test_other_odd_rates_are_named_in_words(coordinator_client, world, rate, message):
    response = create(coordinator_client, world.lotse_b, allowance_type="per_consultation", rate=rate)
    assert response.context["form"].errors["rate"] == [message]


def test_english_message(coordinator_client, world):
    response = coordinator_client.post(
        reverse("lotsen:contract_create", args=[world.lotse_b.pk]),
        terms(allowance_type="per_consultation", rate="31"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The rate per consultation in Ostwestfalen-Lippe can be at most 30.00 €." in (
        response.content.decode()
    )


def test_a_region_sets_its_own_limit(coordinator_client, world):
    RegionAllowancePolicy.objects.create(region=world.owl, max_hourly_rate=Decimal("40.00"))
    response = create(coordinator_client, world.lotse_b, allowance_type="hourly", rate="35")
    assert Contract.objects.get(lotse=world.lotse_b).rate == Decimal("35.00")
    assert response.status_code == 200 and "errors" not in response.context
    # Siegen keeps the programme's limit
    problems = rules.contract_problems(allowance_type="hourly", rate=Decimal("35"), region=world.siegen)
    assert problems == {
        "rate": "Der Stundensatz darf in Siegen-Wittgenstein/Olpe höchstens 30,00 € betragen."
    }
    # and OWL's own limit is named when passed
    problems = rules.contract_problems(allowance_type="hourly", rate=Decimal("41"), region=world.owl)
    assert problems == {"rate": "Der Stundensatz darf in Ostwestfalen-Lippe höchstens 40,00 € betragen."}


def test_the_limits_come_from_the_settings(settings, world):
    settings.CONTRACT_MAX_MONTHLY_RATE = Decimal("80.00")
    assert rules.rate_limit("monthly", world.owl) == Decimal("80.00")
    assert rules.contract_problems(allowance_type="monthly", rate=Decimal("80"), region=world.owl) == {}
    assert (
        "80,00 €"
        in rules.contract_problems(allowance_type="monthly", rate=Decimal("80.01"), region=world.owl)["rate"]
    )


# -- a monthly contract alone above the cap ---------------------------------------------------------------
def test_12_times_100_warns_12_times_60_does_not(cap_960, world):
    year = datetime.date(CAP_YEAR, 1, 1)
    warns = Contract(allowance_type="monthly", rate=Decimal("100"), starts_on=year, tax_allowance="ehrenamt")
    quiet = Contract(allowance_type="monthly", rate=Decimal("60"), starts_on=year, tax_allowance="ehrenamt")
    assert rules.contract_cap_warning(warns, CAP_YEAR) == (
        f"Allein dieser Vertrag ergäbe {CAP_YEAR} 1.200,00 € und damit mehr als den steuerfreien "
        "Freibetrag von 960,00 €."
    )
    assert rules.contract_cap_warning(quiet, CAP_YEAR) is None


def test_the_months_the_contract_covers_count(cap_960):
    """From October: 3 × 100 € stay below 960 €; the whole next year does not."""
    contract = Contract(
        allowance_type="monthly", rate=Decimal("100"), starts_on=datetime.date(CAP_YEAR - 1, 10, 15)
    )
    assert rules.months_covered(contract, CAP_YEAR - 1) == 3
    assert rules.contract_cap_warning(contract, CAP_YEAR - 1) is None
    assert rules.first_contract_cap_warning(contract) == rules.contract_cap_warning(contract, CAP_YEAR)


def test_hourly_contracts_get_no_cap_warning(cap_960):
    contract = Contract(allowance_type="hourly", rate=Decimal("30"), starts_on=datetime.date(CAP_YEAR, 1, 1))
    assert rules.contract_cap_warning(contract, CAP_YEAR) is None


def test_the_cap_warning_after_saving_and_on_the_lotse_page(cap_960, coordinator_client, world):
    start = datetime.date(CAP_YEAR, 1, 1).isoformat()
    response = create(coordinator_client, world.lotse_b, rate="100", starts_on=start)
    assert Contract.objects.filter(lotse=world.lotse_b).exists()  # a warning, not a block
    warning = f"Allein dieser Vertrag ergäbe {CAP_YEAR} 1.200,00 €"
    assert [m.level_tag for m in response.context["messages"]] == ["success", "warning"]
    assert warning in messages_of(response)[1]
    page = coordinator_client.get(reverse("lotsen:detail", args=[world.lotse_b.pk])).content.decode()
    assert "data-contract-cap-warning" in page and warning in page


def test_no_warning_for_12_times_60(cap_960, coordinator_client, world):
    start = datetime.date(CAP_YEAR, 1, 1).isoformat()
    response = create(coordinator_client, world.lotse_b, rate="60", starts_on=start)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    page = coordinator_client.get(reverse("lotsen:detail", args=[world.lotse_b.pk])).content.decode()
    assert "data-contract-cap-warning" not in page


# -- the cap blocks approval where the region says so ----------------------------------------------------
def _claim_over_the_cap(lotse, contract):
    """An approved 900 € in January and a submitted 100 € in February: 1.000 € against a cap of 960 €."""
    f.AllowanceClaimFactory(
        lotse=lotse,
        contract=contract,
        month=datetime.date(CAP_YEAR, 1, 1),
        amount=Decimal("900"),
        status=AllowanceClaim.Status.APPROVED,
    )
    return f.AllowanceClaimFactory(
        lotse=lotse, contract=contract, month=datetime.date(CAP_YEAR, 2, 1), amount=Decimal("100")
    )


def test_a_region_where_the_cap_blocks_refuses_the_approval(cap_960, coordinator_client, world):
    RegionAllowancePolicy.objects.create(region=world.owl, cap_blocks_approval=True)
    claim = _claim_over_the_cap(world.lotse_a, world.contract)
    response = coordinator_client.post(reverse("claims:approve", args=[claim.pk]), follow=True)
    claim.refresh_from_db()
    assert claim.status == AllowanceClaim.Status.SUBMITTED
    assert response.request["PATH_INFO"] == reverse("claims:detail", args=[claim.pk])
    (message,) = messages_of(response)
    assert message.startswith("Diese Abrechnung kann nicht genehmigt werden")
    assert "1.000,00 €" in message and "960,00 €" in message and "(60,00 €)" in message
    assert message in response.content.decode()


def test_below_the_cap_the_blocking_region_approves(cap_960, world):
    RegionAllowancePolicy.objects.create(region=world.owl, cap_blocks_approval=True)
    claim = f.AllowanceClaimFactory(
        lotse=world.lotse_a,
        contract=world.contract,
        month=datetime.date(CAP_YEAR, 2, 1),
        amount=Decimal("960"),
    )
    claim_services.approve_claim(claim=claim, acting_user=world.coordinator)
    claim.refresh_from_db()
    assert claim.status == AllowanceClaim.Status.APPROVED


def test_another_region_only_warns(cap_960, other_coordinator_client, world):
    RegionAllowancePolicy.objects.create(region=world.owl, cap_blocks_approval=True)
    RegionAllowancePolicy.objects.create(region=world.siegen, cap_blocks_approval=False)
    contract = f.ContractFactory(lotse=world.lotse_siegen, starts_on=datetime.date(CAP_YEAR, 1, 1))
    claim = _claim_over_the_cap(world.lotse_siegen, contract)
    page = other_coordinator_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "data-cap-warning" in page  # the existing warning on the claim page stays
    other_coordinator_client.post(reverse("claims:approve", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == AllowanceClaim.Status.APPROVED


def test_approval_problem_is_none_without_a_blocking_policy():
    use = rules.CapUse(
        year=CAP_YEAR, cap=Decimal("960"), approved_total=Decimal("900"), total_with_claim=Decimal("1000")
    )
    claim = AllowanceClaim(amount=Decimal("100"))
    assert rules.approval_problem(claim, use, None) is None
    assert rules.approval_problem(claim, use, RegionAllowancePolicy(cap_blocks_approval=False)) is None
    assert rules.approval_problem(claim, use, RegionAllowancePolicy(cap_blocks_approval=True))
