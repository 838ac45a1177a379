"""The audit trail: who did or saw what, when, on which object and in which region – never the values.

Append-only: the application adds entries and never changes or deletes one (``save`` of an existing entry,
``delete``, and ``update``/``delete`` on a queryset raise). Only the retention rule removes entries past their
time, through :meth:`AuditQuerySet.purge_older_than`.

Why our own model and not a library: django-auditlog records field diffs, i.e. the personal values themselves
(an IBAN before and after), and does not cover "who *saw* a full IBAN"; django-pghistory works with PostgreSQL
triggers only, while the portal must behave the same on SQLite. Both facts rule them out here; what is left is
one table and one function (``audit.services.record``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit entry."""


class AuditQuerySet(ScopedQuerySet):
    # coordinators see their regions' entries; a Lotse those about themselves (their profile filters them)
    region_lookup = "region"
    owner_lookup = "subject__user"

    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are never changed")

    def delete(self):
        raise AppendOnlyError("audit entries are never deleted (retention: purge_older_than)")

    def purge_older_than(self, moment) -> int:
        """The retention rule's one way to remove entries; returns how many went."""
        old = self.model.objects.filter(at__lt=moment)
        return old._raw_delete(old.db)


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        # access to personal data
        VIEW_IBAN = "view_iban", _("saw a full IBAN")
        EXPORT_PERSONAL = "export_personal", _("exported personal data")
        VIEW_CLIENT_PROFILES = "view_client_profiles", _("saw client profiles record by record")
        DATA_REQUEST = "data_request", _("produced a copy of a person's data")
        # changes
        BANK_DATA_CHANGED = "bank_data_changed", _("changed bank data")
        BANK_DATA_CONFIRMED = "bank_data_confirmed", _("confirmed changed bank data")
        CONTRACT = "contract", _("changed a contract")
        CLAIM_DECIDED = "claim_decided", _("decided a claim")
        CLAIM_PAID = "claim_paid", _("paid a claim")
        PAYOUT_BATCH = "payout_batch", _("prepared or cancelled a payout batch")
        BILLING = "billing", _("started, reminded or closed a billing run, or issued statements")
        REGION_IMAGE = "region_image", _("uploaded or removed a certificate image of a region")
        SELF_DECLARATION = "self_declaration", _("recorded or corrected a self-declaration")
        CLAIM_FLAG_ACKNOWLEDGED = "claim_flag_acknowledged", _("acknowledged a plausibility flag of a claim")
        STATUS = "status", _("changed a status")
        RIGHTS = "rights", _("changed roles or rights")
        MFA_RESET = "mfa_reset", _("reset two-factor authentication")
        ADMIN_CHANGE = "admin_change", _("changed data in the admin")
        ANONYMISED = "anonymised", _("anonymised a person")
        RETENTION = "retention", _("deleted or anonymised records past their retention time")
        # logins
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed to log in")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    action = models.CharField(
        _("action"), max_length=30, choices=Action.choices, db_index=True, editable=False
    )
    #: the object acted on, as "app_label.model" and its primary key (no foreign key: any model, kept when
    #: the object is deleted)
    target_type = models.CharField(_("object type"), max_length=60, blank=True, editable=False)
    target_id = models.CharField(_("object id"), max_length=40, blank=True, editable=False)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    #: the Lotse whose data it concerns (they see entries about their bank data on their profile)
    subject = models.ForeignKey(
        "lotsen.Lotse",
        verbose_name=_("concerning"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    #: names, never values: e.g. {"fields": ["iban"], "format": "csv", "rows": 12}
    details = models.JSONField(_("details"), default=dict, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    @property
    def detail_items(self) -> list[tuple[str, str]]:
        """The details as (name, text) pairs for a page or a file; lists joined by commas."""
        return [
            (key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
            for key, value in self.details.items()
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are never deleted")
