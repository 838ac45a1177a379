"""Role matrix of the coordinators' claim screens (allowances/urls.py). Lotsen get 403 everywhere."""

import datetime

from tests.matrix import CO, COORDINATORS_ONLY, ST, Case, expect


def _claim_status(w) -> str:
    from allowances.models import AllowanceClaim

    return AllowanceClaim.objects.get(pk=w.claim.pk).status


def _payable_claim(w) -> dict:
    """Lotse A's claim, approved and with the year's self-declaration on file: it can really be paid."""
    from allowances.models import AllowanceClaim, SelfDeclaration

    AllowanceClaim.objects.filter(pk=w.claim.pk).update(status=AllowanceClaim.Status.APPROVED)
    SelfDeclaration.objects.get_or_create(
        lotse=w.lotse_a, year=w.claim.month.year, defaults={"received_on": w.claim.month}
    )
    return {"claims": [w.claim.pk]}


def _declaration(w, *, document: bool = False):
    """Lotse A's self-declaration of 2025 (with its PDF if asked): the same row on every call."""
    from django.core.files.base import ContentFile

    from allowances.models import SelfDeclaration
    from tests.factories import pdf_bytes

    declaration, _created = SelfDeclaration.objects.get_or_create(
        lotse=w.lotse_a, year=2025, defaults={"received_on": datetime.date(2025, 1, 15)}
    )
    if document and not declaration.document:
        declaration.document.save("declaration.pdf", ContentFile(pdf_bytes()), save=True)
    return declaration


def _flagged_claim(w) -> dict:
    """Lotse A's claim asks for more hours than logged: a flag to acknowledge."""
    from decimal import Decimal

    from allowances.models import AllowanceClaim

    AllowanceClaim.objects.filter(pk=w.claim.pk).update(hours=Decimal("99.0"))
    return {"code": "hours_above_logged", "note": "Stunden mit der Lotsin besprochen."}


def _flag_acknowledged(w) -> bool:
    from allowances.models import ClaimFlagAcknowledgement

    return ClaimFlagAcknowledgement.objects.filter(claim=w.claim.pk).exists()


def _pay_data(w) -> dict:
    """The confirmation page's POST: Lotse A's payable claim, an execution date, OWL's paying account."""
    from tests.allowances.payout_helpers import execution_day, paying_account

    paying_account(w.owl)
    return {**_payable_claim(w), "confirm": "1", "execution_date": execution_day().isoformat()}


def _in_batch(w) -> bool:
    from allowances.models import AllowanceClaim

    return AllowanceClaim.objects.get(pk=w.claim.pk).payout_batch_id is not None


def _batch(w) -> dict:
    """A prepared OWL batch holding Lotse A's claim, made by the OWL coordinator (who pays OWL)."""
    from allowances.services.payouts import create_batch
    from tests.allowances.payout_helpers import execution_day, paying_account

    paying_account(w.owl)
    _payable_claim(w)
    result = create_batch(claim_ids=[w.claim.pk], execution_date=execution_day(), acting_user=w.coordinator)
    w.batch = result.batch
    return {"pk": result.batch.pk}


def _batch_status(w) -> str:
    from allowances.models import PayoutBatch

    return PayoutBatch.objects.get(pk=w.batch.pk).status


#: A payout batch of OWL: its coordinators and staff see it, the Siegen coordinator gets 404.
BATCH_PAGE = expect(lotse_a=403, lotse_b=403, other_coordinator=404)
#: Acting on (or downloading the SEPA file of) an OWL batch: only who pays OWL; staff see, do not pay.
BATCH_PAYER = expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=404, staff=403)

#: A POST that succeeds with a redirect for those who may decide the claim.
DECIDE = expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=404, staff=302)
#: The claim's decision page: another region's claim does not exist for the Siegen coordinator.
DECISION_PAGE = expect(lotse_a=403, lotse_b=403, other_coordinator=404)

