"""What the audit trail learns from signals: logins, failed logins and every change made in the Django admin.

The admin writes a ``LogEntry`` for each addition, change and deletion (any ModelAdmin, ours or a library's);
its change message names the changed fields and may carry an object's ``str()`` (a person's name), so only
the field and model names are kept. Changes that hand out roles or rights (a user's superuser, staff or
active flag, groups, permissions, a coordination) are recorded as RIGHTS, everything else as ADMIN_CHANGE.
"""

import json

from allauth.account.signals import user_logged_in
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import translation

from audit.services import Action, record

OPERATIONS = {ADDITION: "add", DELETION: "delete"}
#: user fields that grant or take away rights
USER_RIGHTS_FIELDS = ("is_superuser", "is_programme_staff", "is_active", "groups", "user_permissions")
#: models whose rows are rights themselves
RIGHTS_MODELS = {"regions.coordination", "auth.group", "auth.permission"}


@receiver(user_logged_in, dispatch_uid="audit.record_login")
def record_login(sender, request, user, **kwargs):
    record(Action.LOGIN, actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="audit.record_login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    """The address typed is never stored: only which account it matched, if any."""
    address = credentials.get("email") or credentials.get("username") or ""
    user = None
    if isinstance(address, str) and address.strip():
        user = get_user_model().objects.filter(email__iexact=address.strip()).only("pk").first()
    record(Action.LOGIN_FAILED, target=user)


def _labels(model, names) -> set[str]:
    with translation.override(None):
        return {str(model._meta.get_field(name).verbose_name).lower() for name in names}


def admin_change_details(change_message: str) -> tuple[list[str], list[str]]:
    """(changed field labels, names of inline models touched) from an admin change message, no values."""
    try:
        parts = json.loads(change_message or "[]")
    except ValueError:
        return [], []
    fields: list[str] = []
    inlines: list[str] = []
    for part in parts if isinstance(parts, list) else []:
        for kind, detail in part.items() if isinstance(part, dict) else []:
            detail = detail if isinstance(detail, dict) else {}
            if "name" in detail:  # an inline row: its model name (never the row's str())
                inlines.append(f"{kind}:{detail['name']}")
            else:
                fields.extend(str(name) for name in detail.get("fields", []))
    return fields, inlines


@receiver(post_save, sender=LogEntry, dispatch_uid="audit.record_admin_change")
def record_admin_change(sender, instance: LogEntry, created, raw=False, **kwargs):
    if not created or raw or instance.content_type_id is None:
        return
    model = instance.content_type.model_class()
    if model is None:
        return
    # The object still exists: the admin logs a deletion before it deletes.
    target = model._base_manager.filter(pk=instance.object_id).first() or model(pk=instance.object_id)
    fields, inlines = admin_change_details(instance.change_message)
    record(
        _admin_action(model, fields, inlines),
        actor=instance.user,
        target=target,
        source="admin",
        operation=OPERATIONS.get(instance.action_flag, "change"),
        fields=fields,
        inlines=inlines,
    )


def _admin_action(model, fields: list[str], inlines: list[str]) -> str:
    label = model._meta.label_lower
    if label in RIGHTS_MODELS:
        return Action.RIGHTS
    if any(name.endswith(":coordination") for name in inlines):
        return Action.RIGHTS
    if model is get_user_model() and {name.lower() for name in fields} & _labels(model, USER_RIGHTS_FIELDS):
        return Action.RIGHTS
    return Action.ADMIN_CHANGE
