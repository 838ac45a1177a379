from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing runs and statements")

    def ready(self):
        # A paid claim gets its statement: allowances announces the payment (it cannot import this app),
        # billing listens. The year-end statements answer on the public /verify/ page of certificates.
        from allowances.signals import batch_cancelled, claims_paid
        from billing import services, verification
        from certificates.verification import register

        claims_paid.connect(services.on_claims_paid, dispatch_uid="billing-claims-paid")
        # A cancelled batch (stale bank details) reopens its run, to be closed again into a new batch.
        batch_cancelled.connect(services.on_batch_cancelled, dispatch_uid="billing-batch-cancelled")
        register(verification.verify_year_end_statement)
