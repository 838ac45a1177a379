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


class ConsultationMonthCountQuerySet(ScopedQuerySet):
    # Coordinators see their regions' counts (as in the reports); Lotsen none.
    region_lookup = "region"


class ConsultationMonthCount(models.Model):
    """Consultations of a closed year after their records were deleted (retention, ``privacy.retention``).

    One row per region, month, mode, language and kind of referral, with the number of consultations and of
    each topic and their records' cell-key sums: exactly what ``reports.selectors.build_report`` counts and
    perturbs, so a report on a closed year shows the same figures after the raw records are gone. Nothing
    about a client is kept (no age, gender, country).
    """

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    mode = models.CharField(_("mode"), max_length=20)
    language = models.ForeignKey(
        "regions.Language",
        verbose_name=_("language"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: the kind of partner institution referred to ("none": no referral); the institution itself may go
    referral_kind = models.CharField(_("referred to"), max_length=20)
    n = models.PositiveIntegerField(_("consultations"), default=0)
    topic_job_search = models.PositiveIntegerField(default=0)
    topic_application = models.PositiveIntegerField(default=0)
    topic_recognition = models.PositiveIntegerField(default=0)
    topic_language_courses = models.PositiveIntegerField(default=0)
    topic_jobcenter = models.PositiveIntegerField(default=0)
    topic_training = models.PositiveIntegerField(default=0)
    topic_self_employment = models.PositiveIntegerField(default=0)
    topic_other = models.PositiveIntegerField(default=0)
    # The sums of the deleted records' cell keys (lotsen.Consultation.cell_key) for each count above: the
    # report perturbs a cell from its records' key sum, so a closed year keeps exactly the noise it had.
    key_sum = models.BigIntegerField(default=0)
    topic_job_search_keys = models.BigIntegerField(default=0)
    topic_application_keys = models.BigIntegerField(default=0)
    topic_recognition_keys = models.BigIntegerField(default=0)
    topic_language_courses_keys = models.BigIntegerField(default=0)
    topic_jobcenter_keys = models.BigIntegerField(default=0)
    topic_training_keys = models.BigIntegerField(default=0)
    topic_self_employment_keys = models.BigIntegerField(default=0)
    topic_other_keys = models.BigIntegerField(default=0)

    objects = ConsultationMonthCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation count of a closed year")
        verbose_name_plural = _("consultation counts of closed years")
        indexes = [models.Index(fields=["region", "month"])]
        constraints = [models.CheckConstraint(condition=models.Q(month__day=1), name="month_count_first_day")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%m/%Y}: {self.n}"
