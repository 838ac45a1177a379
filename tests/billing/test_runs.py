"""Billing runs: started once per region and month (by a payer or the worker on the region's day), the
invitations and reminders go out once, the run page shows each Lotse's month, closing makes one payout
batch through the payouts service."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from allowances.models import AllowanceClaim, PayoutBatch, RegionAllowancePolicy
from audit.models import AuditEntry
from billing import services
from billing.models import BillingRun
from tests import factories as f
from tests.allowances.payout_helpers import execution_day, paying_account
from tests.auth import reauthenticate
from tests.billing.helpers import approved_claim


def last_month():
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def month_claims(world):
    """Last month in OWL: Lotse A has a contract and no claim yet, Lotse B a submitted claim; Lotse B2
    approved; a Siegen Lotse with a contract (another region); a Lotse without a contract."""
    AllowanceClaim.objects.filter(pk=world.claim.pk).delete()
    f.ContractFactory(lotse=world.lotse_b, starts_on=last_month())
    f.AllowanceClaimFactory(lotse=world.lotse_b, month=last_month(), contract=world.lotse_b.contracts.first())
    approved = f.LotseFactory(
        region=world.owl, first_name="Zeynep", user=f.UserFactory(email="z@example.org")
    )
    claim = approved_claim(approved, last_month(), contract=f.ContractFactory(lotse=approved))
    f.ContractFactory(lotse=world.lotse_siegen)
    f.LotseFactory(region=world.owl, first_name="Ohne", user=f.UserFactory(email="ohne@example.org"))
    return claim


def test_starting_a_run_twice_creates_one_run_and_invites_once(
    world, month_claims, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.start_run(region=world.owl, month=last_month(), acting_user=world.coordinator)
    assert first.created
    # only Lotse A: B submitted, Zeynep's claim is approved, Siegen is another region, "Ohne" has no contract
    assert [m.to for m in mail.outbox] == [["lotse.owl@example.org"]]
    assert "/me/claims/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        second = services.start_run(region=world.owl, month=last_month(), acting_user=world.coordinator)
    assert not second.created and second.run == first.run
    assert services.send_invitations(first.run) == 0
    assert len(mail.outbox) == 1
    assert BillingRun.objects.count() == 1
    assert AuditEntry.objects.filter(action="billing", details__step="started").count() == 1


def test_only_payers_start_a_run(world, month_claims):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.start_run(region=world.owl, month=last_month(), acting_user=world.staff)
    with pytest.raises(PermissionDenied):
        services.start_run(region=world.owl, month=last_month(), acting_user=world.other_coordinator)


def test_the_worker_starts_the_run_on_the_regions_day_once(
    world, month_claims, django_capture_on_commit_callbacks
):
    from billing.tasks import start_due_billing_runs

    today = timezone.localdate()
    RegionAllowancePolicy.objects.create(region=world.owl, billing_run_day=min(today.day, 28))
    RegionAllowancePolicy.objects.create(region=world.siegen, billing_run_day=(today.day % 28) + 1)
    if today.day > 28:
        pytest.skip("the policy's day is 1–28")
    with django_capture_on_commit_callbacks(execute=True):
        assert start_due_billing_runs.delay().get() == 1
    run = BillingRun.objects.get()
    assert (run.region, run.month, run.started_by) == (world.owl, last_month(), None)
    with django_capture_on_commit_callbacks(execute=True):
        assert start_due_billing_runs.delay().get() == 0
    assert len(mail.outbox) == 1


def test_the_run_page_shows_each_lotse_and_reminds_once_a_day(world, month_claims, coordinator_client):
    run = services.start_run(region=world.owl, month=last_month(), acting_user=world.coordinator).run
    mail.outbox.clear()
    response = coordinator_client.get(reverse("billing:run", args=[run.pk]))
    rows = {row.lotse.first_name: row.state for row in response.context["rows"]}
    assert rows == {"Ayşe": "open", "Mehmet": "submitted", "Zeynep": "approved"}
    assert response.context["counts"]["open"] == 1
    url = reverse("billing:run_remind", args=[run.pk, world.lotse_a.pk])
    coordinator_client.post(url)
    coordinator_client.post(url)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lotse.owl@example.org"]
    assert AuditEntry.objects.filter(action="billing", details__step="reminded").count() == 1
    # a Lotse who submitted is not reminded
    coordinator_client.post(reverse("billing:run_remind", args=[run.pk, world.lotse_b.pk]))
    assert len(mail.outbox) == 1


def test_the_run_page_has_the_same_queries_for_few_and_many_lotsen(
    world, month_claims, coordinator_client, django_assert_max_num_queries
):
    run = services.start_run(region=world.owl, month=last_month(), acting_user=world.coordinator).run
    url = reverse("billing:run", args=[run.pk])
    with django_assert_max_num_queries(14) as few:
        coordinator_client.get(url)
    for i in range(30):
        lotse = f.LotseFactory(region=world.owl, first_name=f"L{i}", user=None)
        f.ContractFactory(lotse=lotse)
        if i % 2:
            f.AllowanceClaimFactory(lotse=lotse, month=last_month(), contract=lotse.contracts.first())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = coordinator_client.get(url)
    assert len(response.context["rows"]) == 33


def test_closing_the_run_makes_one_payout_batch_of_the_approved_claims(
    world, month_claims, coordinator_client
):
    run = services.start_run(region=world.owl, month=last_month(), acting_user=world.coordinator).run
    paying_account(world.owl)
    no_declaration = approved_claim(world.lotse_a, last_month(), contract=world.contract)
    no_declaration.lotse.self_declarations.all().delete()
    url = reverse("billing:run_close", args=[run.pk])
    data = {"execution_date": execution_day().isoformat()}
    # a pay action: a fresh login first, as the pay page
    assert coordinator_client.post(url, data).status_code == 302
    assert BillingRun.objects.get().closed_at is None
    reauthenticate(coordinator_client)
    response = coordinator_client.post(url, data, follow=True)
    batch = PayoutBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("claims:batch", args=[batch.pk])
    run.refresh_from_db()
    assert run.payout_batch == batch and run.closed_by == world.coordinator
    assert list(batch.claims.all()) == [month_claims]
    # the claim without a self-declaration stays approved for the pay page, and the message says why
    no_declaration.refresh_from_db()
    assert no_declaration.status == "approved" and no_declaration.payout_batch is None
    assert "Selbsterklärung" in " ".join(str(m) for m in response.context["messages"])
    # closing twice does nothing new
    coordinator_client.post(url, data)
    assert PayoutBatch.objects.count() == 1


def test_a_payer_cannot_close_a_run_that_holds_their_own_claim(world, month_claims):
    from django.core.exceptions import ValidationError

    run = services.start_run(region=world.owl, month=last_month(), acting_user=world.coordinator).run
    paying_account(world.owl)
    own = f.LotseFactory(region=world.owl, first_name="Claudia", user=world.coordinator)
    own_claim = approved_claim(own, last_month(), contract=f.ContractFactory(lotse=own))
    with pytest.raises(ValidationError, match="eigene Abrechnung|your own claim"):
        services.close_run(run=run, execution_date=execution_day(), acting_user=world.coordinator)
    run.refresh_from_db()
    assert run.is_open and not PayoutBatch.objects.exists()
    own_claim.refresh_from_db()
    assert own_claim.status == "approved" and own_claim.payout_batch is None


def test_cancelling_the_runs_batch_reopens_the_run_and_it_can_be_closed_again(world, month_claims):
    from allowances.services.payouts import cancel_batch

    run = services.start_run(region=world.owl, month=last_month(), acting_user=world.coordinator).run
    paying_account(world.owl)
    first = services.close_run(run=run, execution_date=execution_day(), acting_user=world.coordinator).batch
    # stale bank details: the documented fix is to cancel the batch and make a new one
    cancel_batch(batch=first, acting_user=world.coordinator)
    run.refresh_from_db()
    assert run.is_open and run.payout_batch is None
    assert AuditEntry.objects.filter(action="billing", details__step="reopened").count() == 1
    second = services.close_run(run=run, execution_date=execution_day(), acting_user=world.coordinator).batch
    assert second != first and list(second.claims.all()) == [month_claims]
    run.refresh_from_db()
    assert run.payout_batch == second and not run.is_open


def test_a_run_with_nothing_payable_is_not_closed(world, month_claims):
    from django.core.exceptions import ValidationError

    run = services.start_run(region=world.owl, month=last_month(), acting_user=world.coordinator).run
    paying_account(world.owl)
    month_claims.lotse.self_declarations.all().delete()  # the only approved claim cannot be paid
    with pytest.raises(ValidationError, match="Selbsterklärung|self-declaration"):
        services.close_run(run=run, execution_date=execution_day(), acting_user=world.coordinator)
    run.refresh_from_db()
    assert run.is_open and run.payout_batch is None


def test_the_invitation_and_the_monthly_reminder_are_one_email(
    world, month_claims, django_capture_on_commit_callbacks
):
    import time_machine

    from notifications.reminders import send_claim_month_reminders
    from notifications.workdays import first_working_day_of_month

    with django_capture_on_commit_callbacks(execute=True):
        services.start_run(region=world.owl, month=last_month(), acting_user=world.coordinator)
    assert [m.to for m in mail.outbox] == [["lotse.owl@example.org"]]
    first_day = first_working_day_of_month(timezone.localdate())
    morning = datetime.datetime.combine(
        first_day, datetime.time(8, 5), tzinfo=timezone.get_default_timezone()
    )
    with time_machine.travel(morning, tick=False):
        send_claim_month_reminders()
    # the Siegen Lotse (no run there) is reminded; Lotse A's invitation was the month's e-mail
    assert sorted(m.to[0] for m in mail.outbox) == ["lotse.owl@example.org", "lotse.siegen@example.org"]


def test_the_year_bound_of_the_forms_moves_with_the_calendar(world):
    import time_machine

    from billing.forms import StartRunForm, YearEndForm

    next_year = timezone.localdate().year + 1
    with time_machine.travel(datetime.datetime(next_year, 1, 20, 12, tzinfo=datetime.UTC), tick=False):
        form = StartRunForm({"region": world.owl.pk, "year": next_year, "month": 1}, user=world.coordinator)
        assert form.is_valid(), form.errors
        assert YearEndForm({"region": world.owl.pk, "year": next_year - 1}, user=world.coordinator).is_valid()
        assert not YearEndForm({"region": world.owl.pk, "year": next_year}, user=world.coordinator).is_valid()


def test_a_run_day_the_worker_missed_is_made_good_the_next_day(world, month_claims):
    last_year = timezone.localdate().year - 1
    RegionAllowancePolicy.objects.create(region=world.owl, billing_run_day=5)
    # the worker was down on 5 March: on 9 March the February run is started, once
    assert services.start_due_runs(today=datetime.date(last_year, 3, 9)) == 1
    assert services.start_due_runs(today=datetime.date(last_year, 3, 10)) == 0
    run = BillingRun.objects.get()
    assert (run.region, run.month) == (world.owl, datetime.date(last_year, 2, 1))
    # before the region's day nothing is due
    assert services.start_due_runs(today=datetime.date(last_year, 4, 4)) == 0
