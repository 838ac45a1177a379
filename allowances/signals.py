"""What the money path announces to the apps above it (they may not be imported from here).

``claims_paid`` is sent after the transaction that marked claims paid has committed (a payout batch was
confirmed as sent), with ``claim_ids`` and ``batch_id``: billing renders each claim's statement."""

from django.dispatch import Signal

claims_paid = Signal()
