"""Writes on a Lotse beyond a form save: status changes with their history, and the login invitation."""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import end_sessions, invite_user
from audit.services import Action, record
from lotsen.models import Lotse, LotseStatusChange

logger = logging.getLogger(__name__)
User = get_user_model()


def lock_editable_lotse(*, lotse: Lotse, acting_user) -> Lotse:
    """The Lotse row, locked, if the acting user may change it (coordinator of its region or staff)."""
    locked = Lotse.objects.editable_by(acting_user).select_for_update().filter(pk=lotse.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


@transaction.atomic
def change_status(
    *, lotse: Lotse, status: str, effective_on: datetime.date, acting_user, note: str = ""
) -> Lotse:
    """Move a Lotse to a new status from a date, as ``Lotse.STATUS_TRANSITIONS`` allows, and record it."""
    lotse = lock_editable_lotse(lotse=lotse, acting_user=acting_user)
    if status not in Lotse.STATUS_TRANSITIONS.get(lotse.status, set()):
        raise ValidationError(
            {
                "status": _("A Lotse who is %(current)s cannot become %(new)s.")
                % {
                    "current": lotse.get_status_display(),
                    "new": Lotse.Status(status).label if status in Lotse.Status.values else status,
                }
            }
        )
    if effective_on < lotse.status_since:
        raise ValidationError(
            {
                "effective_on": _("The change cannot take effect before the current status began (%(date)s).")
                % {"date": lotse.status_since.strftime("%d.%m.%Y")}
            }
        )
    lotse.status, lotse.status_since = status, effective_on
    fields = ["status", "status_since", "updated_at"]
    if status == Lotse.Status.ACTIVE:
        if lotse.joined_on is None or lotse.left_on is not None:
            # First activation, or coming back after leaving: active since this date.
            lotse.joined_on = effective_on
        lotse.left_on = None
        fields += ["joined_on", "left_on"]
    elif status == Lotse.Status.LEFT:
        lotse.left_on = effective_on
        fields.append("left_on")
    # A new leave (or a return) starts afresh: the next leaving day switches the login off again.
    lotse.login_disabled_at = None
    fields.append("login_disabled_at")
    lotse.save(update_fields=fields)
    LotseStatusChange.objects.create(
        lotse=lotse, status=status, effective_on=effective_on, changed_by=acting_user, note=note.strip()
    )
    logger.info("lotse %s status changed to %s by user %s", lotse.pk, status, acting_user.pk)
    record(Action.STATUS, actor=acting_user, target=lotse, status=status)
    if status == Lotse.Status.LEFT and effective_on <= timezone.localdate():
        # Leaving today or in the past: the login ends now, not at the next run of the daily task.
        disable_login(lotse=lotse)
    return lotse


def leavers_with_login(today: datetime.date | None = None):
    """Lotsen whose leaving day has come and whose login has not been switched off for it yet."""
    return Lotse.objects.filter(
        status=Lotse.Status.LEFT,
        left_on__lte=today or timezone.localdate(),
        login_disabled_at__isnull=True,
        user__isnull=False,
    )


@transaction.atomic
def disable_login(*, lotse: Lotse) -> bool:
    """Switch off a leaver's login and end their sessions. Claims the row with a conditional UPDATE, so a
    second run (the task, or the task after the status change) does nothing. True if it switched off."""
    claimed = leavers_with_login().filter(pk=lotse.pk).update(login_disabled_at=timezone.now())
    if claimed != 1:
        return False
    user = User.objects.get(lotse__pk=lotse.pk)
    if user.holds_rights:
        # A coordinator, staff member or superuser who was also a Lotse keeps the account: leaving the Lotse
        # role must not let a colleague switch off someone else's rights (only a superuser does that).
        logger.info("lotse %s left; the login holds other rights and stays on", lotse.pk)
        return False
    user_id = user.pk
    User.objects.filter(pk=user_id).update(is_active=False)
    end_sessions(user_id=user_id)
    logger.info("login of lotse %s disabled (left)", lotse.pk)
    record(Action.STATUS, target=lotse, login="disabled", reason="left")
    return True


def disable_leaver_logins() -> int:
    """The daily run: every Lotse whose leaving day has come loses the login. Idempotent."""
    return sum(disable_login(lotse=lotse) for lotse in leavers_with_login().only("pk"))


@transaction.atomic
def restore_login(*, lotse: Lotse, acting_user) -> Lotse:
    """A coordinator of the Lotse's region (or staff) switches a disabled login back on."""
    lotse = lock_editable_lotse(lotse=lotse, acting_user=acting_user)
    if lotse.user_id is None or lotse.user.is_active or lotse.login_disabled_at is None:
        # Only a login switched off for leaving comes back here; one a superuser deactivated stays off.
        raise ValidationError(_("This Lotse's login is not disabled."))
    if lotse.user.holds_rights:
        raise PermissionDenied  # an account with rights is restored in the admin by a superuser
    User.objects.filter(pk=lotse.user_id).update(is_active=True)
    logger.info("login of lotse %s restored by user %s", lotse.pk, acting_user.pk)
    record(Action.STATUS, actor=acting_user, target=lotse, login="restored")
    return lotse


@transaction.atomic
def invite_lotse(*, lotse: Lotse, acting_user) -> Lotse:
    """Give a Lotse a login and e-mail a one-time link to set the password; again later = resend.

    The login is a user with the Lotse's e-mail and no usable password until the link is used. A resent
    invitation makes the earlier links invalid (see accounts.tokens).
    """
    lotse = lock_editable_lotse(lotse=lotse, acting_user=acting_user)
    if lotse.user_id is None:
        email = (lotse.email or "").strip().lower()
        if not email:
            raise ValidationError(_("Please enter the Lotse's e-mail address before sending an invitation."))
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _(
                    "The e-mail address %(email)s already belongs to another login. Please check the address "
                    "or ask the programme office."
                )
                % {"email": email}
            )
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, name=lotse.full_name[:150])
        except IntegrityError as exc:
            raise ValidationError(_("The e-mail address already belongs to another login.")) from exc
        lotse.user = user
        lotse.save(update_fields=["user", "updated_at"])
    elif lotse.login_state == "active":
        raise ValidationError(_("This Lotse has already accepted the invitation and can log in."))
    invite_user(user=lotse.user, acting_user=acting_user)
    return lotse


# -- the coordinator's Lotse form ------------------------------------------------------------------------
@transaction.atomic
def save_lotse_form(*, form, acting_user) -> Lotse:
    """Save the coordinator's Lotse form with the acting user: a change of the bank details then holds the
    payments, goes into the audit trail (field names only) and is e-mailed to the Lotse (Lotse.save)."""
    lotse = form.save(commit=False)
    lotse.save(acting_user=acting_user)
    form.save_m2m()
    return lotse
