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
    # The subject is the model the foreign key names (lotsen.Lotse): the trail imports no app above it.
    if isinstance(obj, AuditEntry._meta.get_field("subject").related_model):
        return obj
    return getattr(obj, "lotse", None) if hasattr(obj, "lotse_id") else None


#: entries written per insert when an export names many Lotsen (the same on SQLite and PostgreSQL)
IBAN_ENTRIES_PER_INSERT = 100


def record_export(
    *, actor, export: str, file_format: str, rows: int, region_ids=(), iban_subjects=()
) -> AuditEntry:
    """One entry per export of personal data (which export, format, row count), and for every Lotse whose
    full IBAN is in the file an entry about them, so they see it on their profile.

    The region is set when the file holds one region only (its coordinators see the entry); a file across
    regions is seen by programme staff.
    """
    regions = {region_id for region_id in region_ids if region_id is not None}
    subjects = {lotse.pk: lotse for lotse in iban_subjects}
    entry = record(
        Action.EXPORT_PERSONAL,
        actor=actor,
        region=next(iter(regions)) if len(regions) == 1 else None,
        export=export,
        format=file_format,
        rows=rows,
        full_ibans=len(subjects),
    )
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action=Action.VIEW_IBAN,
                actor=entry.actor,
                target_type=lotse._meta.label_lower,
                target_id=str(lotse.pk),
                region_id=lotse.region_id,
                subject_id=lotse.pk,
                details={"page": export, "format": file_format},
            )
            for lotse in subjects.values()
        ],
        batch_size=IBAN_ENTRIES_PER_INSERT,
    )
    return entry
