"""The allowance claim's life: draft → submitted → approved / rejected → paid.

Every transition locks the claim row, checks the state it expects, and records who did it and when, so two
coordinators deciding the same claim at once cannot both succeed.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from allowances.models import AllowanceClaim, Contract, SelfDeclaration, TaxAllowanceCap
from audit.services import Action, record
from lotsen.models import Lotse
from lotsen.services.bank_data import bank_data_hold_reason
from portal.access import acts_for_self, forbid_self, require_editable, require_own
from portal.dates import first_of_month, last_of_month

Status = AllowanceClaim.Status


def contract_for_month(lotse: Lotse, month: datetime.date) -> Contract | None:
    """The active contract that covers any day of the month, or None (no claim without one)."""
    month = first_of_month(month)
    return (
        Contract.objects.filter(
            lotse=lotse, status=Contract.Status.ACTIVE, starts_on__lte=last_of_month(month)
        )
        .exclude(ends_on__lt=month)
        .first()
    )


# -- caps ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CapStatus:
    year: int
    cap: Decimal | None
    approved_total: Decimal
    #: what the total would be with the claim under decision added
    total_with_claim: Decimal

    @property
    def exceeded(self) -> bool:
        return self.cap is not None and self.total_with_claim > self.cap

    @property
    def remaining(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.approved_total


def cap_status(claim: AllowanceClaim) -> CapStatus:
    """How the Lotse's approved allowances of the claim's calendar year stand against that year's cap."""
    year = claim.month.year
    approved = AllowanceClaim.objects.total_for_year(claim.lotse_id, year)
    already_counted = claim.status in (Status.APPROVED, Status.PAID)
    return CapStatus(
        year=year,
        cap=TaxAllowanceCap.amount_for(claim.contract.tax_allowance, year),
        approved_total=approved,
        total_with_claim=approved if already_counted else approved + claim.amount,
    )


def has_self_declaration(lotse_id: int, year: int) -> bool:
    return SelfDeclaration.objects.filter(lotse_id=lotse_id, year=year).exists()


class CapTable:
    """All yearly caps, loaded once: a list of claims gets its cap status without a query per row."""

    def __init__(self):
        self._rows = sorted(
            TaxAllowanceCap.objects.values_list("kind", "valid_from", "amount"), key=lambda row: row[1]
        )

    def amount_for(self, kind: str, year: int) -> Decimal | None:
        amount = None
        for row_kind, valid_from, row_amount in self._rows:
            if row_kind == kind and valid_from <= datetime.date(year, 12, 31):
                amount = row_amount
        return amount


