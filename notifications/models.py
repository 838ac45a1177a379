"""Reminders the worker sends (README "Reminders"): what went out once, and who does not want which.

``SentReminder`` is the memory that makes every reminder go out once: a row is claimed (inserted) before the
e-mail is sent, and the unique (kind, key) lets a second run or a second worker find it taken. It holds ids,
never an address. ``ReminderSettings`` keeps a user's choices (and the language of their e-mails);
``GuestOptOut`` the one choice a guest without an account has, made through the link in the e-mail.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The reminders; all of them are optional (essential e-mails never pass through here)."""

    EVENT = "event", _("Event reminders (two days before)")
    DIGEST = "digest", _("Weekly digest for coordinators")
    CLAIM_MONTH = "claim_month", _("Monthly reminder to claim the allowance")


class SentReminder(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    #: what the reminder is about, e.g. "event-2d:<event>:attendance-<id>", "digest:<user>:2026-W49",
    #: "claim-month:<lotse>:2026-11" (ids only)
    key = models.CharField(_("key"), max_length=120)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="reminder_once_per_kind_and_key")]
        indexes = [models.Index(fields=["sent_at"], name="sentreminder_sent_at_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class ReminderSettings(models.Model):
    """A user's choices; no row means every reminder on and e-mails in the portal's default language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_settings",
    )
    language = models.CharField(
        _("language of the e-mails"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    event = models.BooleanField(Kind.EVENT.label, default=True)
    digest = models.BooleanField(Kind.DIGEST.label, default=True)
    claim_month = models.BooleanField(Kind.CLAIM_MONTH.label, default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self.user_id)

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, Kind(kind).value))


class GuestOptOut(models.Model):
    """A guest asked, through the link in the e-mail, not to be reminded of the event (deleted with the
    registration, which the retention rule "guests" removes after the event)."""

    registration = models.OneToOneField(
        "events.GuestRegistration",
        verbose_name=_("guest registration"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("guest opt-out")
        verbose_name_plural = _("guest opt-outs")

    def __str__(self) -> str:
        return str(self.registration_id)
