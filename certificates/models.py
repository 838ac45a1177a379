import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet

# No 0/O, 1/I/L: codes are typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def certificate_upload_to(instance, filename: str) -> str:
    return f"certificates/{instance.verification_code}.pdf"


class CertificateQuerySet(ScopedQuerySet):
    region_lookup = "lotse__region"
    owner_lookup = "lotse__user"


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
