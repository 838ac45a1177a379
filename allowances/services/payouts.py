"""Payout batches: approved claims of one region, paid by one SEPA credit-transfer file.

prepared (create_batch) → sent (confirm_sent: the payer uploaded the file to the bank; the claims become
paid) or → cancelled (cancel_batch: the claims are free again). Whether a claim can be paid is decided by
``allowances.rules.why_not_payable`` alone; here it is asked under the row locks. A batch pays the bank
details as they were when it was prepared: a change since makes it stale, and it is cancelled and made again.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from allowances import rules, sepa
from allowances.models import AllowanceClaim, PayingAccount, PayoutBatch
from allowances.signals import batch_cancelled, claims_paid
from audit.services import Action, record
from portal.access import acts_for_self
from portal.signals import rows_updated

Status = AllowanceClaim.Status
#: How far ahead a batch may be dated; banks keep a future-dated order at most a few weeks.
MAX_DAYS_AHEAD = 60


@dataclass
class BatchResult:
    batch: PayoutBatch | None
    #: claims left out, with the reason shown to the payer
    skipped: list[tuple[AllowanceClaim, str]] = field(default_factory=list)

    def skipped_by_reason(self) -> list[tuple[str, int]]:
        """The reasons, the most frequent first, each with how many claims it kept out."""
        return Counter(reason for _claim, reason in self.skipped).most_common()


def _payers_only(user, region_id: int) -> None:
    if not rules.pays_region(user, region_id):
        raise PermissionDenied(_("Only those who pay the allowances of this region can do this."))


def check_execution_date(day: datetime.date) -> None:
    today = timezone.localdate()
    if day < today:
        raise ValidationError({"execution_date": _("The execution date cannot be in the past.")})
    if day > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {
                "execution_date": _("The execution date can be at most %(days)s days ahead.")
                % {"days": MAX_DAYS_AHEAD}
            }
        )


def transfer_for(claim: AllowanceClaim) -> sepa.Transfer:
    """The SEPA transfer that pays a claim (its Lotse loaded)."""
    lotse = claim.lotse
    return sepa.Transfer(
        name=lotse.account_holder or lotse.full_name,
        iban=lotse.iban,
        bic=None,
        amount=claim.amount,
        purpose=f"Aufwandsentschaedigung Lotsenprogramm {claim.month:%m/%Y}",
        end_to_end_id=f"LP-CLAIM-{claim.pk}",
    )


def snapshot(claim: AllowanceClaim) -> dict:
    """What the batch keeps of a claim's transfer (PayoutBatch.transfers)."""
    transfer = transfer_for(claim)
    return {
        "claim": claim.pk,
        "month": claim.month.isoformat(),
        "last_name": claim.lotse.last_name,
        "first_name": claim.lotse.first_name,
        "name": transfer.name,
        "iban": transfer.iban,
        "amount": str(transfer.amount),
        "purpose": transfer.purpose,
        "end_to_end_id": transfer.end_to_end_id,
    }


def kept_transfers(batch: PayoutBatch) -> list[sepa.Transfer]:
    return [
        sepa.Transfer(
            name=item["name"],
            iban=item["iban"],
            bic=None,
            amount=Decimal(item["amount"]),
            purpose=item["purpose"],
            end_to_end_id=item["end_to_end_id"],
        )
        for item in batch.transfers
    ]


def file_execution_date(batch: PayoutBatch) -> datetime.date:
    """The date the file asks for: the batch's, or today once that has passed (a bank refuses or shifts an
    order dated in the past; a sent batch keeps its date)."""
    if batch.status == PayoutBatch.Status.PREPARED:
        return max(batch.execution_date, timezone.localdate())
    return batch.execution_date


def debtor_of(batch: PayoutBatch) -> sepa.DebtorAccount:
    return sepa.DebtorAccount(name=batch.debtor_name, iban=batch.debtor_iban, bic=batch.debtor_bic)


def sepa_xml(batch: PayoutBatch) -> bytes:
    """The batch's pain.001 file from the transfers it kept, validated against the schema; byte for byte
    the same on every export (its creation time is the batch's) while the execution date has not passed."""
    return sepa.credit_transfer_xml(
        debtor=debtor_of(batch),
        message_id=batch.reference,
        execution_date=file_execution_date(batch),
        transfers=kept_transfers(batch),
        created_at=batch.created_at,
    )


def file_problem(batch: PayoutBatch, claims: list[AllowanceClaim]) -> str | None:
    """Why no file may be made of a prepared batch now (a sentence), or None: the same checks as
    confirm_sent, so a file is never given out for a batch its confirmation would refuse. A sent batch's
    files are its record and always available; ``claims`` annotated by rules.with_cap_figures."""
    if batch.status != PayoutBatch.Status.PREPARED:
        return None
    problem = stale_reason(batch, claims)
    if problem:
        return problem
    now = timezone.now()
    for claim in claims:
        reason = rules.why_not_payable(
            claim, user=None, declaration_on_file=claim.declaration_on_file, now=now, in_batch=batch.pk
        )
        if reason:
            return _("%(lotse)s, %(month)s: %(reason)s.") % {
                "lotse": claim.lotse.full_name,
                "month": claim.month.strftime("%m/%Y"),
                "reason": reason,
            }
    return None


