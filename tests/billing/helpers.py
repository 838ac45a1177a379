"""Paid claims the way the portal pays them: approved, a payout batch by the payer, confirmed as sent."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from allowances.models import AllowanceClaim, SelfDeclaration, TaxAllowanceCap, TaxAllowanceKind
from allowances.services.payouts import confirm_sent, create_batch
from tests import factories as f
from tests.allowances.payout_helpers import execution_day, paying_account


def caps():
    TaxAllowanceCap.objects.get_or_create(
        kind=TaxAllowanceKind.EHRENAMTSPAUSCHALE,
        valid_from=datetime.date(2021, 1, 1),
        defaults={"amount": 840},
    )
    TaxAllowanceCap.objects.get_or_create(
        kind=TaxAllowanceKind.UEBUNGSLEITERPAUSCHALE,
        valid_from=datetime.date(2021, 1, 1),
        defaults={"amount": 3000},
    )


def approved_claim(lotse, month: datetime.date, amount="60.00", contract=None) -> AllowanceClaim:
    contract = contract or lotse.contracts.first() or f.ContractFactory(lotse=lotse)
    SelfDeclaration.objects.get_or_create(lotse=lotse, year=month.year, defaults={"received_on": month})
    return f.AllowanceClaimFactory(
        lotse=lotse,
        contract=contract,
        month=month,
        amount=Decimal(amount),
        status=AllowanceClaim.Status.APPROVED,
    )


def pay(claims, payer):
    """A payout batch of the claims, confirmed as sent by ``payer`` (statements render on commit)."""
    paying_account(claims[0].lotse.region)
    result = create_batch(claim_ids=[c.pk for c in claims], execution_date=execution_day(), acting_user=payer)
    assert not result.skipped, result.skipped
    return confirm_sent(batch=result.batch, acting_user=payer)


def on_day(day: datetime.date, hour: int = 10, minute: int = 0):
    """The clock at a local (Berlin) moment: a batch sent then is paid then (its claims' ``paid_at``)."""
    moment = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Europe/Berlin"))
    return time_machine.travel(moment, tick=False)
