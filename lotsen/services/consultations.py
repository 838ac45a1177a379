"""A Lotse logs, corrects and deletes their own consultations.

Logging is idempotent by the form's ``submission_key``: a double tap, a browser retry or a draft re-sent
after a lost connection finds the entry that was already saved instead of creating a second one. Changes are
possible for ``settings.CONSULTATION_EDIT_DAYS`` days; after that the entry is part of the reports and locked.
"""

import datetime
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.models import TOPIC_FIELDS, Consultation, Lotse
from portal.access import require_own

logger = logging.getLogger(__name__)

#: What a Lotse may set on a consultation; lotse, region, submission key and timestamps never come from input.
EDITABLE_FIELDS = (*Consultation.ENTRY_FIELDS, *TOPIC_FIELDS.values())
#: How far back a consultation may be dated (a typo in the year must not land in an old report).
MAX_BACKDATE_DAYS = 366


def _apply(consultation: Consultation, values: dict[str, Any]) -> list[str]:
    unknown = set(values) - set(EDITABLE_FIELDS) - {"topics"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in values.items():
        if name == "topics":
            consultation.topics = value
        else:
            setattr(consultation, name, value)
    return list(EDITABLE_FIELDS)


def _check(consultation: Consultation, lotse: Lotse) -> None:
    """Rules a form may also check for nicer messages; the service is where they are enforced."""
    today = timezone.localdate()
    if consultation.date > today:
        raise ValidationError({"date": _("The date cannot be in the future.")})
    if consultation.date < today - datetime.timedelta(days=MAX_BACKDATE_DAYS):
        raise ValidationError({"date": _("The date is more than a year ago.")})
    if lotse.status == Lotse.Status.LEFT and (lotse.left_on is None or consultation.date > lotse.left_on):
        # Entries up to the day of leaving may still be caught up on; nothing after it counts.
        raise ValidationError(
            {"date": _("You have left the programme; consultations after that day cannot be logged.")}
        )
    if consultation.referral_id is not None and consultation.referral.region_id != lotse.region_id:
        raise ValidationError({"referral": _("Please choose a partner institution of your region.")})
    if not consultation.topics:
        raise ValidationError({"topics": _("Please choose at least one topic.")})
    # submission_key: a duplicate is not an input error but the retry handled in log_consultation.
    consultation.full_clean(exclude=["lotse", "region", "submission_key"])


def _own_locked_row(consultation: Consultation, acting_user) -> Consultation:
    row = (
        Consultation.objects.owned_by(acting_user)
        .select_for_update(of=("self",))
        .select_related("lotse")
        .filter(pk=consultation.pk)
        .first()
    )
    if row is None:
        raise PermissionDenied
    if row.is_locked:
        raise ValidationError(
            _("This entry was logged more than %(days)s days ago; it is part of the reports and locked.")
            % {"days": settings.CONSULTATION_EDIT_DAYS}
        )
    return row


@transaction.atomic
def log_consultation(
    *, lotse: Lotse, values: dict[str, Any], submission_key: uuid.UUID | None, acting_user
) -> tuple[Consultation, bool]:
    """Save a new consultation of the acting Lotse; returns (consultation, created).

    A second call with the same submission key returns the first entry unchanged (created=False).
    """
    require_own(lotse, acting_user)
    if submission_key is not None:
        existing = Consultation.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            if existing.lotse_id != lotse.pk:
                raise PermissionDenied
            return existing, False
    consultation = Consultation(lotse=lotse, region_id=lotse.region_id, submission_key=submission_key)
    _apply(consultation, values)
    _check(consultation, lotse)
    try:
        # A savepoint: two identical requests at the same moment both pass the lookup above; the unique
        # key lets exactly one insert through and the other finds it.
        with transaction.atomic():
            consultation.save()
    except IntegrityError:
        existing = Consultation.objects.filter(submission_key=submission_key, lotse=lotse).first()
        if submission_key is None or existing is None:
            raise
        return existing, False
    logger.info("consultation %s logged by lotse %s", consultation.pk, lotse.pk)
    return consultation, True


@transaction.atomic
def update_consultation(*, consultation: Consultation, values: dict[str, Any], acting_user) -> Consultation:
    row = _own_locked_row(consultation, acting_user)
    fields = _apply(row, values)
    _check(row, row.lotse)
    row.save(update_fields=[*fields, "updated_at"])
    logger.info("consultation %s changed by lotse %s", row.pk, row.lotse_id)
    return row


@transaction.atomic
def delete_consultation(*, consultation: Consultation, acting_user) -> None:
    row = _own_locked_row(consultation, acting_user)
    pk, lotse_id = row.pk, row.lotse_id
    row.delete()
    logger.info("consultation %s deleted by lotse %s", pk, lotse_id)
