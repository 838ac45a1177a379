from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import NOTHING, ScopedQuerySet
from portal.text import FoldedNameQuerySetMixin, folded


class OrganisationQuerySet(FoldedNameQuerySetMixin, ScopedQuerySet):
    def own_condition(self, user) -> Q:
        # A Lotse sees the organisations they belong to (a subquery, so the OR adds no duplicate rows).
        # Lotse.organisations seen from this side (the reverse relation), so organisations imports no lotsen.
        through = self.model.lotsen.through
        return Q(pk__in=through.objects.filter(lotse__user=user).values("organisation_id"))


class Organisation(models.Model):
    """A migrant organisation (Migrantenorganisation, MO) whose members are trained as Lotsen."""

    class LegalForm(models.TextChoices):
        EV = "ev", _("registered association (e.V.)")
        GGMBH = "ggmbh", _("non-profit company (gGmbH)")
        GBR = "gbr", _("civil-law partnership (GbR)")
        UNREGISTERED = "unregistered", _("unregistered initiative")
        OTHER = "other", _("other")

    class CooperationStatus(models.TextChoices):
        INTERESTED = "interested", _("interested")
        PREPARING = "preparing", _("in preparation")
        ACTIVE = "active", _("cooperating")
        PAUSED = "paused", _("paused")
        ENDED = "ended", _("ended")

    #: The five points of the programme's minimum standard for a cooperating organisation.
    MINIMUM_STANDARD_FIELDS = (
        "has_statutes",
        "has_board",
        "has_named_contact",
        "has_meeting_room",
        "has_data_protection_consent",
    )
    MINIMUM_STANDARD_COMPLETE = Q(**dict.fromkeys(MINIMUM_STANDARD_FIELDS, True))

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations"
    )
    district = models.ForeignKey(
        "regions.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=200)
    #: the name folded for comparison (see portal.text.folded): unique per region, whatever the case
    name_key = models.CharField(max_length=400, editable=False)
    legal_form = models.CharField(
        _("legal form"), max_length=20, choices=LegalForm.choices, default=LegalForm.EV
    )
    register_number = models.CharField(
        _("register number"), max_length=40, blank=True, help_text=_("e.g. VR 1234 at the local court")
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    communities = models.CharField(
        _("communities served"), max_length=300, blank=True, help_text=_("e.g. Turkish, Kurdish, Syrian")
    )
    languages = models.ManyToManyField(
        "regions.Language", verbose_name=_("languages served"), blank=True, related_name="organisations"
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    cooperation_status = models.CharField(
        _("cooperation status"),
        max_length=20,
        choices=CooperationStatus.choices,
        default=CooperationStatus.INTERESTED,
    )
    cooperation_since = models.DateField(_("cooperating since"), null=True, blank=True)
    has_statutes = models.BooleanField(_("statutes available"), default=False)
    has_board = models.BooleanField(_("elected board"), default=False)
    has_named_contact = models.BooleanField(_("named contact person for the programme"), default=False)
    has_meeting_room = models.BooleanField(_("meeting room available"), default=False)
    has_data_protection_consent = models.BooleanField(_("data-protection agreement signed"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("migrant organisation")
        verbose_name_plural = _("migrant organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name_key"], name="organisation_name_per_region")
        ]
        indexes = [models.Index(fields=["region", "cooperation_status"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = folded(self.name)
        super().save(*args, **kwargs)

    @property
    def minimum_standard_complete(self) -> bool:
        return all(getattr(self, field) for field in self.MINIMUM_STANDARD_FIELDS)

    def minimum_standard_checklist(self) -> list[tuple[str, bool]]:
        return [
            (self._meta.get_field(f).verbose_name, getattr(self, f)) for f in self.MINIMUM_STANDARD_FIELDS
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.district_id and self.region_id and self.district.region_id != self.region_id:
            raise ValidationError({"district": _("This district does not belong to the selected region.")})


class PartnerInstitutionQuerySet(FoldedNameQuerySetMixin, ScopedQuerySet):
    def own_condition(self, user) -> Q:
        # Lotsen refer clients to the partner institutions of their region.
        lotse = user.lotse_profile
        return Q(region_id=lotse.region_id) if lotse else NOTHING


class PartnerInstitution(models.Model):
    """A mainstream institution (Regelinstitution) or counselling service that Lotsen refer clients to."""

    class Kind(models.TextChoices):
        JOBCENTER = "jobcenter", _("Jobcenter")
        AGENTUR = "agentur", _("Employment agency (Agentur für Arbeit)")
        KI = "ki", _("Municipal integration centre (Kommunales Integrationszentrum)")
        RECOGNITION = "recognition", _("Recognition counselling (Anerkennungsberatung)")
        MIGRATION = "migration", _("Migration counselling")
        TRAINING = "training", _("Training provider")
        CHAMBER = "chamber", _("Chamber (IHK / HWK)")
        OTHER = "other", _("Other")

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="partner_institutions",
    )
    district = models.ForeignKey(
        "regions.District", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=200)
    #: the name folded for comparison (see portal.text.folded): unique per region, whatever the case
    name_key = models.CharField(max_length=400, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.TextField(_("address"), blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PartnerInstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner institution")
        verbose_name_plural = _("partner institutions")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name_key"], name="partner_name_per_region")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = folded(self.name)
        super().save(*args, **kwargs)
