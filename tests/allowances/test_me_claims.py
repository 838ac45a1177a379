"""A Lotse's monthly allowance claim: prefilled from the log, within the contract, submitted, listed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from allowances.models import AllowanceClaim, Contract
from allowances.services import claims as claim_services
from allowances.services.prefill import claim_prefill
from events.models import Attendance
from tests import factories as f


def this_month():
    return timezone.localdate().replace(day=1)


def month_url(month=None):
    month = month or this_month()
    return reverse("me:claim_month", kwargs={"year": month.year, "month": month.month})


@pytest.fixture
def lotse_b_with_activity(world):
    """Lotse B: 3 consultations (3 h) and 1 attended training session (3 h) this month, no contract yet."""
    lotse = world.lotse_b
    for minutes in (60, 90, 30):
        f.ConsultationFactory(lotse=lotse, duration_minutes=minutes)
    month_start = datetime.datetime.combine(
        this_month(), datetime.time(10), tzinfo=timezone.get_current_timezone()
    )
    training = f.EventFactory(region=world.owl, starts_at=month_start, hours_credited=Decimal("3"))
    f.AttendanceFactory(event=training, lotse=lotse, status=Attendance.Status.ATTENDED)
    # not counted: another Lotse's consultation, a conference, a training only registered for
    f.ConsultationFactory(lotse=world.lotse_a, duration_minutes=600)
    conference = f.EventFactory(
        region=None, kind="conference", starts_at=month_start, hours_credited=Decimal("8")
    )
    f.AttendanceFactory(event=conference, lotse=lotse, status=Attendance.Status.ATTENDED)
    return lotse


def contract(lotse, allowance_type, rate):
    return f.ContractFactory(lotse=lotse, allowance_type=allowance_type, rate=Decimal(rate))


@pytest.mark.parametrize(
    ("allowance_type", "rate", "suggested"),
    [
        (Contract.AllowanceType.MONTHLY_FLAT, "60.00", "60.00"),
        (Contract.AllowanceType.HOURLY, "10.00", "60.00"),  # 6 h × 10 €
        (Contract.AllowanceType.PER_CONSULTATION, "7.50", "22.50"),  # 3 × 7.50 €
    ],
)
def test_prefill_suggests_the_amount_of_the_contract(lotse_b_with_activity, allowance_type, rate, suggested):
    contract(lotse_b_with_activity, allowance_type, rate)
    prefill = claim_prefill(lotse=lotse_b_with_activity, month=this_month())
    assert prefill.activity.consultations == 3
    assert prefill.activity.consultation_hours == Decimal("3.0")
    assert prefill.activity.trainings == 1
    assert prefill.hours == Decimal("6.0")
    assert prefill.suggested_amount == Decimal(suggested)


def test_prefill_summary_holds_figures_only(lotse_b_with_activity):
    with translation.override("en"):
        summary = claim_prefill(lotse=lotse_b_with_activity, month=this_month()).activities
    assert summary == "3 consultations (3 h), 1 training session (3 h)"


def test_claim_form_shows_and_takes_german_decimals(lotse_b_client, lotse_b_with_activity):
    contract(lotse_b_with_activity, Contract.AllowanceType.HOURLY, "10.00")
    with translation.override("de"):
        html = lotse_b_client.get(month_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert 'name="hours" value="6,0"' in html and 'name="amount" value="60,00"' in html
        response = lotse_b_client.post(
            month_url(), {"hours": "5,5", "amount": "55,00", "action": "save"}, HTTP_ACCEPT_LANGUAGE="de"
        )
    assert response.status_code == 302
    claim = AllowanceClaim.objects.get(lotse=lotse_b_with_activity, month=this_month())
    assert (claim.hours, claim.amount) == (Decimal("5.5"), Decimal("55.00"))


def test_claim_page_is_prefilled_and_submitting_lists_the_claim(lotse_b_client, lotse_b_with_activity):
    contract(lotse_b_with_activity, Contract.AllowanceType.HOURLY, "10.00")
    page = lotse_b_client.get(month_url())
    form = page.context["form"]
    assert (form.initial["hours"], form.initial["amount"]) == (Decimal("6.0"), Decimal("60.00"))
    response = lotse_b_client.post(
        month_url(),
        {"hours": "5", "amount": "50.00", "activities": form.initial["activities"], "action": "submit"},
    )
    assert response.status_code == 302
    claim = AllowanceClaim.objects.get(lotse=lotse_b_with_activity, month=this_month())
    assert (claim.status, claim.amount, claim.hours) == ("submitted", Decimal("50.00"), Decimal("5.0"))
    listing = lotse_b_client.get(reverse("me:claims"))
    assert list(listing.context["claims"]) == [claim]


def test_a_draft_is_saved_and_can_be_submitted_later(lotse_b_client, lotse_b_with_activity):
    contract(lotse_b_with_activity, Contract.AllowanceType.MONTHLY_FLAT, "60.00")
    lotse_b_client.post(month_url(), {"hours": "6", "amount": "55", "action": "save"})
    claim = AllowanceClaim.objects.get(lotse=lotse_b_with_activity)
    assert claim.status == "draft"
    assert lotse_b_client.get(month_url()).context["form"].initial["amount"] == Decimal("55.00")
    lotse_b_client.post(month_url(), {"hours": "6", "amount": "55", "action": "submit"})
    claim.refresh_from_db()
    assert claim.status == "submitted"


@pytest.mark.parametrize(
    ("allowance_type", "rate", "data", "field"),
    [
        (Contract.AllowanceType.MONTHLY_FLAT, "60.00", {"hours": "6", "amount": "60.01"}, "amount"),
        (Contract.AllowanceType.HOURLY, "10.00", {"hours": "4", "amount": "45"}, "amount"),
        (Contract.AllowanceType.HOURLY, "10.00", {"hours": "7", "amount": "10"}, "hours"),  # only 6 h logged
        (Contract.AllowanceType.PER_CONSULTATION, "7.50", {"hours": "6", "amount": "30"}, "amount"),
        (Contract.AllowanceType.MONTHLY_FLAT, "60.00", {"hours": "6", "amount": "-5"}, "amount"),
        (Contract.AllowanceType.MONTHLY_FLAT, "60.00", {"hours": "-1", "amount": "5"}, "hours"),
        (Contract.AllowanceType.MONTHLY_FLAT, "60.00", {"hours": "6", "amount": "zehn"}, "amount"),
    ],
)
def test_amounts_beyond_the_contract_are_refused(
    lotse_b_client, lotse_b_with_activity, allowance_type, rate, data, field
):
    contract(lotse_b_with_activity, allowance_type, rate)
    response = lotse_b_client.post(month_url(), {**data, "action": "submit"})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not AllowanceClaim.objects.filter(lotse=lotse_b_with_activity).exists()


def test_the_claims_service_enforces_the_hourly_limit(world):
    """Bug fixed in allowances/services/claims.py: rate × hours was computed but never checked."""
    hourly = contract(world.lotse_b, Contract.AllowanceType.HOURLY, "10.00")
    f.ConsultationFactory(lotse=world.lotse_b, duration_minutes=120)  # the 2 hours claimed are logged
    with pytest.raises(ValidationError) as error:
        claim_services.save_claim_draft(
            lotse=world.lotse_b,
            month=this_month(),
            amount=Decimal("500"),
            hours=Decimal("2"),
            acting_user=world.lotse_b.user,
        )
    assert set(error.value.message_dict) == {"amount"}
    claim = claim_services.save_claim_draft(
        lotse=world.lotse_b,
        month=this_month(),
        amount=Decimal("20"),
        hours=Decimal("2"),
        acting_user=world.lotse_b.user,
    )
    assert claim.contract == hourly


def test_without_an_active_contract_there_is_a_clear_message_and_no_claim(lotse_b_client, world):
    page = lotse_b_client.get(month_url())
    assert page.context["form"] is None
    assert page.context["prefill"].contract is None
    assert 'class="message message--warning"' in page.content.decode()
    lotse_b_client.post(month_url(), {"hours": "0", "amount": "10", "action": "submit"})
    assert not AllowanceClaim.objects.filter(lotse=world.lotse_b).exists()


def test_a_submitted_claim_cannot_be_claimed_again_for_the_same_month(lotse_client, world):
    assert world.claim.status == "submitted"
    page = lotse_client.get(month_url())
    assert page.context["form"] is None
    assert page.context["claim"] == world.claim
    lotse_client.post(month_url(), {"hours": "0", "amount": "1", "action": "submit"})
    assert AllowanceClaim.objects.filter(lotse=world.lotse_a).count() == 1
    world.claim.refresh_from_db()
    assert world.claim.amount == Decimal("60.00")


def test_a_rejected_claim_shows_the_reason_and_can_be_submitted_again(lotse_client, world):
    AllowanceClaim.objects.filter(pk=world.claim.pk).update(
        status="rejected", rejection_reason="Stunden fehlen"
    )
    listing = lotse_client.get(reverse("me:claims"))
    assert "Stunden fehlen" in listing.content.decode()
    page = lotse_client.get(month_url())
    assert "Stunden fehlen" in page.content.decode()
    lotse_client.post(month_url(), {"hours": "0.8", "amount": "40", "action": "submit"})
    world.claim.refresh_from_db()
    assert (world.claim.status, world.claim.amount, world.claim.rejection_reason) == (
        "submitted",
        Decimal("40"),
        "",
    )


def test_future_months_and_impossible_months_are_404(lotse_client):
    next_month = (this_month() + datetime.timedelta(days=32)).replace(day=1)
    assert lotse_client.get(month_url(next_month)).status_code == 404
    assert lotse_client.get("/me/claims/2025/13/").status_code == 404


def test_a_lotse_never_sees_another_lotses_claims(lotse_b_client, world):
    listing = lotse_b_client.get(reverse("me:claims"))
    assert list(listing.context["claims"]) == []
    page = lotse_b_client.get(month_url())
    assert page.context["claim"] is None


@pytest.mark.parametrize("rows", [1, 30])
def test_claims_list_needs_the_same_number_of_queries(lotse_client, world, rows, django_assert_num_queries):
    month = world.claim.month
    for _ in range(rows - 1):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        f.AllowanceClaimFactory(lotse=world.lotse_a, contract=world.contract, month=month)
    with django_assert_num_queries(6):  # the Lotse record comes with the user (accounts.backends)
        lotse_client.get(reverse("me:claims"))


def test_cap_messages_use_german_numbers(lotse_b_client, lotse_b_with_activity):
    contract(lotse_b_with_activity, Contract.AllowanceType.HOURLY, "10.00")
    with translation.override("de"):
        response = lotse_b_client.post(month_url(), {"hours": "7", "amount": "5", "action": "save"})
        form = response.context["form"]
    assert "6,0" in form.errors["hours"][0]


def test_the_start_page_flags_a_rejected_claim_with_its_reason_and_the_way_to_fix_it(lotse_client, world):
    world.claim.status = AllowanceClaim.Status.REJECTED
    world.claim.rejection_reason = "Bitte die Stunden der Woche 45 prüfen."
    world.claim.save()
    page = lotse_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="rejected-claim"' in page
    assert "Bitte die Stunden der Woche 45 prüfen." in page
    assert month_url(world.claim.month) in page
    world.claim.status = AllowanceClaim.Status.SUBMITTED
    world.claim.save()
    assert 'data-testid="rejected-claim"' not in lotse_client.get(reverse("dashboard")).content.decode()


def test_a_draft_the_rules_refuse_now_is_replaced_by_the_proposal_with_a_notice(lotse_b_client, world):
    """A draft saved with 8,0 h while 7,3 h are logged (the demo's November claim) used to be shown as it
    was, and "Abrechnung einreichen" failed."""
    terms = f.ContractFactory(lotse=world.lotse_b, rate=Decimal("60"))
    f.ConsultationFactory(lotse=world.lotse_b, date=this_month(), duration_minutes=438)  # 7,3 h
    f.AllowanceClaimFactory(
        lotse=world.lotse_b,
        contract=terms,
        month=this_month(),
        status=AllowanceClaim.Status.DRAFT,
        hours=Decimal("8.0"),
        amount=Decimal("60"),
        submitted_at=None,
    )
    page = lotse_b_client.get(month_url())
    assert 'data-testid="outdated-draft"' in page.content.decode()
    form = page.context["form"]
    assert form["hours"].value() == Decimal("7.3")
    response = lotse_b_client.post(
        month_url(), {"hours": "7,3", "amount": "60,00", "activities": "", "action": "submit"}
    )
    assert response.status_code == 302
    assert AllowanceClaim.objects.get(lotse=world.lotse_b).status == AllowanceClaim.Status.SUBMITTED


def test_errors_are_summarised_at_the_top_of_the_form_and_linked_to_their_fields(lotse_b_client, world):
    f.ContractFactory(lotse=world.lotse_b, rate=Decimal("60"))
    f.ConsultationFactory(lotse=world.lotse_b, duration_minutes=60)
    response = lotse_b_client.post(month_url(), {"hours": "5", "amount": "60", "action": "submit"})
    html = response.content.decode()
    summary = html.index("data-error-summary")
    assert summary < html.index('name="hours"')  # above the fields
    assert 'href="#id_hours"' in html
    assert "autofocus data-error-summary" in html  # focused and scrolled to without JavaScript too
    assert not AllowanceClaim.objects.filter(lotse=world.lotse_b).exists()
