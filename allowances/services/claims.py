"""The allowance claim's life: draft → submitted → approved / rejected → paid (by a payout batch:
allowances.services.payouts).

Every transition locks the claim row, checks the state it expects, and records who did it and when, so two
coordinators deciding the same claim at once cannot both succeed.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allowances import rules
from allowances.models import AllowanceClaim, SelfDeclaration
from audit.services import Action, record
from lotsen.models import Lotse
from portal.access import forbid_self, require_editable, require_own
from portal.dates import first_of_month

Status = AllowanceClaim.Status


def _check_received_on(year: int, received_on: datetime.date) -> None:
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date of receipt cannot be in the future.")})
    if received_on < datetime.date(year - 1, 1, 1):
        raise ValidationError(
            {
                "received_on": _("A declaration for %(year)s cannot have been received so early.")
                % {"year": year}
            }
        )


def _store_document(declaration: SelfDeclaration, document) -> str:
    """Store the PDF under a generated name (like the signed contract); the replaced file, if any, is
    deleted after the commit. Returns the old name ("" if none)."""
    old = declaration.document.name if declaration.document else ""
    declaration.document.save("declaration.pdf", document, save=False)
    if old:
        storage = declaration.document.storage
        transaction.on_commit(lambda: storage.delete(old))
    return old


@transaction.atomic
def record_self_declaration(
    *, lotse: Lotse, year: int, received_on: datetime.date, acting_user, document=None
) -> SelfDeclaration:
    """Record that the Lotse declared for the year that the tax-free allowance is not claimed elsewhere,
    with the signed declaration as PDF if there is one (validated by the form: allowances.forms.contracts)."""
    require_editable(lotse, acting_user)
    forbid_self(acting_user, lotse)
    _check_received_on(year, received_on)
    declaration = SelfDeclaration(lotse=lotse, year=year, received_on=received_on, recorded_by=acting_user)
    try:
        with transaction.atomic():
            declaration.save()
    except IntegrityError as exc:
        raise ValidationError({"year": _("A self-declaration for this year is already on file.")}) from exc
    if document is not None:
        _store_document(declaration, document)
        declaration.save(update_fields=["document"])
    record(
        Action.SELF_DECLARATION,
        actor=acting_user,
        target=declaration,
        operation="create",
        year=year,
        document=document is not None,
    )
    return declaration


@transaction.atomic
def correct_self_declaration(
    *, declaration: SelfDeclaration, year: int, received_on: datetime.date, acting_user, document=None
) -> SelfDeclaration:
    """Correct the year or the date of receipt, and replace the PDF if a new one is given."""
    declaration = (
        SelfDeclaration.objects.editable_by(acting_user)
        .select_for_update(of=("self",))
        .select_related("lotse")
        .filter(pk=declaration.pk)
        .first()
    )
    if declaration is None:
        raise PermissionDenied
    forbid_self(acting_user, declaration.lotse)
    _check_received_on(year, received_on)
    changed = [
        field
        for field, value in (("year", year), ("received_on", received_on))
        if getattr(declaration, field) != value
    ]
    declaration.year, declaration.received_on = year, received_on
    if changed:
        try:
            with transaction.atomic():
                declaration.save(update_fields=changed)
        except IntegrityError as exc:
            raise ValidationError(
                {"year": _("A self-declaration for this year is already on file.")}
            ) from exc
    if document is not None:
        # stored only once the year is known to be free, so a refused correction leaves no stray file
        _store_document(declaration, document)
        declaration.save(update_fields=["document"])
        changed.append("document")
    if not changed:
        return declaration
    record(
        Action.SELF_DECLARATION,
        actor=acting_user,
        target=declaration,
        operation="correct",
        fields=",".join(changed),
    )
    return declaration


# -- the Lotse's side --------------------------------------------------------------------------------
@transaction.atomic
def save_claim_draft(
    *,
    lotse: Lotse,
    month: datetime.date,
    amount: Decimal,
    hours: Decimal | None = None,
    activities: str = "",
    acting_user,
) -> AllowanceClaim:
    """Create or update the Lotse's claim for a month while it is still a draft (or was rejected)."""
    require_own(lotse, acting_user)
    month = first_of_month(month)
    contract = rules.contract_for_month(lotse, month)
    problems = rules.claim_problems(
        contract, amount=amount, hours=hours, work=rules.month_work(lotse=lotse, month=month)
    )
    if problems:
        raise ValidationError(problems)
    claim = AllowanceClaim.objects.select_for_update().filter(lotse=lotse, month=month).first()
    if claim is None:
        try:
            with transaction.atomic():
                return AllowanceClaim.objects.create(
                    lotse=lotse,
                    contract=contract,
                    month=month,
                    amount=amount,
                    hours=hours,
                    activities=activities,
                )
        except IntegrityError as exc:
            raise ValidationError(_("There is already a claim for this month.")) from exc
    if claim.status not in AllowanceClaim.OPEN_TO_LOTSE:
        raise ValidationError(_("This claim has already been submitted and can no longer be changed."))
    claim.contract, claim.amount, claim.hours, claim.activities = contract, amount, hours, activities
    claim.status = Status.DRAFT
    claim.save(update_fields=["contract", "amount", "hours", "activities", "status"])
    return claim


