"""The money of the programme: contracts, the yearly tax-free caps, self-declarations, allowance claims and
payouts. Every rule about money lives in ``allowances.rules``; the services enforce it, the rest asks it."""

import datetime
import re
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.models import Lotse, LotseOwnedQuerySet
from lotsen.validators import normalize_iban, validate_iban
from portal.scoping import ScopedQuerySet


class TaxAllowanceKind(models.TextChoices):
    EHRENAMTSPAUSCHALE = "ehrenamt", _("Volunteer allowance (Ehrenamtspauschale, § 3 Nr. 26a EStG)")
    UEBUNGSLEITERPAUSCHALE = "uebungsleiter", _("Trainer allowance (Übungsleiterpauschale, § 3 Nr. 26 EStG)")


class ContractQuerySet(LotseOwnedQuerySet):
    def active(self):
        return self.filter(status=Contract.Status.ACTIVE)


def contract_upload_to(instance, filename: str) -> str:
    # A generated name: the original file name may contain personal data and is never used.
    return f"contracts/{uuid.uuid4().hex}.pdf"


class Contract(models.Model):
    """The volunteer agreement of a Lotse with its allowance."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    class AllowanceType(models.TextChoices):
        MONTHLY_FLAT = "monthly", _("monthly flat rate")
        HOURLY = "hourly", _("per hour")
        PER_CONSULTATION = "per_consultation", _("per consultation")

    lotse = models.ForeignKey(
        Lotse, verbose_name=_("Lotse"), on_delete=models.PROTECT, related_name="contracts"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    allowance_type = models.CharField(
        _("allowance type"), max_length=20, choices=AllowanceType.choices, default=AllowanceType.MONTHLY_FLAT
    )
    rate = models.DecimalField(
        _("rate (EUR)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    tax_allowance = models.CharField(
        _("tax-free allowance"),
        max_length=20,
        choices=TaxAllowanceKind.choices,
        default=TaxAllowanceKind.EHRENAMTSPAUSCHALE,
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_document = models.FileField(_("signed contract (PDF)"), upload_to=contract_upload_to, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["lotse"],
                condition=Q(status="active"),
                name="contract_one_active_per_lotse",
                violation_error_message=_("This Lotse already has an active contract."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("The contract cannot end before it starts."),
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="contract_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.lotse} ({self.starts_on:%d.%m.%Y})"

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class TaxAllowanceCap(models.Model):
    """A yearly tax-free cap, valid from a date until the next row of the same kind (a dated table)."""

    kind = models.CharField(_("kind"), max_length=20, choices=TaxAllowanceKind.choices)
    valid_from = models.DateField(_("valid from"))
    amount = models.DecimalField(_("amount per year (EUR)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("tax-free cap")
        verbose_name_plural = _("tax-free caps")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="cap_unique_per_kind_and_date")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from:%Y}: {self.amount} €"


class RegionAllowancePolicy(models.Model):
    """A region's own limits for contracts and whether the yearly cap blocks an approval.

    Empty limits mean the programme's setting (CONTRACT_MAX_*_RATE); allowances.rules reads this row."""

    region = models.OneToOneField(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        related_name="allowance_policy",
    )
    max_hourly_rate = models.DecimalField(
        _("highest hourly rate (EUR)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Empty: the programme's limit applies."),
    )
    max_monthly_rate = models.DecimalField(
        _("highest monthly flat rate (EUR)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Empty: the programme's limit applies."),
    )
    max_per_consultation_rate = models.DecimalField(
        _("highest rate per consultation (EUR)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Empty: the programme's limit applies."),
    )
    cap_blocks_approval = models.BooleanField(
        _("the tax-free cap blocks approval"),
        default=False,
        help_text=_(
            "Off: a claim above the year's tax-free cap can be approved after a warning. "
            "On: such a claim cannot be approved."
        ),
    )

    billing_run_day = models.PositiveSmallIntegerField(
        _("day of the billing run"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "Day of the month (1–28) on which the worker starts the billing run of the previous month. "
            "Empty: a payer starts it."
        ),
    )

    class Meta:
        verbose_name = _("allowance policy of a region")
        verbose_name_plural = _("allowance policies of the regions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(max_hourly_rate__isnull=True) | Q(max_hourly_rate__gt=0))
                & (Q(max_monthly_rate__isnull=True) | Q(max_monthly_rate__gt=0))
                & (Q(max_per_consultation_rate__isnull=True) | Q(max_per_consultation_rate__gt=0)),
                name="allowance_policy_limits_positive",
            )
        ]

    def __str__(self) -> str:
        return str(self.region)


