"""Paying claims the way a payer does: a payout batch (claims:pay with its confirmation), then the batch
confirmed as sent. For tests elsewhere that need paid claims or check what paying refuses."""

import datetime

from django.urls import reverse
from django.utils import timezone

from allowances.models import PayingAccount, PayoutBatch

OWL_ACCOUNT = {
    "account_holder": "Regionalagentur OWL",
    "iban": "DE58480501610077123456",
    "bic": "SPBIDE3BXXX",
}


def paying_account(region, **fields) -> PayingAccount:
    account, _created = PayingAccount.objects.get_or_create(region=region, defaults={**OWL_ACCOUNT, **fields})
    return account


def execution_day() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def prepare(client, claim_ids, **extra):
    """POST the pay page's selection and confirm it: the response of creating the batch."""
    data = {"claims": list(claim_ids), "confirm": "1", "execution_date": execution_day().isoformat(), **extra}
    return client.post(reverse("claims:pay"), data)


def pay(client, claim_ids):
    """Prepare a batch of the claims and confirm it as sent (the client re-authenticated and pays)."""
    response = prepare(client, claim_ids)
    batch = PayoutBatch.objects.order_by("-pk").first()
    if batch is None or batch.status != PayoutBatch.Status.PREPARED:
        return response
    return client.post(reverse("claims:batch_confirm_sent", args=[batch.pk]))


def confirm_latest(client):
    """Confirm the newest batch as sent to the bank."""
    batch = PayoutBatch.objects.order_by("-pk").first()
    return client.post(reverse("claims:batch_confirm_sent", args=[batch.pk]))