def with_cap_figures(queryset):
    """Annotate claims with what the list needs for the cap warning and the pay check, in the same query:
    ``year_total`` (the Lotse's approved and paid total in the claim's calendar year) and
    ``declaration_on_file`` (a self-declaration for that year exists)."""
    year_total = (
        AllowanceClaim.objects.approved_or_paid()
        .filter(lotse_id=OuterRef("lotse_id"), month__year=ExtractYear(OuterRef("month")))
        .order_by()
        .values("lotse_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    declaration = SelfDeclaration.objects.filter(
        lotse_id=OuterRef("lotse_id"), year=ExtractYear(OuterRef("month"))
    )
    return queryset.annotate(
        year_total=Coalesce(
            Subquery(year_total, output_field=models.DecimalField(max_digits=9, decimal_places=2)),
            Decimal("0"),
            output_field=models.DecimalField(max_digits=9, decimal_places=2),
        ),
        declaration_on_file=Exists(declaration),
    )


def attach_cap_status(claims, caps: CapTable | None = None) -> list[AllowanceClaim]:
    """Set ``claim.cap`` (a CapStatus) on claims annotated by with_cap_figures (contract selected)."""
    caps = caps or CapTable()
    claims = list(claims)
    for claim in claims:
        counted = claim.status in (Status.APPROVED, Status.PAID)
        year = claim.month.year
        claim.cap = CapStatus(
            year=year,
            cap=caps.amount_for(claim.contract.tax_allowance, year),
            approved_total=claim.year_total,
            total_with_claim=claim.year_total if counted else claim.year_total + claim.amount,
        )
    return claims


@transaction.atomic
def record_self_declaration(
    *, lotse: Lotse, year: int, received_on: datetime.date, acting_user
) -> SelfDeclaration:
    """Record that the Lotse declared for the year that the tax-free allowance is not claimed elsewhere."""
    require_editable(lotse, acting_user)
    forbid_self(acting_user, lotse)
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date of receipt cannot be in the future.")})
    try:
        with transaction.atomic():
            return SelfDeclaration.objects.create(
                lotse=lotse, year=year, received_on=received_on, recorded_by=acting_user
            )
    except IntegrityError as exc:
        raise ValidationError({"year": _("A self-declaration for this year is already on file.")}) from exc


# -- the Lotse's side --------------------------------------------------------------------------------
def _check_amount(contract: Contract, amount: Decimal, hours: Decimal | None) -> None:
    if amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    if hours is not None and hours < 0:
        raise ValidationError({"hours": _("The hours cannot be negative.")})
    limit = contract.rate
    if contract.allowance_type == Contract.AllowanceType.HOURLY:
        # An hourly contract pays rate × hours: the hours are what the amount is checked against.
        if hours is None:
            raise ValidationError({"hours": _("Please enter the hours for an hourly allowance.")})
        limit = contract.rate * hours
        if amount > limit:
            raise ValidationError(
                {
                    "amount": _("The amount is above your contract's rate for these hours (%(limit)s €).")
                    % {"limit": limit}
                }
            )
    if contract.allowance_type == Contract.AllowanceType.MONTHLY_FLAT and amount > limit:
        raise ValidationError(
            {
                "amount": _("The amount is above the monthly rate of your contract (%(rate)s €).")
                % {"rate": limit}
            }
        )


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
    contract = contract_for_month(lotse, month)
    if contract is None:
        raise ValidationError(
            _("There is no active contract for this month, so no allowance can be claimed.")
        )
    _check_amount(contract, amount, hours)
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
    claim = _lock_for_decision(claim, acting_user)
    if claim.status != Status.SUBMITTED:
        raise ValidationError(_("This claim has already been decided."))
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


@dataclass
class PaymentResult:
    paid: list[AllowanceClaim]
    #: claims that were not paid, with the reason shown to the coordinator
    skipped: list[tuple[AllowanceClaim, str]]


@transaction.atomic
def mark_claims_paid(*, claim_ids, acting_user) -> PaymentResult:
    """Mark approved claims as paid in one batch. Claims outside the user's scope are never touched;
    a claim whose year has no self-declaration on file, or whose Lotse's bank data changed recently and is
    not confirmed yet (Lotse.bank_data_on_hold), is skipped with a reason."""
    claims = (
        AllowanceClaim.objects.editable_by(acting_user)
        .select_for_update(of=("self",))
        .select_related("lotse")
        .filter(pk__in=list(claim_ids))
        .order_by("pk")
    )
    claims = list(claims)
    result = PaymentResult(paid=[], skipped=[])
    now = timezone.now()
    declared = set(
        SelfDeclaration.objects.filter(lotse_id__in={c.lotse_id for c in claims}).values_list(
            "lotse_id", "year"
        )
    )
    # Paying is for those who pay the region's allowances (and see the bank details): a Coordination with
    # handles_payments, or a superuser. Everyone else who may see the claim gets it skipped with a reason.
    for claim in claims:
        if acts_for_self(acting_user, claim.lotse):
            result.skipped.append((claim, _("nobody pays their own claim")))
            continue
        if not claim.lotse.can_see_payment_details(acting_user):
            result.skipped.append((claim, _("you do not handle the payments of this region")))
            continue
        if claim.status != Status.APPROVED:
            result.skipped.append((claim, _("not approved")))
            continue
        if claim.lotse.bank_data_on_hold(now):
            result.skipped.append((claim, bank_data_hold_reason(claim.lotse)))
            continue
        if (claim.lotse_id, claim.month.year) not in declared:
            result.skipped.append(
                (claim, _("no self-declaration for %(year)s on file") % {"year": claim.month.year})
            )
            continue
        claim.status, claim.paid_at, claim.paid_by = Status.PAID, now, acting_user
        claim.save(update_fields=["status", "paid_at", "paid_by"])
        record(Action.CLAIM_PAID, actor=acting_user, target=claim, batch_size=len(claims))
        result.paid.append(claim)
    return result
