"""A Lotse's contracts: create, renew, end, attach the signed PDF.

Every write locks the Lotse row first, so two coordinators (or two clicks) cannot create two overlapping
contracts; the database constraint ``contract_one_active_per_lotse`` is the last line behind the check.
"""

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from allowances import rules
from allowances.models import Contract
from audit.services import Action, record
from lotsen.models import Lotse
from lotsen.services.lotsen import change_status, lock_editable_lotse
from portal.access import forbid_self
from portal.dates import ONE_DAY

logger = logging.getLogger(__name__)


def _fmt(day: datetime.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else _("open-ended")


def _check_dates(starts_on: datetime.date, ends_on: datetime.date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The contract cannot end before it starts.")})


def _check_terms(lotse: Lotse, allowance_type: str, rate: Decimal) -> None:
    """The rate within the region's limit (allowances.rules.contract_problems): a forged POST cannot store
    250 € an hour either."""
    problems = rules.contract_problems(allowance_type=allowance_type, rate=rate, region=lotse.region)
    if problems:
        raise ValidationError(problems)


def _check_no_overlap(lotse: Lotse, starts_on: datetime.date, ends_on: datetime.date | None, *, exclude=None):
    """Refuse a period that overlaps an active contract, or the time an ended contract actually ran."""
    others = Contract.objects.filter(lotse=lotse).exclude(status=Contract.Status.DRAFT)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    # Two periods overlap when each starts before the other ends (an empty end is open-ended).
    overlapping = others.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    clash = overlapping.order_by("starts_on").first()
    if clash is not None:
        raise ValidationError(
            {
                "starts_on": ValidationError(
                    _(
                        "This period overlaps the contract from %(start)s to %(end)s. End or renew that "
                        "contract instead."
                    )
                    % {"start": _fmt(clash.starts_on), "end": _fmt(clash.ends_on)},
                    code="overlap",
                )
            }
        )
    active = others.filter(status=Contract.Status.ACTIVE).first()
    if active is not None:
        raise ValidationError(
            _("This Lotse already has an active contract (since %(start)s). End or renew it first.")
            % {"start": _fmt(active.starts_on)},
            code="active_exists",
        )


def _create(*, lotse: Lotse, acting_user, **fields) -> Contract:
    contract = Contract(lotse=lotse, status=Contract.Status.ACTIVE, created_by=acting_user, **fields)
    try:
        # A savepoint, so a lost race with the unique constraint leaves the outer transaction usable.
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        raise ValidationError(_("This Lotse already has an active contract."), code="active_exists") from exc
    return contract


@transaction.atomic
def create_contract(
    *,
    lotse: Lotse,
    acting_user,
    starts_on: datetime.date,
    rate: Decimal,
    ends_on: datetime.date | None = None,
    allowance_type: str = Contract.AllowanceType.MONTHLY_FLAT,
    tax_allowance: str = Contract._meta.get_field("tax_allowance").default,
    organisation=None,
    signed_on: datetime.date | None = None,
) -> Contract:
    lotse = lock_editable_lotse(lotse=lotse, acting_user=acting_user)
    # The contract's rate caps the person's own claims: nobody sets it for themselves.
    forbid_self(acting_user, lotse)
    _check_dates(starts_on, ends_on)
    _check_terms(lotse, allowance_type, rate)
    if organisation is not None and organisation.region_id != lotse.region_id:
        raise ValidationError({"organisation": _("This organisation is not in the Lotse's region.")})
    _check_no_overlap(lotse, starts_on, ends_on)
    contract = _create(
        lotse=lotse,
        acting_user=acting_user,
        starts_on=starts_on,
        ends_on=ends_on,
        rate=rate,
        allowance_type=allowance_type,
        tax_allowance=tax_allowance,
        organisation=organisation,
        signed_on=signed_on,
    )
    logger.info("contract %s created for lotse %s by user %s", contract.pk, lotse.pk, acting_user.pk)
    record(Action.CONTRACT, actor=acting_user, target=contract, operation="create")
    if lotse.status == Lotse.Status.CANDIDATE:
        # A signed contract is what makes a candidate a Lotse: without this the new Lotse would be missing
        # from "active Lotsen" until someone remembers to change the status by hand.
        change_status(
            lotse=lotse,
            status=Lotse.Status.ACTIVE,
            effective_on=max(starts_on, lotse.status_since),
            acting_user=acting_user,
            note=_("contract from %(date)s") % {"date": _fmt(starts_on)},
        )
    return contract


def _lock_contract(contract: Contract, acting_user) -> tuple[Lotse, Contract]:
    lotse = lock_editable_lotse(lotse=contract.lotse, acting_user=acting_user)
    forbid_self(acting_user, lotse)
    locked = Contract.objects.select_for_update().filter(pk=contract.pk, lotse=lotse).first()
    if locked is None:
        raise PermissionDenied
    return lotse, locked


def _end(contract: Contract, ended_on: datetime.date) -> None:
    contract.status, contract.ended_on = Contract.Status.ENDED, ended_on
    if contract.ends_on is None or contract.ends_on > ended_on:
        contract.ends_on = ended_on
    contract.save(update_fields=["status", "ended_on", "ends_on"])


@transaction.atomic
def end_contract(*, contract: Contract, ended_on: datetime.date, acting_user) -> Contract:
    """End an active contract on a date (its last day)."""
    _lotse, contract = _lock_contract(contract, acting_user)
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(_("This contract is not active."))
    if ended_on < contract.starts_on:
        raise ValidationError(
            {
                "ended_on": _("The contract cannot end before it starts (%(date)s).")
                % {"date": _fmt(contract.starts_on)}
            }
        )
    _end(contract, ended_on)
    logger.info("contract %s ended by user %s", contract.pk, acting_user.pk)
    record(Action.CONTRACT, actor=acting_user, target=contract, operation="end")
    return contract


@transaction.atomic
def renew_contract(
    *,
    contract: Contract,
    acting_user,
    starts_on: datetime.date,
    rate: Decimal,
    ends_on: datetime.date | None = None,
    allowance_type: str = Contract.AllowanceType.MONTHLY_FLAT,
    tax_allowance: str = Contract._meta.get_field("tax_allowance").default,
    signed_on: datetime.date | None = None,
) -> Contract:
    """End the active contract the day before ``starts_on`` and start the new one, both or neither."""
    lotse, current = _lock_contract(contract, acting_user)
    if current.status != Contract.Status.ACTIVE:
        raise ValidationError(_("Only an active contract can be renewed."))
    if starts_on <= current.starts_on:
        raise ValidationError(
            {
                "starts_on": _("The new contract must start after the current one (%(date)s).")
                % {"date": _fmt(current.starts_on)}
            }
        )
    _check_dates(starts_on, ends_on)
    _check_terms(lotse, allowance_type, rate)
    _end(current, min(starts_on - ONE_DAY, current.ends_on or starts_on))
    _check_no_overlap(lotse, starts_on, ends_on)
    renewed = _create(
        lotse=lotse,
        acting_user=acting_user,
        starts_on=starts_on,
        ends_on=ends_on,
        rate=rate,
        allowance_type=allowance_type,
        tax_allowance=tax_allowance,
        organisation=current.organisation,
        signed_on=signed_on,
    )
    logger.info("contract %s renewed as %s by user %s", current.pk, renewed.pk, acting_user.pk)
    record(Action.CONTRACT, actor=acting_user, target=renewed, operation="renew", previous=current.pk)
    return renewed


@transaction.atomic
def attach_signed_document(*, contract: Contract, document, acting_user) -> Contract:
    """Store the signed PDF under a generated name; a replaced file is deleted after the commit."""
    _lotse, contract = _lock_contract(contract, acting_user)
    old = contract.signed_document.name if contract.signed_document else ""
    contract.signed_document.save("contract.pdf", document, save=False)
    contract.save(update_fields=["signed_document"])
    if old:
        storage = contract.signed_document.storage
        transaction.on_commit(lambda: storage.delete(old))
    logger.info("signed document attached to contract %s by user %s", contract.pk, acting_user.pk)
    record(Action.CONTRACT, actor=acting_user, target=contract, operation="upload", replaced=bool(old))
    return contract
