"""What the money path announces to the apps above it (they may not be imported from here).

``claims_paid`` is sent after the transaction that marked claims paid has committed (a payout batch was
confirmed as sent), with ``claim_ids`` and ``batch_id``: billing renders each claim's statement.

``batch_cancelled`` is sent inside the transaction that cancelled a prepared payout batch, with
``batch_id`` and ``acting_user``: billing reopens the run that was closed into it (same transaction)."""

from django.dispatch import Signal

claims_paid = Signal()
batch_cancelled = Signal()
