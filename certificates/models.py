import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet

# No 0/O, 1/I/L: codes are typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def certificate_upload_to(instance, filename: str) -> str:
    return f"certificates/{instance.verification_code}.pdf"


class CertificateBatchQuerySet(ScopedQuerySet):
    # Batches are a coordinator's tool: Lotsen see their certificates, never the batch.
    region_lookup = "region"

    def with_progress(self):
        """Annotate done / failed counts from the certificates' statuses (one query for any number)."""
        done = Q(certificates__status__in=[Certificate.Status.ISSUED, Certificate.Status.REVOKED])
        return self.annotate(
            done_count=Count("certificates", filter=done),
            failed_count=Count("certificates", filter=Q(certificates__status=Certificate.Status.FAILED)),
        )


class CertificateBatch(models.Model):
    """Certificates issued together for one region or one event; progress is counted from their statuses."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_batches",
        help_text=_("Empty for a programme-wide event with Lotsen from several regions."),
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_batches",
    )
    programme_year = models.PositiveSmallIntegerField(_("programme year"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    total = models.PositiveIntegerField(_("certificates in the batch"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CertificateBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event or self.region} {self.programme_year} ({self.total})"

    def progress(self) -> dict[str, int]:
        """done / failed / total, counted from the certificates (use with_progress() for lists)."""
        if hasattr(self, "done_count"):
            done, failed = self.done_count, self.failed_count
        else:
            counts = (
                CertificateBatch.objects.with_progress().values("done_count", "failed_count").get(pk=self.pk)
            )
            done, failed = counts["done_count"], counts["failed_count"]
        return {"done": done, "failed": failed, "total": self.total, "finished": done + failed >= self.total}


class CertificateQuerySet(ScopedQuerySet):
    region_lookup = "lotse__region"
    owner_lookup = "lotse__user"

    #: Statuses that hold the one certificate a Lotse may have per programme year.
    VALID_STATUSES = ("pending", "rendering", "issued")

    def valid(self):
        return self.filter(status__in=self.VALID_STATUSES)


class Certificate(models.Model):
    """A participation certificate (Teilnahmebescheinigung) of a Lotse, one row per version."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be rendered")
        RENDERING = "rendering", _("rendering")
        ISSUED = "issued", _("issued")
        FAILED = "failed", _("failed")
        REVOKED = "revoked", _("revoked")

    lotse = models.ForeignKey(
        "lotsen.Lotse", verbose_name=_("Lotse"), on_delete=models.PROTECT, related_name="certificates"
    )
    programme_year = models.PositiveSmallIntegerField(_("programme year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    verification_code = models.CharField(
        _("verification code"), max_length=16, unique=True, default=new_verification_code, editable=False
    )
    file = models.FileField(_("file"), upload_to=certificate_upload_to, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    batch = models.ForeignKey(
        CertificateBatch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lotse", "programme_year", "version"], name="certificate_once_per_lotse_year_version"
            ),
            # At most one certificate per Lotse and programme year that is not revoked or failed.
            models.UniqueConstraint(
                fields=["lotse", "programme_year"],
                condition=Q(status__in=["pending", "rendering", "issued"]),
                name="certificate_one_valid_per_lotse_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lotse} {self.programme_year} v{self.version}"

    @property
    def issue_date(self) -> datetime.date:
        """The date printed on the certificate: the day the coordinator issued it (not when it rendered)."""
        return timezone.localdate(self.created_at)

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def is_downloadable(self) -> bool:
        # A revoked certificate is no longer handed out; the verify page still answers for it.
        return self.status == self.Status.ISSUED and bool(self.file)
