"""Billing runs and the papers of the money (README "Billing runs and statements").

A ``BillingRun`` is the monthly round of a region: started once per region and month (the unique constraint
makes a second start find the first), it invites the Lotsen with a contract that month, shows who claimed,
and is closed into one payout batch of ``allowances``. A ``ClaimStatement`` is the PDF of one paid claim, a
``YearEndStatement`` the tax paper of a Lotse's calendar year (versioned, checked on ``/verify/``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from certificates.models import new_verification_code
from portal.scoping import ScopedQuerySet


class BillingRunQuerySet(ScopedQuerySet):
    # A run is the office's tool: Lotsen see their claims, never the run.
    region_lookup = "region"
    owner_lookup = None


class BillingRun(models.Model):
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="billing_runs"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month billed."))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the worker started it on the region's day."),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    payout_batch = models.ForeignKey(
        "allowances.PayoutBatch",
        verbose_name=_("payout batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="billing_runs",
    )

    objects = BillingRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-month", "region__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month"],
                name="billing_run_once_per_region_and_month",
                violation_error_message=_("This month's billing run of the region has already been started."),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="billing_run_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.month:%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def statement_upload_to(instance, filename: str) -> str:
    # By the claim id only: a rerun overwrites the same file (the file holds a name and an amount).
    return f"statements/claims/claim-{instance.claim_id}.pdf"


class ClaimStatementQuerySet(ScopedQuerySet):
    region_lookup = "claim__lotse__region"
    owner_lookup = "claim__lotse__user"


class ClaimStatement(models.Model):
    """The PDF statement of one paid claim (Abrechnungsbeleg), rendered by the worker once it is paid."""

    claim = models.OneToOneField(
        "allowances.AllowanceClaim",
        verbose_name=_("allowance claim"),
        on_delete=models.CASCADE,
        related_name="statement",
    )
    file = models.FileField(_("file"), upload_to=statement_upload_to, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    objects = ClaimStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim statement")
        verbose_name_plural = _("claim statements")

    def __str__(self) -> str:
        return str(self.claim_id)


class YearEndBatchQuerySet(ScopedQuerySet):
    region_lookup = "region"
    owner_lookup = None

    def with_progress(self):
        done = Q(statements__status__in=YearEndStatement.HANDED_OUT)
        return self.annotate(
            done_count=Count("statements", filter=done),
            failed_count=Count("statements", filter=Q(statements__status=YearEndStatement.Status.FAILED)),
        )


class YearEndBatch(models.Model):
    """The year-end statements of one region and year, issued together (January, by the worker or a payer)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="year_end_batches"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    total = models.PositiveIntegerField(_("statements in the batch"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = YearEndBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("year-end statement batch")
        verbose_name_plural = _("year-end statement batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region} {self.year} ({self.total})"

    def progress(self) -> dict[str, int]:
        if hasattr(self, "done_count"):
            done, failed = self.done_count, self.failed_count
        else:
            counts = YearEndBatch.objects.with_progress().values("done_count", "failed_count").get(pk=self.pk)
            done, failed = counts["done_count"], counts["failed_count"]
        return {"done": done, "failed": failed, "total": self.total, "finished": done + failed >= self.total}


def year_end_upload_to(instance, filename: str) -> str:
    return f"statements/year-end/{instance.verification_code}.pdf"


class YearEndStatementQuerySet(ScopedQuerySet):
    region_lookup = "lotse__region"
    owner_lookup = "lotse__user"

    def current(self):
        return self.filter(status__in=YearEndStatement.CURRENT)


class YearEndStatement(models.Model):
    """A Lotse's year-end statement of the allowances paid in a calendar year, one row per version.

    A re-issue (a payment was corrected) makes version n+1 (pending); the old one stays valid until the
    new one is rendered and issued, then it is superseded (in the same transaction) and says so on
    ``/verify/``. A failed new version leaves the old one valid."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be rendered")
        ISSUED = "issued", _("issued")
        FAILED = "failed", _("failed")
        SUPERSEDED = "superseded", _("superseded by a newer version")

    #: the statements of a Lotse and year that are not superseded or failed: at most one issued and one
    #: pending (the next version, waiting to be rendered)
    CURRENT = ("pending", "issued")
    #: what the verification page answers for and the batch counts as done
    HANDED_OUT = ("issued", "superseded")

    lotse = models.ForeignKey(
        "lotsen.Lotse", verbose_name=_("Lotse"), on_delete=models.PROTECT, related_name="year_end_statements"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    verification_code = models.CharField(
        _("verification code"), max_length=16, unique=True, default=new_verification_code, editable=False
    )
    #: the paid claims the statement was made from (ids and amounts): a re-issue is needed when they change
    payments_digest = models.CharField(_("payments fingerprint"), max_length=64)
    total = models.DecimalField(_("total (EUR)"), max_digits=9, decimal_places=2)
    file = models.FileField(_("file"), upload_to=year_end_upload_to, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=150, blank=True)
    signer_role = models.CharField(_("role of the signer"), max_length=200, blank=True)
    batch = models.ForeignKey(
        YearEndBatch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = YearEndStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("year-end statement")
        verbose_name_plural = _("year-end statements")
        ordering = ["-year", "lotse__last_name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["lotse", "year", "version"], name="year_end_once_per_lotse_year_version"
            ),
            models.UniqueConstraint(
                fields=["lotse", "year"],
                condition=Q(status="issued"),
                name="year_end_one_issued_per_lotse_year",
            ),
            models.UniqueConstraint(
                fields=["lotse", "year"],
                condition=Q(status="pending"),
                name="year_end_one_pending_per_lotse_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lotse} {self.year} v{self.version}"

    @property
    def is_downloadable(self) -> bool:
        return self.status in self.HANDED_OUT and bool(self.file)
