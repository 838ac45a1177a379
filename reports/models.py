import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