CASES = [
    Case("claims:list", COORDINATORS_ONLY),
    Case("claims:list", COORDINATORS_ONLY, query="?status=&o=-amount&month=2025-01"),
    Case("claims:detail", DECISION_PAGE, kwargs=lambda w: {"pk": w.claim.pk}),
    # the plausibility check: the claim month's consultations with client profiles, for those who decide
    Case("claims:consultations", DECISION_PAGE, kwargs=lambda w: {"pk": w.claim.pk}),
    # plausibility flags: acknowledged with a note by those who decide the claim
    Case(
        "claims:acknowledge_flag",
        DECIDE,
        kwargs=lambda w: {"pk": w.claim.pk},
        method="post",
        data=_flagged_claim,
        wrote=_flag_acknowledged,
        writers=frozenset({CO, ST}),
    ),
    Case(
        "claims:approve",
        DECIDE,
        kwargs=lambda w: {"pk": w.claim.pk},
        method="post",
        wrote=lambda w: _claim_status(w) == "approved",
        writers=frozenset({CO, ST}),
    ),
    Case(
        "claims:reject",
        DECIDE,
        kwargs=lambda w: {"pk": w.claim.pk},
        method="post",
        data=lambda w: {"reason": "Bitte die Stunden angeben."},
        wrote=lambda w: _claim_status(w) == "rejected",
        writers=frozenset({CO, ST}),
    ),
    # The Siegen coordinator's batch holds a foreign id: refused with a message, nothing batched (302).
    # Staff see OWL's claims but do not pay: nothing payable, one message, back to the queue (302).
    Case(
        "claims:pay",
        expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=302, staff=302),
        method="post",
        data=_pay_data,
        # Only the OWL coordinator pays OWL (Coordination.handles_payments); staff see but do not pay.
        wrote=_in_batch,
        writers=frozenset({CO}),
        fresh=True,
    ),
    # the first step from the pay page: the confirmation page with the sum (nothing written)
    Case(
        "claims:pay",
        expect(lotse_a=403, lotse_b=403, coordinator=200, other_coordinator=302, staff=200),
        method="post",
        data=_payable_claim,
        wrote=_in_batch,
        writers=frozenset(),
        fresh=True,
    ),
    Case("claims:batches", COORDINATORS_ONLY),
    Case("claims:batch", BATCH_PAGE, kwargs=_batch),
    Case("claims:batch", BATCH_PAGE, kwargs=_batch, fresh=True),
    Case(
        "claims:batch_confirm_sent",
        BATCH_PAYER,
        kwargs=_batch,
        method="post",
        wrote=lambda w: _claim_status(w) == "paid",
        writers=frozenset({CO}),
        fresh=True,
    ),
    Case(
        "claims:batch_cancel",
        BATCH_PAYER,
        kwargs=_batch,
        method="post",
        wrote=lambda w: _batch_status(w) == "cancelled",
        writers=frozenset({CO}),
        fresh=True,
    ),
    Case("claims:batch_sepa", {**BATCH_PAYER, CO: 200}, kwargs=_batch, fresh=True),
    Case("claims:batch_csv", BATCH_PAGE, kwargs=_batch, fresh=True),
    Case("claims:batch_xlsx", BATCH_PAGE, kwargs=_batch, fresh=True),
    Case("claims:export_csv", COORDINATORS_ONLY, fresh=True),
    Case("claims:export_xlsx", COORDINATORS_ONLY, fresh=True),
    Case("claims:self_declaration_create", COORDINATORS_ONLY),
    # Lotse A is not a choice for the Siegen coordinator: the form answers with an error (200).
    Case(
        "claims:self_declaration_create",
        expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=200, staff=302),
        method="post",
        data=lambda w: {"lotse": w.lotse_a.pk, "year": 2025, "received_on": "2025-01-15"},
    ),
    # The year's self-declarations: every Lotse with a contract (scoped list), correct one, download its PDF.
    Case("claims:self_declarations", COORDINATORS_ONLY),
    Case("claims:self_declarations", COORDINATORS_ONLY, query="?year=2025&on_file=no"),
    Case(
        "claims:self_declaration_edit",
        DECISION_PAGE,
        kwargs=lambda w: {"pk": _declaration(w).pk},
    ),
    Case(
        "claims:self_declaration_edit",
        DECIDE,
        kwargs=lambda w: {"pk": _declaration(w).pk},
        method="post",
        data=lambda w: {"year": _declaration(w).year, "received_on": "2025-01-20"},
        wrote=lambda w: str(_declaration(w).received_on) == "2025-01-20",
        writers=frozenset({CO, ST}),
    ),
    # coordinators of the Lotse's region and staff only; a Lotse does not download it (they signed it)
    Case(
        "claims:self_declaration_document",
        DECISION_PAGE,
        kwargs=lambda w: {"pk": _declaration(w, document=True).pk},
    ),
]
