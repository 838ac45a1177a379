"""Writes of the reminders app: a user's reminder settings and the unsubscribe link's one action."""

from __future__ import annotations

from django.db import transaction

from events.models import GuestRegistration
from notifications.models import GuestOptOut, Kind, ReminderSettings

FIELDS = ["language", *Kind.values]


def settings_for(user) -> ReminderSettings:
    """The user's settings (unsaved defaults when they never chose)."""
    return ReminderSettings.objects.filter(user=user).first() or ReminderSettings(user=user)


@transaction.atomic
def save_settings(*, acting_user, language: str, **wanted: bool) -> ReminderSettings:
    """Only for oneself: ``acting_user`` changes their own settings (the account page)."""
    choice, _ = ReminderSettings.objects.select_for_update().get_or_create(user=acting_user)
    choice.language = language
    for kind in Kind.values:
        if kind in wanted:
            setattr(choice, kind, bool(wanted[kind]))
    choice.save(update_fields=[*FIELDS, "updated_at"])
    return choice


def is_unsubscribed(payload: dict) -> bool:
    if "g" in payload:
        return GuestOptOut.objects.filter(registration_id=payload["g"]).exists()
    choice = ReminderSettings.objects.filter(user_id=payload["u"]).first()
    return choice is not None and not choice.wants(payload["k"])


def recipient_exists(payload: dict) -> bool:
    """The link's user or guest registration still exists (the guest's may have been deleted after the
    event). Run as the system from a signed link: no scope."""
    from accounts.models import User

    if "g" in payload:
        return GuestRegistration.objects.filter(pk=payload["g"]).exists()
    return User.objects.filter(pk=payload["u"]).exists()


@transaction.atomic
def unsubscribe(payload: dict) -> None:
    """The signed link's action (tokens.read checked it): no more reminders of that kind. Idempotent."""
    if "g" in payload:
        GuestOptOut.objects.get_or_create(registration_id=payload["g"])
        return
    choice, _ = ReminderSettings.objects.select_for_update().get_or_create(user_id=payload["u"])
    if getattr(choice, payload["k"]):
        setattr(choice, payload["k"], False)
        choice.save(update_fields=[payload["k"], "updated_at"])
