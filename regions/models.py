from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.scoping import NOTHING, ScopedQuerySet
from regions.images import IMAGE_FORMATS, region_image_upload_to, validate_region_image

_IMAGE_VALIDATORS = [
    FileExtensionValidator([*IMAGE_FORMATS.values(), "jpeg"]),
    validate_region_image,
]


class RegionQuerySet(ScopedQuerySet):
    region_lookup = "pk"

    def own_condition(self, user) -> Q:
        lotse = user.lotse_profile
        return Q(pk=lotse.region_id) if lotse else NOTHING


class Region(models.Model):
    """One of the labour-market regions of NRW, coordinated by a Regionalagentur or a municipal body."""

    class BodyKind(models.TextChoices):
        REGIONALAGENTUR = "regionalagentur", _("Regional agency (Regionalagentur)")
        KOMMUNALES_INTEGRATIONSZENTRUM = (
            "ki",
            _("Municipal integration centre (Kommunales Integrationszentrum)"),
        )
        INTEGRATIONSBEAUFTRAGTE = (
            "integrationsbeauftragte",
            _("Integration commissioner (Integrationsbeauftragte)"),
        )
        OTHER = "other", _("Other body")

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    coordinating_body = models.CharField(_("coordinating body"), max_length=200)
    coordinating_body_kind = models.CharField(
        _("kind of coordinating body"),
        max_length=30,
        choices=BodyKind.choices,
        default=BodyKind.REGIONALAGENTUR,
    )
    address = models.TextField(_("address of the coordinating body"), blank=True)
    signatory_name = models.CharField(_("signatory on certificates"), max_length=150, blank=True)
    signatory_function = models.CharField(_("function of the signatory"), max_length=150, blank=True)
    certificate_place = models.CharField(_("place of issue on certificates"), max_length=100, blank=True)
    # Certificates: the region's logo beside the programme's, and the signatory's signature above the line.
    # Without a logo only the programme's is printed; without a signature image the line stays empty.
    logo = models.FileField(
        _("logo on certificates"),
        upload_to=region_image_upload_to,
        validators=_IMAGE_VALIDATORS,
        blank=True,
        help_text=_("PNG or JPEG, at most 1 MB; printed at the top right of the certificate."),
    )
    signature_image = models.FileField(
        _("signature image on certificates"),
        upload_to=region_image_upload_to,
        validators=_IMAGE_VALIDATORS,
        blank=True,
        help_text=_(
            "PNG or JPEG (a transparent PNG looks best), at most 1 MB; printed above the signatory's name."
        ),
    )
    min_trainings_for_certificate = models.PositiveSmallIntegerField(
        _("training sessions required for a certificate"),
        null=True,
        blank=True,
        help_text=_("Empty: the programme default applies."),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    IMAGE_FIELDS = ("logo", "signature_image")

    def save(self, *args, **kwargs):
        """Save; an image replaced or removed is deleted from the storage once the change is committed (no
        retention rule needed: nothing stays behind). With ``update_fields`` only the images saved count: a
        stale instance saving its name must not delete the image uploaded meanwhile."""
        replaced = []
        update_fields = kwargs.get("update_fields")
        saved_images = [name for name in self.IMAGE_FIELDS if update_fields is None or name in update_fields]
        if self.pk is not None and saved_images:
            stored = Region.objects.filter(pk=self.pk).values(*saved_images).first() or {}
            for name in saved_images:
                old = stored.get(name) or ""
                if old and old != getattr(self, name).name:
                    replaced.append(old)
        super().save(*args, **kwargs)
        storage = self._meta.get_field("logo").storage
        for name in replaced:
            transaction.on_commit(lambda name=name: storage.delete(name))


class DistrictQuerySet(ScopedQuerySet):
    def own_condition(self, user) -> Q:
        lotse = user.lotse_profile
        return Q(region_id=lotse.region_id) if lotse else NOTHING


class District(models.Model):
    """A Kreis, kreisfreie Stadt or (where a region cuts through a Kreis) a town belonging to a region."""

    class Kind(models.TextChoices):
        KREIS = "kreis", _("District (Kreis)")
        KREISFREIE_STADT = "kreisfreie_stadt", _("District-free city (kreisfreie Stadt)")
        STAEDTEREGION = "staedteregion", _("City region (Städteregion)")
        KREISANGEHOERIGE_STADT = "kreisangehoerige_stadt", _("Town within a district (kreisangehörige Stadt)")

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="districts"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    official_key = models.CharField(
        _("official municipality key"), max_length=8, blank=True, help_text=_("Amtlicher Gemeindeschlüssel")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="district_name_unique"),
            models.UniqueConstraint(
                fields=["official_key"], condition=~Q(official_key=""), name="district_official_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Coordination(models.Model):
    """A user coordinates a region (works for its Regionalagentur or municipal body)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="coordinations",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="coordinations"
    )
    handles_payments = models.BooleanField(
        _("handles allowance payments"),
        # Off until granted: paying and seeing full bank details is a right given on purpose.
        default=False,
        help_text=_("Pays the allowances of this region and therefore sees full bank details."),
    )
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("coordination")
        verbose_name_plural = _("coordinations")
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="coordination_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.region}"


class Language(models.Model):
    """A language by its ISO 639 code (639-1 where one exists, else 639-3)."""

    code = models.CharField(_("ISO 639 code"), max_length=3, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name_de"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "de").startswith("en") else self.name_de
