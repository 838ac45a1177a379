import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet


def report_upload_to(instance, filename: str) -> str:
    # A generated name: nothing about the report or the person is in the path.
    return f"reports/{uuid.uuid4().hex}.pdf"


class ReportExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A PDF summary is served only to the person who requested it (it was rendered for their scope)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(requested_by=user)


class ReportExport(models.Model):
    """A PDF programme summary rendered in the background by the Celery worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being rendered")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="report_exports",
    )
    #: the report filters (period, region), validated again by the task for the requester's scope
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to=report_upload_to, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class MonthlyCountQuerySet(ScopedQuerySet):
    # Coordinators see their regions' counts (as in the reports); Lotsen none.
    region_lookup = "region"


class MonthlyCount(models.Model):
    """The reports' rollup: one figure of one region in one month (README "Reports: rollups").

    ``reports.rollups`` writes these rows, recomputing a whole region-month from the raw records whenever one
    of them changes; ``reports.selectors.build_report`` reads nothing else for the monthly figures. A row is
    one reporting dimension and value (consultations by topic "job_search", claims paid of kind "uel", …)
    with its count ``n``, for consultations the sum of the records' cell keys (``key_sum``, so the report
    perturbs exactly as from the records, ``reports.privacy``) and for money and hours an ``amount``.
    Nothing about a single client is kept: consultations are counted per region and month only, by topic,
    mode, language, kind of referral and age group (the client's age band, never a birth date; gender and
    country are not counted), and every count is shown with cell-key noise. So the rows stay when retention
    deletes a closed year's consultations (``RollupMonth.closed``).
    """

    class Dimension(models.TextChoices):
        CONSULTATIONS = "consultations", _("consultations")
        TOPIC = "topic", _("consultations by topic")
        MODE = "mode", _("consultations by mode")
        LANGUAGE = "language", _("consultations by language")
        REFERRAL = "referral", _("consultations by referral")
        #: by the client's age band (``Consultation.AgeBand``, "na" not stated)
        AGE = "age", _("consultations by age group")
        #: Lotsen who joined in the month (not candidates), by the month they left ("" still on the roster)
        JOINED = "joined", _("Lotsen joined")
        TRAININGS = "trainings", _("trainings and hours")
        PARTICIPATIONS = "participations", _("training participations")
        CERTIFICATES = "certificates", _("certificates issued")
        #: claims for the month by kind of tax allowance, with their amounts
        APPROVED = "approved", _("allowances approved")
        PAID = "paid", _("allowances paid")

    #: the dimensions that count consultations (with cell-key sums)
    CONSULTATION_DIMENSIONS = (
        Dimension.CONSULTATIONS,
        Dimension.TOPIC,
        Dimension.MODE,
        Dimension.LANGUAGE,
        Dimension.REFERRAL,
        Dimension.AGE,
    )

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    #: the category within the dimension: a topic, mode, language id, kind of referral, age band or kind of
    #: allowance …
    value = models.CharField(_("value"), max_length=30, blank=True)
    n = models.PositiveIntegerField(_("count"), default=0)
    key_sum = models.BigIntegerField(_("sum of record keys"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)

    objects = MonthlyCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly count")
        verbose_name_plural = _("monthly counts")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month", "dimension", "value"], name="monthly_count_unique"
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="monthly_count_first_day"),
        ]
        indexes = [
            # the report: one dimension over a range of months for all regions (index-only on PostgreSQL)
            models.Index(
                fields=["dimension", "month", "region"],
                include=["value", "n", "key_sum", "amount"],
                name="monthly_count_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%m/%Y} {self.dimension} {self.value}: {self.n}"


class RollupMonth(models.Model):
    """One region-month of the rollup: the row locked while it is recomputed, and whether it is closed.

    ``closed``: retention has deleted the month's consultations (``privacy.retention``); its counts are final
    and are never recomputed from the (now missing) records again.
    """

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    closed = models.BooleanField(_("closed"), default=False)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup month")
        verbose_name_plural = _("rollup months")
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="rollup_month_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="rollup_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%m/%Y}"
