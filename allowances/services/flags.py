"""Acknowledging a claim's plausibility flag (allowances/plausibility.py): the coordinator has seen it and
notes why it is fine or what they checked. Flags never block a decision; this only records the look."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from allowances.models import AllowanceClaim, ClaimFlagAcknowledgement
from allowances.plausibility import FlagCode, raised_codes
from audit.services import Action, record
from events.validators import no_markup
from portal.access import forbid_self

NOTE_MAX_LENGTH = ClaimFlagAcknowledgement._meta.get_field("note").max_length


@transaction.atomic
def acknowledge_flag(*, claim: AllowanceClaim, code: str, note: str, acting_user) -> ClaimFlagAcknowledgement:
    """Record that ``acting_user`` acknowledged the flag ``code`` of the claim, with a note.

    Only those who may decide the claim (``editable_by``), never for their own claim; only a flag the claim
    raises now; once per flag. The audit trail names the flag, never the note.
    """
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Please add a note: what did you check, why is it fine?")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("Please keep the note to %(max)s characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    try:
        no_markup(note)
    except ValidationError as exc:
        raise ValidationError({"note": exc.messages}) from exc
    claim = (
        AllowanceClaim.objects.editable_by(acting_user)
        .select_for_update(of=("self",))
        .select_related("lotse")
        .filter(pk=claim.pk)
        .first()
    )
    if claim is None:
        raise PermissionDenied
    forbid_self(acting_user, claim.lotse)
    if code not in FlagCode.values or code not in raised_codes(claim):
        raise ValidationError({"code": _("This claim raises no such flag.")})
    if ClaimFlagAcknowledgement.objects.filter(claim=claim, code=code).exists():
        raise ValidationError({"code": _("This flag has already been acknowledged.")})
    acknowledgement = ClaimFlagAcknowledgement.objects.create(
        claim=claim, code=code, note=note, acknowledged_by=acting_user
    )
    # the note is the coordinator's text about a person: it stays with the claim, not in the trail
    record(Action.CLAIM_FLAG_ACKNOWLEDGED, actor=acting_user, target=claim, flag=code)
    return acknowledgement
