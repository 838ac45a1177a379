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
    # The Siegen coordinator's batch holds a foreign id: refused with a message, nothing paid (302).
    Case(
        "claims:pay",
        expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=302, staff=302),
        method="post",
        data=_payable_claim,
        # Only the OWL coordinator pays OWL (Coordination.handles_payments); staff see but do not pay.
        wrote=lambda w: _claim_status(w) == "paid",
        writers=frozenset({CO}),
        fresh=True,
    ),
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