def self_declaration_upload_to(instance, filename: str) -> str:
    # A generated name, like the signed contract: the uploaded file's name is never used.
    return f"self-declarations/{uuid.uuid4().hex}.pdf"


class SelfDeclaration(models.Model):
    """A Lotse's yearly declaration that the tax-free allowance is not claimed elsewhere."""

    lotse = models.ForeignKey(Lotse, on_delete=models.CASCADE, related_name="self_declarations")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2010), MaxValueValidator(2100)]
    )
    received_on = models.DateField(_("received on"), default=datetime.date.today)
    document = models.FileField(
        _("signed declaration (PDF)"), upload_to=self_declaration_upload_to, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LotseOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-declaration")
        verbose_name_plural = _("self-declarations")
        constraints = [
            models.UniqueConstraint(fields=["lotse", "year"], name="self_declaration_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.lotse} {self.year}"


_BIC_SHAPE = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def validate_bic(value: str) -> None:
    """A BIC (SWIFT code): 8 or 11 letters and digits, the 5th and 6th the country."""
    if not _BIC_SHAPE.match("".join((value or "").split()).upper()):
        raise ValidationError(_("Enter a BIC: 8 or 11 letters and digits, e.g. WELADED1BIE."), "bic")


class PayingAccount(models.Model):
    """The account a region pays its allowances from (the debtor of its SEPA transfer files).

    Kept by the portal's administration (Django admin, superusers). A payout batch copies it when it is
    prepared, so a later change here never rewrites a batch already made."""

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="paying_account"
    )
    account_holder = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, validators=[validate_bic])

    class Meta:
        verbose_name = _("paying account")
        verbose_name_plural = _("paying accounts")

    def __str__(self) -> str:
        return f"{self.region} – {self.account_holder}"

    def save(self, *args, **kwargs):
        self.iban = normalize_iban(self.iban)
        self.bic = "".join(self.bic.split()).upper()
        super().save(*args, **kwargs)


class PayoutBatchQuerySet(ScopedQuerySet):
    region_lookup = "region"
    owner_lookup = None


class PayoutBatch(models.Model):
    """Approved claims of one region paid together by one SEPA credit-transfer file.

    prepared → sent (the payer confirms the file went to the bank: its claims become paid) or
    prepared → cancelled (its claims are free for another batch). Services in allowances.services.payouts."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("prepared")
        SENT = "sent", _("sent to the bank")
        CANCELLED = "cancelled", _("cancelled")

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="payout_batches"
    )
    reference = models.CharField(_("reference"), max_length=35, unique=True)
    execution_date = models.DateField(_("execution date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREPARED)
    total = models.DecimalField(_("total (EUR)"), max_digits=11, decimal_places=2)
    count = models.PositiveIntegerField(_("number of claims"))
    # the paying account as it was when the batch was prepared
    debtor_name = models.CharField(_("account holder"), max_length=70)
    debtor_iban = models.CharField(_("IBAN"), max_length=34)
    debtor_bic = models.CharField(_("BIC"), max_length=11)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    #: The transfers as prepared (claim id, payee name and IBAN, amount, purpose, end-to-end id): the SEPA
    #: file and the lists are made from this copy, so a sent batch's files always show what was paid, and a
    #: prepared one pays exactly the accounts that were checked. A payment record (kept like the claims).
    transfers = models.JSONField(_("transfers"), default=list, editable=False)
    #: When the SEPA file was first downloaded: cancelling after that needs the payer's word that it was
    #: not uploaded to the bank (or the claims could be paid twice).
    file_downloaded_at = models.DateTimeField(_("file downloaded at"), null=True, blank=True, editable=False)

    objects = PayoutBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=0), name="payout_batch_count_not_negative"),
            models.CheckConstraint(condition=Q(total__gte=0), name="payout_batch_total_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["prepared", "sent", "cancelled"]), name="payout_batch_status_known"
            ),
            # sent and cancelled say when: a batch is never "sent" without the moment it was confirmed
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="payout_batch_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="payout_batch_cancelled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PREPARED

    @property
    def debtor_iban_masked(self) -> str:
        from lotsen.validators import mask_iban

        return mask_iban(self.debtor_iban)


class AllowanceClaimQuerySet(LotseOwnedQuerySet):
    def approved_or_paid(self):
        return self.filter(status__in=AllowanceClaim.COUNTS_AGAINST_CAP)

    def total_for_year(self, lotse_id: int, year: int) -> Decimal:
        total = (
            self.approved_or_paid()
            .filter(lotse_id=lotse_id, month__year=year)
            .aggregate(total=Sum("amount"))["total"]
        )
        return total or Decimal("0")

    def to_decide_by(self, user):
        """Submitted claims the user decides (the decision page's rule): never their own."""
        return self.editable_by(user).filter(AllowanceClaim.to_decide_q(user))

    def to_pay_by(self, user):
        """Approved claims waiting for a payout batch in the regions the user pays, never their own."""
        return self.editable_by(user).filter(AllowanceClaim.to_pay_q(user))


class AllowanceClaim(models.Model):
    """A Lotse's monthly claim for the expense allowance (Aufwandsentschädigung)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        PAID = "paid", _("paid")

    #: The Lotse may still change and (re)submit the claim; a rejected claim goes back to them to fix.
    OPEN_TO_LOTSE = (Status.DRAFT, Status.REJECTED)
    #: What counts against the year's tax-free cap (allowances.rules): approved claims and paid ones.
    COUNTS_AGAINST_CAP = (Status.APPROVED, Status.PAID)

    lotse = models.ForeignKey(Lotse, verbose_name=_("Lotse"), on_delete=models.PROTECT, related_name="claims")
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="claims"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month claimed for."))
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    activities = models.TextField(
        _("activities"),
        blank=True,
        help_text=_("What you did this month, without any client's name."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The batch that pays (or paid) the claim; None while it waits, and again when its batch was cancelled.
    # A claim is in at most one batch by this very column.
    payout_batch = models.ForeignKey(
        PayoutBatch,
        verbose_name=_("payout batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AllowanceClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("allowance claim")
        verbose_name_plural = _("allowance claims")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["lotse", "month"],
                name="claim_once_per_lotse_and_month",
                violation_error_message=_("There is already a claim for this month."),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_not_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="claim_month_is_first_day"),
        ]
        indexes = [models.Index(fields=["status", "month"], name="claim_status_month_idx")]

    def __str__(self) -> str:
        return f"{self.lotse} {self.month:%m/%Y}"

    # What waits for a coordinator: the start page counts these among the claims the user may edit, and
    # the queue's "waiting for" filter lists the same rows (AllowanceClaimQuerySet.to_decide_by/to_pay_by).
    @staticmethod
    def to_decide_q(user) -> Q:
        """Submitted, and not the user's own (a coordinator who is also a Lotse never decides it,
        services.claims forbid_self)."""
        return Q(status=AllowanceClaim.Status.SUBMITTED) & ~Q(lotse__user_id=user.pk)

    @staticmethod
    def to_pay_q(user) -> Q:
        """Approved, something to pay, in no payout batch yet, in a region the user pays, not their own:
        the claims the pay page lets them pick, or tells them what still blocks (rules.why_not_payable)."""
        return Q(
            status=AllowanceClaim.Status.APPROVED,
            amount__gt=0,
            payout_batch__isnull=True,
            lotse__region_id__in=user.paying_region_ids(),
        ) & ~Q(lotse__user_id=user.pk)


class ClaimFlagAcknowledgement(models.Model):
    """A coordinator has seen a plausibility flag of a claim (allowances/plausibility.py) and says why it is
    fine, or what they checked. Flags never block a decision; the note keeps the reasoning with the claim.

    Reached only through its claim (scoped by ``AllowanceClaim.objects.visible_to`` / ``editable_by``) and
    deleted with it, so it follows the claim's retention (privacy/retention.py, rule "claims").
    """

    claim = models.ForeignKey(
        AllowanceClaim,
        verbose_name=_("allowance claim"),
        on_delete=models.CASCADE,
        related_name="flag_acknowledgements",
    )
    #: a flag code of allowances.plausibility (FlagCode)
    code = models.CharField(_("flag"), max_length=40)
    note = models.CharField(_("note"), max_length=500)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledged plausibility flag")
        verbose_name_plural = _("acknowledged plausibility flags")
        ordering = ["acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "code"],
                name="claim_flag_acknowledged_once",
                violation_error_message=_("This flag has already been acknowledged."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim} {self.code}"
