"""Check-in at the door: a guest (checked_in_at/by) or a Lotse (their attendance set to attended, through
events.services.set_attendance). Both idempotent: checking in twice keeps the first time and person. Both
only within the same window (events.services.check_checkin_window: from two hours before the start to the
end of the event)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import services
from events.models import Attendance, GuestRegistration


@transaction.atomic
def check_in_guest(*, registration: GuestRegistration, acting_user) -> GuestRegistration:
    """Mark a confirmed guest as arrived. Only those who may edit the event's guests; a guest already
    checked in stays as they were (the first check-in counts)."""
    registration = (
        GuestRegistration.objects.editable_by(acting_user)
        .select_for_update()
        .filter(pk=registration.pk)
        .first()
    )
    if registration is None:
        raise PermissionDenied
    if registration.checked_in_at is not None:
        return registration
    services.check_checkin_window(registration.event)
    if registration.status not in GuestRegistration.TAKES_A_PLACE:
        raise ValidationError(
            _("%(name)s cannot be checked in: %(status)s.")
            % {"name": registration.name, "status": registration.get_status_display()}
        )
    registration.checked_in_at, registration.checked_in_by = timezone.now(), acting_user
    registration.save(update_fields=["checked_in_at", "checked_in_by"])
    return registration


@transaction.atomic
def check_in_lotse(*, attendance: Attendance, acting_user) -> Attendance:
    """A Lotse at the door: their attendance becomes "attended" (nobody checks in themself, see
    set_attendance's forbid_self). Twice changes nothing."""
    current = Attendance.objects.editable_by(acting_user).filter(pk=attendance.pk).first()
    if current is None:
        raise PermissionDenied
    if current.status == Attendance.Status.ATTENDED:
        return current
    services.check_checkin_window(current.event)
    if current.status not in Attendance.TAKES_A_PLACE:
        raise ValidationError(
            _("%(name)s cannot be checked in: %(status)s.")
            % {"name": current.lotse.full_name, "status": current.get_status_display()}
        )
    return services.set_attendance(
        attendance=current, status=Attendance.Status.ATTENDED, acting_user=acting_user
    )