def batch_claims(batch: PayoutBatch):
    """The claims of a batch with their Lotsen, in file order (claim id)."""
    return AllowanceClaim.objects.filter(payout_batch=batch).select_related("lotse").order_by("pk")


def stale_reason(batch: PayoutBatch, claims: list[AllowanceClaim]) -> str | None:
    """Why the batch no longer pays what it said when it was prepared (a sentence), or None.

    No query: ``claims`` are the batch's claims with their Lotsen."""
    total = sum((claim.amount for claim in claims), Decimal("0"))
    if len(claims) != batch.count or total != batch.total:
        return _("Its claims changed since it was prepared.")
    kept = {item["claim"]: item for item in batch.transfers}
    if set(kept) != {claim.pk for claim in claims}:
        return _("Its claims changed since it was prepared.")
    for claim in claims:
        if Decimal(kept[claim.pk]["amount"]) != claim.amount:
            return _("Its claims changed since it was prepared.")
    for claim in claims:
        changed_at = claim.lotse.bank_data_changed_at
        if changed_at is not None and changed_at > batch.created_at:
            return _("The bank details of %(lotse)s changed after the batch was prepared.") % {
                "lotse": claim.lotse.full_name
            }
        if not claim.lotse.iban:
            return _("%(lotse)s has no bank details on file any more.") % {"lotse": claim.lotse.full_name}
        if kept[claim.pk]["iban"] != claim.lotse.iban:  # changed without the change being recorded
            return _("The bank details of %(lotse)s changed after the batch was prepared.") % {
                "lotse": claim.lotse.full_name
            }
    return None


@transaction.atomic
def create_batch(*, claim_ids, execution_date: datetime.date, acting_user) -> BatchResult:
    """A prepared batch of the payable claims among ``claim_ids``; the others are left out with their
    reason. All payable claims must belong to one region, which must have a paying account. With nothing
    payable no batch is made (``result.batch`` is None)."""
    check_execution_date(execution_date)
    # Lock only the claim rows (of=self); a second payer's batch waits here and then sees them taken.
    claims = list(
        rules.with_cap_figures(
            AllowanceClaim.objects.editable_by(acting_user)
            .select_for_update(of=("self",))
            .select_related("lotse__region")
            .filter(pk__in=list(claim_ids))
            .order_by("pk")
        )
    )
    result = BatchResult(batch=None)
    now = timezone.now()
    payable = []
    for claim in claims:
        reason = rules.why_not_payable(
            claim, user=acting_user, declaration_on_file=claim.declaration_on_file, now=now
        )
        if reason is None:
            payable.append(claim)
        else:
            result.skipped.append((claim, reason))
    if not payable:
        return result
    regions = {claim.lotse.region for claim in payable}
    if len(regions) > 1:
        raise ValidationError(
            ngettext(
                "The selected claims belong to %(count)s region. ",
                "The selected claims belong to %(count)s regions. ",
                len(regions),
            )
            % {"count": len(regions)}
            + _(
                "Each region pays from its own account, so each needs its own batch: please filter the "
                "list by region and prepare one batch per region."
            )
        )
    (region,) = regions
    account = PayingAccount.objects.filter(region=region).first()
    if account is None:
        raise ValidationError(
            _(
                "%(region)s has no paying account yet, so no transfer file can be made. The portal's "
                "administration enters it (Admin → Paying accounts)."
            )
            % {"region": region.name}
        )
    # What the bank would refuse is left out here, not found when the file is downloaded.
    debtor = sepa.DebtorAccount(name=account.account_holder, iban=account.iban, bic=account.bic)
    while payable:
        try:
            sepa.credit_transfer_xml(
                debtor=debtor,
                message_id="LP-CHECK",
                execution_date=execution_date,
                transfers=[transfer_for(claim) for claim in payable],
            )
            break
        except sepa.SepaError as error:
            if error.index is None:
                raise ValidationError(
                    _("The paying account of %(region)s cannot be used: %(error)s")
                    % {"region": region.name, "error": error}
                ) from error
            claim = payable.pop(error.index)
            result.skipped.append((claim, _("the bank details cannot be used for a SEPA transfer")))
    if not payable:
        return result
    batch = PayoutBatch.objects.create(
        region=region,
        reference=f"pending-{uuid.uuid4().hex[:27]}",  # the real one needs the id
        execution_date=execution_date,
        total=sum((claim.amount for claim in payable), Decimal("0")),
        count=len(payable),
        debtor_name=account.account_holder,
        debtor_iban=account.iban,
        debtor_bic=account.bic,
        created_by=acting_user,
        created_at=now,
    )
    batch.reference = sepa.batch_reference(region.slug, batch.pk, execution_date)
    batch.transfers = [snapshot(claim) for claim in payable]
    batch.save(update_fields=["reference", "transfers"])
    AllowanceClaim.objects.filter(pk__in=[claim.pk for claim in payable]).update(payout_batch=batch)
    record(Action.PAYOUT_BATCH, actor=acting_user, target=batch, step="prepared", claims=len(payable))
    result.batch = batch
    return result