@transaction.atomic
def submit_claim(*, claim: AllowanceClaim, acting_user) -> AllowanceClaim:
    claim = AllowanceClaim.objects.owned_by(acting_user).select_for_update().filter(pk=claim.pk).first()
    if claim is None:
        raise PermissionDenied
    if claim.status not in AllowanceClaim.OPEN_TO_LOTSE:
        raise ValidationError(_("This claim has already been submitted."))
    claim.status, claim.submitted_at = Status.SUBMITTED, timezone.now()
    claim.rejection_reason = ""
    claim.save(update_fields=["status", "submitted_at", "rejection_reason"])
    return claim


# -- the coordinator's side --------------------------------------------------------------------------
def _lock_for_decision(claim: AllowanceClaim, acting_user) -> AllowanceClaim:
    # Lock only the claim row (of=self): the Lotse and contract rows stay free for other work.
    claim = (
        AllowanceClaim.objects.editable_by(acting_user)
        .select_for_update(of=("self",))
        .select_related("lotse", "contract")
        .filter(pk=claim.pk)
        .first()
    )
    if claim is None:
        raise PermissionDenied
    # A coordinator who is also a Lotse never decides their own claim.
    forbid_self(acting_user, claim.lotse)
    return claim


@transaction.atomic
def approve_claim(*, claim: AllowanceClaim, acting_user) -> AllowanceClaim:
    policy = rules.region_policy(claim.lotse.region_id)
    cap_blocks = policy is not None and policy.cap_blocks_approval
    if cap_blocks:
        # The year's approved total is what the cap is checked against: lock the Lotse first (before the
        # claim, the order of the contract services), so two of their claims are not approved side by side.
        Lotse.objects.select_for_update().filter(pk=claim.lotse_id).first()
    claim = _lock_for_decision(claim, acting_user)
    if claim.status != Status.SUBMITTED:
        raise ValidationError(_("This claim has already been decided."))
    if cap_blocks and (problem := rules.approval_problem(claim, rules.cap_use(claim), policy)):
        raise ValidationError(problem, code="cap_blocks_approval")
    claim.status, claim.decided_by, claim.decided_at = Status.APPROVED, acting_user, timezone.now()
    claim.save(update_fields=["status", "decided_by", "decided_at"])
    record(Action.CLAIM_DECIDED, actor=acting_user, target=claim, decision=Status.APPROVED.value)
    return claim


@transaction.atomic
def reject_claim(*, claim: AllowanceClaim, reason: str, acting_user) -> AllowanceClaim:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason for the rejection.")})
    claim = _lock_for_decision(claim, acting_user)
    if claim.status != Status.SUBMITTED:
        raise ValidationError(_("This claim has already been decided."))
    claim.status, claim.decided_by, claim.decided_at = Status.REJECTED, acting_user, timezone.now()
    claim.rejection_reason = reason
    claim.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    # the reason is the coordinator's text about a person: it stays on the claim, not in the trail
    record(Action.CLAIM_DECIDED, actor=acting_user, target=claim, decision=Status.REJECTED.value)
    return claim
