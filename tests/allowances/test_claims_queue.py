"""The coordinators' claims queue, decisions, pay batch and self-declarations."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from allowances.models import AllowanceClaim, PayoutBatch, SelfDeclaration
from portal.access import OWN_RECORD_REFUSED
from tests import factories as f
from tests.allowances.payout_helpers import execution_day, paying_account, prepare
from tests.auth import reauthenticate

Status = AllowanceClaim.Status


def month(year, number):
    return datetime.date(year, number, 1)


def claim_for(lotse, contract, when, amount="60.00", status=Status.SUBMITTED, **extra):
    return f.AllowanceClaimFactory(
        lotse=lotse, contract=contract, month=when, amount=Decimal(amount), status=status, **extra
    )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot():
    return list(
        AllowanceClaim.objects.order_by("pk").values_list(
            "pk", "status", "decided_by", "rejection_reason", "paid_at"
        )
    )


# -- queue --------------------------------------------------------------------------------------
def test_queue_opens_on_submitted_claims(coordinator_client, world):
    approved = claim_for(world.lotse_a, world.contract, month(2025, 2), status=Status.APPROVED)
    response = coordinator_client.get(reverse("claims:list"))
    assert response.status_code == 200
    shown = [c.pk for c in response.context["claims"]]
    assert shown == [world.claim.pk]
    response = coordinator_client.get(reverse("claims:list"), {"status": "approved"})
    assert [c.pk for c in response.context["claims"]] == [approved.pk]
    response = coordinator_client.get(reverse("claims:list"), {"status": ""})
    assert {c.pk for c in response.context["claims"]} == {world.claim.pk, approved.pk}


def test_queue_hides_other_region(other_coordinator_client, world):
    response = other_coordinator_client.get(reverse("claims:list"), {"status": ""})
    assert response.status_code == 200
    assert list(response.context["claims"]) == []
    assert "lotse" in response.context["filter"].form.fields
    # Lotse A is no choice in the Siegen coordinator's Lotse filter
    response = other_coordinator_client.get(reverse("claims:list"), {"lotse": world.lotse_a.pk})
    assert response.context["filter"].form.errors["lotse"]


def test_queue_filters_by_month_lotse_and_sorts(coordinator_client, world):
    contract_b = f.ContractFactory(lotse=world.lotse_b)
    march = claim_for(world.lotse_b, contract_b, month(2025, 3), amount="30.00")
    april = claim_for(world.lotse_b, contract_b, month(2025, 4), amount="50.00")
    url = reverse("claims:list")
    response = coordinator_client.get(url, {"month": "2025-03"})
    assert [c.pk for c in response.context["claims"]] == [march.pk]
    response = coordinator_client.get(url, {"lotse": world.lotse_b.pk, "o": "-amount"})
    assert [c.pk for c in response.context["claims"]] == [april.pk, march.pk]
    # the sort and filter survive paging: the pagination links keep the query string
    response = coordinator_client.get(url, {"month": "kaputt"})
    assert response.context["filter"].form.errors["month"]
    assert list(response.context["claims"]) == []


def test_region_filter_only_for_staff(client, world):
    client.force_login(world.coordinator)
    assert "region" not in client.get(reverse("claims:list")).context["filter"].form.fields
    client.force_login(world.staff)
    response = client.get(reverse("claims:list"), {"region": world.siegen.pk, "status": ""})
    assert list(response.context["claims"]) == []


def test_empty_queue_explains_itself(coordinator_client, world):
    AllowanceClaim.objects.all().delete()
    response = coordinator_client.get(reverse("claims:list"))
    assert b'class="empty"' in response.content
    assert reverse("claims:list").encode() + b"?status=" in response.content


# -- cap warning ----------------------------------------------------------------------------------
@pytest.fixture
def near_the_cap(world):
    """Lotse A has 840 € approved in 2025 (the Ehrenamtspauschale of 2025 is 840 €)."""
    for number in range(1, 7):
        claim_for(world.lotse_a, world.contract, month(2025, number), amount="140.00", status=Status.APPROVED)
    return claim_for(world.lotse_a, world.contract, month(2025, 7), amount="60.00")


def test_cap_warning_on_queue_row_and_decision_page(coordinator_client, world, near_the_cap):
    response = coordinator_client.get(reverse("claims:list"), {"month": "2025-07"})
    (row,) = response.context["claims"]
    assert row.cap.exceeded and row.cap.cap == Decimal("840.00")
    assert row.cap.total_with_claim == Decimal("900.00")
    assert response.content.count(b"data-cap-warning") == 1
    response = coordinator_client.get(reverse("claims:detail", args=[near_the_cap.pk]))
    assert b"data-cap-warning" in response.content


def test_no_cap_warning_below_the_cap(coordinator_client, world):
    claim_for(world.lotse_a, world.contract, month(2025, 1), amount="140.00", status=Status.APPROVED)
    waiting = claim_for(world.lotse_a, world.contract, month(2025, 2), amount="60.00")
    response = coordinator_client.get(reverse("claims:list"), {"year": 2025})
    assert not [c for c in response.context["claims"] if c.cap.exceeded]
    assert b"data-cap-warning" not in response.content
    assert (
        b"data-cap-warning" not in coordinator_client.get(reverse("claims:detail", args=[waiting.pk])).content
    )


# -- decisions ------------------------------------------------------------------------------------
def test_approve(coordinator_client, world):
    response = coordinator_client.post(reverse("claims:approve", args=[world.claim.pk]))
    assert response.status_code == 302
    world.claim.refresh_from_db()
    assert world.claim.status == Status.APPROVED and world.claim.decided_by == world.coordinator
    assert messages_of(response)


def test_approve_twice_says_already_decided(coordinator_client, world):
    coordinator_client.post(reverse("claims:approve", args=[world.claim.pk]))
    before = snapshot()
    response = coordinator_client.post(reverse("claims:approve", args=[world.claim.pk]), follow=True)
    assert snapshot() == before
    assert any("already been decided" in m or "bereits" in m for m in messages_of(response))


def test_reject_keeps_the_reason_for_the_lotse(coordinator_client, world):
    response = coordinator_client.post(
        reverse("claims:reject", args=[world.claim.pk]), {"reason": "Bitte Stunden ergänzen."}
    )
    assert response.status_code == 302
    world.claim.refresh_from_db()
    assert world.claim.status == Status.REJECTED
    assert world.claim.rejection_reason == "Bitte Stunden ergänzen."


@pytest.mark.parametrize(
    "reason",
    ["", "   ", "x" * 501, "<script>alert(1)</script>", "Siehe <a href='x'>hier</a>"],
    ids=["empty", "blank", "too-long", "script", "link"],
)
def test_reject_refuses_bad_reasons(coordinator_client, world, reason):
    before = snapshot()
    response = coordinator_client.post(reverse("claims:reject", args=[world.claim.pk]), {"reason": reason})
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"]
    assert b'class="error"' in response.content
    assert snapshot() == before


def test_other_region_cannot_decide(other_coordinator_client, world):
    before = snapshot()
    assert other_coordinator_client.post(reverse("claims:approve", args=[world.claim.pk])).status_code == 404
    assert snapshot() == before


def test_lotse_never_reaches_the_queue(lotse_client, world):
    for url in (
        reverse("claims:list"),
        reverse("claims:detail", args=[world.claim.pk]),
        reverse("claims:export_csv"),
    ):
        assert lotse_client.get(url).status_code == 403
    before = snapshot()
    assert lotse_client.post(reverse("claims:approve", args=[world.claim.pk])).status_code == 403
    assert snapshot() == before


def test_coordinator_who_is_a_lotse_cannot_decide_own_claim(client, world):
    world.lotse_a.user.coordinations.create(region=world.owl)
    client.force_login(world.lotse_a.user)
    before = snapshot()
    response = client.post(reverse("claims:approve", args=[world.claim.pk]))
    assert response.status_code == 302
    assert snapshot() == before
    with translation.override("de"):
        assert str(OWN_RECORD_REFUSED) in messages_of(response)


def test_back_to_the_queue_keeps_filters(coordinator_client, world):
    queue = reverse("claims:list") + "?status=submitted&o=-amount"
    response = coordinator_client.post(reverse("claims:approve", args=[world.claim.pk]), {"next": queue})
    assert response["Location"] == queue
    other = claim_for(world.lotse_a, world.contract, month(2025, 1))
    response = coordinator_client.post(
        reverse("claims:approve", args=[other.pk]), {"next": "https://evil.example/claims/"}
    )
    assert response["Location"] == reverse("claims:list")


@pytest.mark.parametrize(
    "target",
    ["javascript:alert(document.cookie)", "https://evil.example/claims/", "//evil.example/claims/"],
)
def test_decision_page_back_link_never_prints_a_foreign_next(coordinator_client, world, target):
    """The "back to the claims" link is an href: a crafted ?next= must not become a script or another site."""
    response = coordinator_client.get(reverse("claims:detail", args=[world.claim.pk]), {"next": target})
    html = response.content.decode()
    assert f'href="{target}' not in html
    assert f'value="{target}' not in html  # the hidden next of the approve / reject forms
    assert f'href="{reverse("claims:list")}"' in html
    # A real queue URL with its filters is kept.
    queue = reverse("claims:list") + "?status=submitted&o=-amount"
    response = coordinator_client.get(reverse("claims:detail", args=[world.claim.pk]), {"next": queue})
    assert 'href="/claims/?status=submitted&amp;o=-amount"' in response.content.decode()


# -- pay batch -------------------------------------------------------------------------------------
@pytest.fixture
def approved_2025(world):
    """Two approved claims of Lotse A in 2025 (declaration on file) and one of Lotse B (none on file)."""
    a1 = claim_for(world.lotse_a, world.contract, month(2025, 1), status=Status.APPROVED)
    a2 = claim_for(world.lotse_a, world.contract, month(2025, 2), status=Status.APPROVED)
    b1 = claim_for(
        world.lotse_b, f.ContractFactory(lotse=world.lotse_b), month(2025, 1), status=Status.APPROVED
    )
    SelfDeclaration.objects.create(lotse=world.lotse_a, year=2025, received_on=datetime.date(2025, 1, 10))
    return a1, a2, b1


def test_pay_batch_pays_declared_and_skips_the_rest(coordinator_client, world, approved_2025):
    a1, a2, b1 = approved_2025
    paying_account(world.owl)
    reauthenticate(coordinator_client)
    response = prepare(coordinator_client, [a1.pk, a2.pk, b1.pk, world.claim.pk])
    assert response.status_code == 302
    batch = PayoutBatch.objects.get()
    assert response["Location"] == reverse("claims:batch", args=[batch.pk])
    assert set(batch.claims.values_list("pk", flat=True)) == {a1.pk, a2.pk}
    # one message for the batch: what went in, what was left out by reason
    (text,) = messages_of(response)
    assert "2 Abrechnungen" in text and "120,00" in text
    assert "2 nicht aufgenommen" in text
    response = coordinator_client.post(reverse("claims:batch_confirm_sent", args=[batch.pk]))
    statuses = dict(AllowanceClaim.objects.values_list("pk", "status"))
    assert statuses[a1.pk] == statuses[a2.pk] == Status.PAID
    assert statuses[b1.pk] == Status.APPROVED  # no self-declaration for 2025
    assert statuses[world.claim.pk] == Status.SUBMITTED  # not approved


@pytest.mark.parametrize("foreign", ["siegen", "nonsense", "missing"])
def test_pay_batch_with_foreign_ids_changes_nothing(coordinator_client, world, approved_2025, foreign):
    a1, _a2, _b1 = approved_2025
    siegen_claim = claim_for(
        world.lotse_siegen,
        f.ContractFactory(lotse=world.lotse_siegen),
        month(2025, 1),
        status=Status.APPROVED,
    )
    SelfDeclaration.objects.create(lotse=world.lotse_siegen, year=2025, received_on=datetime.date(2025, 1, 5))
    bad = {"siegen": siegen_claim.pk, "nonsense": "1; DROP TABLE", "missing": 999999}[foreign]
    before = snapshot()
    reauthenticate(coordinator_client)
    paying_account(world.owl)
    response = prepare(coordinator_client, [a1.pk, bad])
    assert response.status_code == 302
    assert snapshot() == before  # the whole batch is refused, also the coordinator's own claim
    assert not PayoutBatch.objects.exists()
    assert messages_of(response)


def test_pay_batch_without_selection(coordinator_client, world):
    before = snapshot()
    reauthenticate(coordinator_client)
    response = prepare(coordinator_client, [])
    assert snapshot() == before
    assert not PayoutBatch.objects.exists()
    assert messages_of(response)


def test_pay_checkboxes_only_on_approved_rows(coordinator_client, world, approved_2025):
    response = coordinator_client.get(reverse("claims:list"), {"status": ""})
    content = response.content.decode()
    a1, a2, b1 = approved_2025
    for claim in (a1, a2):
        assert f'name="claims" value="{claim.pk}"' in content
    # approved but not payable: shown disabled, with the reason next to it, and never sent with the form
    assert f'name="claims" value="{b1.pk}"' not in content
    assert f'id="pay-{b1.pk}" disabled aria-describedby="pay-block-{b1.pk}"' in content
    assert "Nicht auszahlbar: keine Selbsterklärung für 2025" in content
    assert f'name="claims" value="{world.claim.pk}"' not in content
    assert f'id="pay-{world.claim.pk}"' not in content  # submitted: no checkbox at all


# -- self-declarations -----------------------------------------------------------------------------
def test_record_self_declaration(coordinator_client, world):
    response = coordinator_client.post(
        reverse("claims:self_declaration_create"),
        {"lotse": world.lotse_b.pk, "year": 2025, "received_on": "2025-02-03"},
    )
    assert response.status_code == 302
    declaration = SelfDeclaration.objects.get(lotse=world.lotse_b)
    assert (declaration.year, declaration.received_on) == (2025, datetime.date(2025, 2, 3))
    assert declaration.recorded_by == world.coordinator
    assert messages_of(response)


@pytest.mark.parametrize(
    "data,field",
    [
        ({"lotse": "", "year": 2025, "received_on": "2025-02-03"}, "lotse"),
        ({"lotse": "siegen", "year": 2025, "received_on": "2025-02-03"}, "lotse"),
        ({"lotse": "b", "year": 1999, "received_on": "2025-02-03"}, "year"),
        ({"lotse": "b", "year": "zwanzig", "received_on": "2025-02-03"}, "year"),
        ({"lotse": "b", "year": 2025, "received_on": "2999-01-01"}, "received_on"),
        ({"lotse": "b", "year": 2025, "received_on": "03.02.2025x"}, "received_on"),
        ({"lotse": "b", "year": 2024, "received_on": "2024-05-05"}, "year"),  # already on file
    ],
)
def test_self_declaration_bad_input(coordinator_client, world, data, field):
    SelfDeclaration.objects.create(lotse=world.lotse_b, year=2024, received_on=datetime.date(2024, 1, 2))
    lotse = {"b": world.lotse_b.pk, "siegen": world.lotse_siegen.pk, "": ""}[data["lotse"]]
    before = list(SelfDeclaration.objects.values_list("pk", "lotse", "year", "received_on"))
    response = coordinator_client.post(reverse("claims:self_declaration_create"), data | {"lotse": lotse})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert list(SelfDeclaration.objects.values_list("pk", "lotse", "year", "received_on")) == before


def test_self_declaration_form_is_prefilled_from_the_decision_page(coordinator_client, world):
    response = coordinator_client.get(
        reverse("claims:self_declaration_create"), {"lotse": world.lotse_a.pk, "year": 2025}
    )
    assert response.context["form"].initial["lotse"] == world.lotse_a.pk
    assert response.context["form"].initial["year"] == 2025


# -- constant queries ---------------------------------------------------------------------------------
def _claims_in_owl(world, count):
    for _ in range(count):
        lotse = f.LotseFactory(region=world.owl)
        claim_for(lotse, f.ContractFactory(lotse=lotse), month(2025, 5), status=Status.APPROVED)


QUEUE_QUERIES = 7  # measured: list 7, CSV and XLSX 6 — for 1 and for 200 rows
#: the exports add inserts into the audit trail: the export itself, and the full IBANs in it by the hundred
EXPORT_QUERIES = {1: 6 + 1 + 1, 200: 6 + 1 + 2}


@pytest.mark.parametrize("rows", [1, 200])
@pytest.mark.parametrize("url_name", ["claims:list", "claims:export_csv", "claims:export_xlsx"])
def test_queue_and_exports_run_constant_queries(
    coordinator_client, world, django_assert_max_num_queries, rows, url_name
):
    _claims_in_owl(world, rows)
    reauthenticate(coordinator_client)  # the OWL coordinator pays: full bank details in the export
    with django_assert_max_num_queries(QUEUE_QUERIES if url_name == "claims:list" else EXPORT_QUERIES[rows]):
        response = coordinator_client.get(reverse(url_name), {"status": "approved"})
    assert response.status_code == 200


def test_queue_queries_do_not_grow(coordinator_client, world):
    counts = []
    for rows in (1, 60):
        _claims_in_owl(world, rows)
        with CaptureQueriesContext(connection) as queries:
            coordinator_client.get(reverse("claims:list"), {"status": "approved"})
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_only_those_who_pay_the_region_can_batch_claims(world):
    """Paying is for a Coordination that handles payments (who also sees the bank details)."""
    from accounts.models import User
    from allowances.services import payouts
    from regions.models import Coordination

    claim = world.claim
    claim.status = AllowanceClaim.Status.APPROVED
    claim.save(update_fields=["status"])
    SelfDeclaration.objects.create(lotse=claim.lotse, year=claim.month.year)
    paying_account(world.owl)

    Coordination.objects.filter(user=world.coordinator).update(handles_payments=False)
    for user in (User.objects.get(pk=world.coordinator.pk), world.staff):
        result = payouts.create_batch(claim_ids=[claim.pk], execution_date=execution_day(), acting_user=user)
        assert result.batch is None and len(result.skipped) == 1
    claim.refresh_from_db()
    assert claim.status == AllowanceClaim.Status.APPROVED and claim.payout_batch is None

    Coordination.objects.filter(user=world.coordinator).update(handles_payments=True)
    payer = User.objects.get(pk=world.coordinator.pk)
    result = payouts.create_batch(claim_ids=[claim.pk], execution_date=execution_day(), acting_user=payer)
    payouts.confirm_sent(batch=result.batch, acting_user=payer)
    claim.refresh_from_db()
    assert claim.status == AllowanceClaim.Status.PAID and claim.payout_batch == result.batch


def test_waiting_for_payment_is_offered_only_to_those_who_pay(client, world):
    client.force_login(world.coordinator)  # pays OWL
    choices = dict(client.get("/claims/").context["filter"].form.fields["waiting_for"].choices)
    assert {"decision", "payment"} <= choices.keys()
    client.force_login(world.other_coordinator)  # coordinates Siegen, does not pay
    choices = dict(client.get("/claims/").context["filter"].form.fields["waiting_for"].choices)
    assert "payment" not in choices and "decision" in choices
    response = client.get("/claims/?status=approved&waiting_for=payment")
    assert response.context["page_obj"].paginator.count == 0  # refused, never silently everything
