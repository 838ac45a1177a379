"""The one way to write the audit trail: ``record(...)``."""

from __future__ import annotations

from django.db import models

from audit.models import AuditEntry

Action = AuditEntry.Action

#: detail values must be names, numbers or flags, never free text that could carry personal values
_ALLOWED_DETAIL_TYPES = (str, int, float, bool, type(None), list, tuple)


def record(
    action: str,
    *,
    actor=None,
    target: models.Model | None = None,
    region=None,
    subject=None,
    **details,
) -> AuditEntry:
    """Add an entry: ``actor`` did ``action`` on ``target`` (in ``region``, about the Lotse ``subject``).

    ``details`` names what was involved (field names, a format, a row count), never the values themselves.
    The region and subject are taken from the target where it has them (``region``, ``lotse``).
    """
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    for key, value in details.items():
        if not isinstance(value, _ALLOWED_DETAIL_TYPES):
            raise TypeError(f"audit detail {key!r} must be a plain value, not {type(value).__name__}")
    if target is not None:
        if region is None:
            region = _region_of(target)
        if subject is None:
            subject = _subject_of(target)
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        region_id=getattr(region, "pk", region),
        subject_id=getattr(subject, "pk", subject),
        details={key: list(value) if isinstance(value, tuple) else value for key, value in details.items()},
    )


def _region_of(obj):
    if getattr(obj, "region_id", None):
        return obj.region_id
    lotse = _subject_of(obj)
    return lotse.region_id if lotse is not None else None


def _subject_of(obj):
    from lotsen.models import Lotse

    if isinstance(obj, Lotse):
        return obj
    return getattr(obj, "lotse", None) if hasattr(obj, "lotse_id") else None
