"""allowances.rules: every money rule in one place, asked by the form, the prefill and the services alike.

The property test is the issue's promise: whatever a month of consultations, trainings and contract looks
like, the claim the portal proposes goes through unchanged, on the page as in the service."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allowances import rules
from allowances.models import AllowanceClaim, Contract, TaxAllowanceKind
from allowances.services import claims as claim_services
from events.models import Attendance
from tests import factories as f

Status = AllowanceClaim.Status


def _claims_2014(lotse, contract, amounts_by_month, status=AllowanceClaim.Status.APPROVED):
    return [
        f.AllowanceClaimFactory(
            lotse=lotse, contract=contract, month=datetime.date(2014, month, 1), amount=amount, status=status
        )
        for month, amount in amounts_by_month
    ]


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
    assert rules.cap_amount(TaxAllowanceKind.EHRENAMTSPAUSCHALE, year) == Decimal(ehrenamt)
    assert rules.cap_amount(TaxAllowanceKind.UEBUNGSLEITERPAUSCHALE, year) == Decimal(uebungsleiter)


def test_no_cap_before_the_table_starts():
    assert rules.cap_amount(TaxAllowanceKind.EHRENAMTSPAUSCHALE, 2012) is None


def _claims_2014(lotse, contract, amounts_by_month, status=AllowanceClaim.Status.APPROVED):
    return [
        f.AllowanceClaimFactory(
            lotse=lotse, contract=contract, month=datetime.date(2014, month, 1), amount=amount, status=status
        )
        for month, amount in amounts_by_month
    ]


def test_cap_use_warns_when_approved_claims_exceed_the_cap(world):
    lotse = f.LotseFactory(region=world.owl)
    contract = f.ContractFactory(lotse=lotse, starts_on=datetime.date(2014, 1, 1), rate=Decimal("100"))
    _claims_2014(lotse, contract, [(month, Decimal("100")) for month in range(1, 8)])  # 700 €
    waiting = f.AllowanceClaimFactory(
        lotse=lotse, contract=contract, month=datetime.date(2014, 8, 1), amount=Decimal("100")
    )
    status = rules.cap_use(waiting)
    assert status.cap == Decimal("720")
    assert status.approved_total == Decimal("700")
    assert status.total_with_claim == Decimal("800")
    assert status.exceeded
    assert status.remaining == Decimal("20")


def test_cap_use_without_warning_below_the_cap(world):
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
    status = rules.cap_use(claims[-1])
    assert (status.cap, status.approved_total, status.total_with_claim) == (
        Decimal("840"),
        Decimal("720"),
        Decimal("720"),
    )
    assert not status.exceeded


def test_cap_use_counts_only_approved_and_paid_claims_of_the_same_year(world):
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
    status = rules.cap_use(waiting)
    assert status.approved_total == Decimal("300")
    assert status.total_with_claim == Decimal("750")
    assert status.exceeded  # 300 + 450 > 720


# -- what a month may claim ------------------------------------------------------------------------
def _work(minutes=0, consultations=0, trainings=0, training_hours="0"):
    return rules.MonthWork(
        month=datetime.date(2026, 10, 1),
        consultations=consultations,
        consultation_minutes=minutes,
        trainings=trainings,
        training_hours=Decimal(training_hours),
    )


def test_hours_above_the_logged_work_are_refused_at_the_boundary():
    contract = Contract(allowance_type=Contract.AllowanceType.MONTHLY_FLAT, rate=Decimal("60"))
    work = _work(minutes=438, consultations=5)  # 7,3 h
    assert rules.claim_problems(contract, amount=Decimal("60"), hours=Decimal("7.3"), work=work) == {}
    problems = rules.claim_problems(contract, amount=Decimal("60"), hours=Decimal("7.4"), work=work)
    assert set(problems) == {"hours"} and "7" in problems["hours"]


def test_an_hourly_amount_is_rounded_down_so_the_proposal_is_never_a_cent_too_much():
    contract = Contract(allowance_type=Contract.AllowanceType.HOURLY, rate=Decimal("12.35"))
    work = _work(minutes=199, consultations=3)  # 3,3 h: 12,35 × 3,3 = 40,755
    proposed = rules.proposal(contract, work)
    assert (proposed.hours, proposed.amount) == (Decimal("3.3"), Decimal("40.75"))
    assert rules.claim_problems(contract, amount=proposed.amount, hours=proposed.hours, work=work) == {}
    too_much = rules.claim_problems(contract, amount=Decimal("40.76"), hours=proposed.hours, work=work)
    assert set(too_much) == {"amount"}


def test_no_contract_means_nothing_can_be_claimed():
    assert set(rules.claim_problems(None, amount=Decimal("1"), hours=Decimal("1"), work=_work())) == {
        "__all__"
    }


def test_the_service_refuses_hours_the_form_refuses(world):
    """The service used to accept hours above the logged work that the form refused (issue #12)."""
    f.ContractFactory(lotse=world.lotse_b, rate=Decimal("60"))
    f.ConsultationFactory(lotse=world.lotse_b, duration_minutes=60)
    with pytest.raises(ValidationError) as error:
        claim_services.save_claim_draft(
            lotse=world.lotse_b,
            month=timezone.localdate(),
            amount=Decimal("60"),
            hours=Decimal("1.1"),
            acting_user=world.lotse_b.user,
        )
    assert "hours" in error.value.message_dict
    assert not AllowanceClaim.objects.filter(lotse=world.lotse_b).exists()


# -- the prefill goes through as proposed ---------------------------------------------------------
MONTH = datetime.date(2026, 10, 1)  # a past month with 31 days

consultation = st.tuples(st.integers(min_value=1, max_value=31), st.integers(min_value=5, max_value=600))
training = st.tuples(
    st.integers(min_value=1, max_value=31),
    st.decimals(min_value=0, max_value=12, places=1, allow_nan=False, allow_infinity=False),
    st.sampled_from([Attendance.Status.ATTENDED, Attendance.Status.ABSENT, Attendance.Status.EXCUSED]),
)
contract_terms = st.tuples(
    st.sampled_from(list(Contract.AllowanceType)),
    st.decimals(min_value="0.01", max_value=250, places=2, allow_nan=False, allow_infinity=False),
)


@pytest.fixture
def month_lotse(world):
    return world


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    consultations=st.lists(consultation, max_size=25),
    trainings=st.lists(training, max_size=4),
    terms=contract_terms,
)
def test_the_proposed_claim_is_accepted_unchanged(client, month_lotse, consultations, trainings, terms):
    world = month_lotse
    user = f.UserFactory()
    lotse = f.LotseFactory(region=world.owl, user=user)
    kind, rate = terms
    f.ContractFactory(lotse=lotse, allowance_type=kind, rate=rate, starts_on=datetime.date(2026, 1, 1))
    for day, minutes in consultations:
        f.ConsultationFactory(lotse=lotse, date=MONTH.replace(day=day), duration_minutes=minutes)
    tz = timezone.get_current_timezone()
    for day, hours, status in trainings:
        starts = datetime.datetime.combine(MONTH.replace(day=day), datetime.time(10), tzinfo=tz)
        event = f.EventFactory(region=world.owl, starts_at=starts, hours_credited=hours)
        f.AttendanceFactory(event=event, lotse=lotse, status=status)

    client.force_login(user)
    url = reverse("me:claim_month", kwargs={"year": MONTH.year, "month": MONTH.month})
    page = client.get(url)
    form = page.context["form"]
    # exactly what the page shows in its fields, sent back unchanged
    data = {name: form[name].value() for name in ("hours", "amount", "activities")}
    data = {k: "" if v is None else str(v) for k, v in data.items()}
    response = client.post(url, {**data, "action": "submit"})

    assert response.status_code == 302, response.context["form"].errors
    claim = AllowanceClaim.objects.get(lotse=lotse, month=MONTH)
    assert claim.status == Status.SUBMITTED
    work = rules.month_work(lotse=lotse, month=MONTH)
    assert claim.hours == rules.max_hours(work)
    assert claim.amount == rules.proposal(claim.contract, work).amount