def _lock_batch(batch: PayoutBatch, acting_user) -> PayoutBatch:
    locked = PayoutBatch.objects.editable_by(acting_user).select_for_update().filter(pk=batch.pk).first()
    if locked is None:
        raise PermissionDenied
    _payers_only(acting_user, locked.region_id)
    return locked


@transaction.atomic
def confirm_sent(*, batch: PayoutBatch, acting_user) -> PayoutBatch:
    """The payer confirms the file went to the bank: the batch is sent, its claims are paid. Refused when a
    claim or a payee's bank details changed since the batch was prepared (cancel it and make a new one)."""
    batch = _lock_batch(batch, acting_user)
    if batch.status != PayoutBatch.Status.PREPARED:
        raise ValidationError(_("This batch is no longer open: it was sent or cancelled."))
    claims = list(
        rules.with_cap_figures(
            AllowanceClaim.objects.filter(payout_batch=batch)
            .select_for_update(of=("self",))
            .select_related("lotse")
            .order_by("pk")
        )
    )
    if any(acts_for_self(acting_user, claim.lotse) for claim in claims):
        raise ValidationError(
            _("This batch holds your own claim: another person who pays the region confirms it.")
        )
    problem = stale_reason(batch, claims)
    now = timezone.now()
    for claim in claims:
        if problem:
            break
        reason = rules.why_not_payable(
            claim, user=acting_user, declaration_on_file=claim.declaration_on_file, now=now, in_batch=batch.pk
        )
        if reason:
            problem = _("%(lotse)s, %(month)s: %(reason)s.") % {
                "lotse": claim.lotse.full_name,
                "month": claim.month.strftime("%m/%Y"),
                "reason": reason,
            }
    if problem:
        raise ValidationError(
            _("The batch was not confirmed: %(problem)s Please cancel it and prepare a new one.")
            % {"problem": problem}
        )
    AllowanceClaim.objects.filter(pk__in=[claim.pk for claim in claims]).update(
        status=Status.PAID, paid_at=now, paid_by=acting_user
    )
    rows_updated.send(sender=AllowanceClaim, pks=[claim.pk for claim in claims])
    for claim in claims:
        claim.status, claim.paid_at, claim.paid_by = Status.PAID, now, acting_user
        record(
            Action.CLAIM_PAID, actor=acting_user, target=claim, batch=batch.reference, batch_size=len(claims)
        )
    batch.status, batch.sent_at, batch.sent_by = PayoutBatch.Status.SENT, now, acting_user
    batch.save(update_fields=["status", "sent_at", "sent_by"])
    paid_ids, batch_id = [claim.pk for claim in claims], batch.pk
    # after the commit: whoever listens (the statements) must find the claims paid
    transaction.on_commit(lambda: claims_paid.send(sender=PayoutBatch, claim_ids=paid_ids, batch_id=batch_id))
    return batch


@transaction.atomic
def cancel_batch(*, batch: PayoutBatch, acting_user, not_uploaded: bool = False) -> PayoutBatch:
    """A prepared batch is dropped: its claims are free for another batch. A sent batch stays. Once its
    SEPA file was downloaded, only with the payer's word that the file was not uploaded to the bank
    (``not_uploaded``): otherwise the claims would be paid again by the next batch. The batch keeps its
    transfers, so what a cancelled file held can always be looked up."""
    batch = _lock_batch(batch, acting_user)
    if batch.status == PayoutBatch.Status.SENT:
        raise ValidationError(_("This batch was sent to the bank and can no longer be cancelled."))
    if batch.status != PayoutBatch.Status.PREPARED:
        raise ValidationError(_("This batch is already cancelled."))
    if batch.file_downloaded_at is not None and not not_uploaded:
        raise ValidationError(
            _(
                "The SEPA file of this batch was downloaded on %(date)s. Cancel it only if the file was not "
                "uploaded to the bank, and say so by ticking the box; if it was, confirm the batch as sent."
            )
            % {"date": timezone.localtime(batch.file_downloaded_at).strftime("%d.%m.%Y %H:%M")}
        )
    list(AllowanceClaim.objects.filter(payout_batch=batch).select_for_update(of=("self",)).values_list("pk"))
    AllowanceClaim.objects.filter(payout_batch=batch).update(payout_batch=None)
    batch.status, batch.cancelled_at, batch.cancelled_by = (
        PayoutBatch.Status.CANCELLED,
        timezone.now(),
        acting_user,
    )
    batch.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    record(
        Action.PAYOUT_BATCH,
        actor=acting_user,
        target=batch,
        step="cancelled",
        after_download=batch.file_downloaded_at is not None,
    )
    batch_cancelled.send(sender=PayoutBatch, batch_id=batch.pk, acting_user=acting_user)
    return batch


def note_file_downloaded(batch: PayoutBatch) -> None:
    """Remember the first download of the SEPA file (a conditional UPDATE: the first one stays)."""
    PayoutBatch.objects.filter(pk=batch.pk, file_downloaded_at__isnull=True).update(
        file_downloaded_at=timezone.now()
    )
