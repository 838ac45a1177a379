"""Data-subject rights that change data: anonymising a Lotse who has left (GDPR Art. 17)."""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import end_sessions
from allowances.models import AllowanceClaim
from audit.services import Action, record
from billing.models import ClaimStatement
from lotsen.models import Lotse

logger = logging.getLogger(__name__)
User = get_user_model()

#: a claim in these states is still to be decided or paid and needs the Lotse's name and IBAN
CLAIMS_NEEDING_PERSONAL_DATA = (AllowanceClaim.Status.SUBMITTED, AllowanceClaim.Status.APPROVED)

#: what anonymisation clears on the Lotse row, and its lists (names of fields, also in the audit entry)
CLEARED_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "availability",
    "expertise",
    "address_form",
    "account_holder",
    "iban",
)
CLEARED_LISTS = ("languages", "organisations")


def anonymisation_refused(lotse: Lotse, today: datetime.date) -> str | None:
    """Why this Lotse cannot be anonymised now (a message for the person asking), or None."""
    if lotse.anonymised_at is not None:
        return _("This Lotse has already been anonymised.")
    if lotse.status != Lotse.Status.LEFT or lotse.left_on is None or lotse.left_on > today:
        return _("Only a Lotse who has left the programme can be anonymised.")
    if lotse.claims.filter(status__in=CLAIMS_NEEDING_PERSONAL_DATA).exists():
        return _("A claim of this Lotse still waits for a decision or payment; it needs the bank details.")
    return None


@transaction.atomic
def anonymise_lotse(*, lotse: Lotse, acting_user, today: datetime.date | None = None) -> Lotse | None:
    """Remove a leaver's personal data, keeping what tax law requires (GDPR Art. 17 (3) b, § 147 AO).

    Kept: the row as "Anonymisiert #<id>" with region and dates (pseudonymous statistics), contracts and
    claims with amounts, months and dates, attendances and consultations (pseudonymous). Cleared: name,
    contact, bank data, profile, the free texts of claims and status notes, certificate PDFs (they print the
    name). The login is deleted, or only unlinked if it holds other rights. ``acting_user`` None: the
    retention rule. Refused (ValidationError) for a Lotse who has not left. Returns the Lotse, or None when
    a concurrent run got there first.
    """
    today = today or timezone.localdate()
    if acting_user is not None and not acting_user.sees_everything:
        raise PermissionDenied
    lotse = Lotse.objects.select_for_update().filter(pk=lotse.pk, anonymised_at__isnull=True).first()
    if lotse is None:
        return None
    if reason := anonymisation_refused(lotse, today):
        raise ValidationError(reason)
    lotse.first_name, lotse.last_name = "Anonymisiert", f"#{lotse.pk}"
    lotse.email = lotse.phone = lotse.availability = lotse.account_holder = lotse.iban = ""
    lotse.expertise = []
    lotse.address_form = Lotse.AddressForm.NEUTRAL
    lotse.anonymised_at = timezone.now()
    user_id, lotse.user = lotse.user_id, None
    lotse.save(update_fields=[*CLEARED_FIELDS, "anonymised_at", "user", "updated_at"], erasing=True)
    lotse.languages.clear()
    lotse.organisations.clear()
    lotse.status_changes.update(note="")
    lotse.claims.filter(status=AllowanceClaim.Status.DRAFT).delete()
    claims_kept = lotse.claims.update(activities="", rejection_reason="")
    pdfs = 0
    for certificate in lotse.certificates.exclude(file=""):
        certificate.file.delete(save=False)
        certificate.sha256 = ""
        certificate.save(update_fields=["file", "sha256"])
        pdfs += 1
    # the statements print the name too; a claim's is made again (anonymised) when it is downloaded
    statements = [
        *ClaimStatement.objects.filter(claim__lotse=lotse).exclude(file=""),
        *lotse.year_end_statements.exclude(file=""),
    ]
    for statement in statements:
        statement.file.delete(save=False)
        statement.sha256 = ""
        statement.save(update_fields=["file", "sha256"])
        pdfs += 1
    login = _remove_login(user_id)
    record(
        Action.ANONYMISED,
        actor=acting_user,
        target=lotse,
        fields=[*CLEARED_FIELDS, *CLEARED_LISTS],
        claims_kept=claims_kept,
        certificate_pdfs_deleted=pdfs,
        login=login,
        by_retention=acting_user is None,
    )
    logger.info("lotse %s anonymised", lotse.pk)
    return lotse


def _remove_login(user_id: int | None) -> str:
    if user_id is None:
        return "none"
    user = User.objects.get(pk=user_id)
    end_sessions(user_id=user_id)
    if user.holds_rights:
        # a coordinator or staff account that was also a Lotse stays (only a superuser manages it)
        return "unlinked"
    user.delete()
    return "deleted"
