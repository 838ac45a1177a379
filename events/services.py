"""Registration and attendance. The event row is locked while seats are counted, so two registrations
at once cannot overfill it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Attendance, Event
from lotsen.models import Lotse
from portal.access import forbid_self, is_own, require_coordination


def can_register(*, acting_user, lotse: Lotse) -> bool:
    """A Lotse registers themself; coordinators register the Lotsen of their regions; staff anyone."""
    if acting_user.sees_everything:
        return True
    if is_own(lotse, acting_user):
        return True
    return lotse.region_id in acting_user.coordinated_region_ids()


@transaction.atomic
def register(*, event: Event, lotse: Lotse, acting_user, enforce_deadline: bool = True) -> Attendance:
    if not can_register(acting_user=acting_user, lotse=lotse):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.region_id is not None and event.region_id != lotse.region_id:
        raise ValidationError(_("This event is for the Lotsen of another region."))
    if enforce_deadline and not event.registration_open():
        raise ValidationError(_("Registration for this event has closed."))
    attendance = Attendance.objects.filter(event=event, lotse=lotse).first()
    if attendance and attendance.status in Attendance.TAKES_A_PLACE:
        return attendance  # registering twice changes nothing
    if event.capacity is not None and event.attendances.taking_a_place().count() >= event.capacity:
        raise ValidationError(_("This event is fully booked."))
    if attendance is None:
        return Attendance.objects.create(event=event, lotse=lotse, updated_by=acting_user)
    attendance.status, attendance.updated_by = Attendance.Status.REGISTERED, acting_user
    attendance.save(update_fields=["status", "updated_by", "updated_at"])
    return attendance


@transaction.atomic
def register_many(*, event: Event, lotsen, acting_user) -> list[Attendance]:
    """A coordinator registers several Lotsen at once: all of them or none.

    Coordinators and staff may register after the registration deadline (the deadline is for the Lotsen's
    own sign-up; late phone registrations and walk-ins are common), but never beyond the capacity.
    """
    lotsen = list(lotsen)
    if not lotsen:
        raise ValidationError(_("Select at least one Lotse."))
    require_coordination(acting_user)
    if any(not can_register(acting_user=acting_user, lotse=lotse) for lotse in lotsen):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.region_id is not None and any(lotse.region_id != event.region_id for lotse in lotsen):
        raise ValidationError(_("This event is for the Lotsen of another region."))
    existing = {a.lotse_id: a for a in Attendance.objects.filter(event=event, lotse__in=lotsen)}
    newcomers = [
        lotse
        for lotse in lotsen
        if getattr(existing.get(lotse.pk), "status", None) not in Attendance.TAKES_A_PLACE
    ]
    if event.capacity is not None:
        free = event.capacity - event.attendances.taking_a_place().count()
        if len(newcomers) > free:
            raise ValidationError(
                _(
                    "Only %(free)s places are left, but %(selected)s Lotsen were selected. "
                    "Nobody was registered."
                )
                % {"free": max(free, 0), "selected": len(newcomers)}
            )
    registered = []
    for lotse in newcomers:
        attendance = existing.get(lotse.pk)
        if attendance is None:
            attendance = Attendance.objects.create(event=event, lotse=lotse, updated_by=acting_user)
        else:
            attendance.status, attendance.updated_by = Attendance.Status.REGISTERED, acting_user
            attendance.save(update_fields=["status", "updated_by", "updated_at"])
        registered.append(attendance)
    return registered


@transaction.atomic
def cancel(*, attendance: Attendance, acting_user) -> None:
    """Cancel a registration before the deadline (a coordinator may also cancel later)."""
    attendance = Attendance.objects.select_for_update().select_related("event", "lotse").get(pk=attendance.pk)
    if not can_register(acting_user=acting_user, lotse=attendance.lotse):
        raise PermissionDenied
    own = is_own(attendance, acting_user) and not acting_user.is_coordinator
    if own and not attendance.event.registration_open():
        raise ValidationError(_("The registration deadline has passed; please contact your coordinator."))
    if attendance.status == Attendance.Status.ATTENDED:
        raise ValidationError(_("Attendance has already been recorded."))
    attendance.delete()


@transaction.atomic
def set_attendance(*, attendance: Attendance, status: str, acting_user) -> Attendance:
    """Record whether a registered Lotse came (coordinators and staff only)."""
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance status."))
    # Lock the event before the attendance, in the same order as register(), so the two never deadlock.
    event_id = Attendance.objects.filter(pk=attendance.pk).values_list("event_id", flat=True).first()
    event = Event.objects.select_for_update().filter(pk=event_id).first()
    attendance = (
        Attendance.objects.editable_by(acting_user).select_for_update().filter(pk=attendance.pk).first()
    )
    if attendance is None or event is None:
        raise PermissionDenied
    forbid_self(acting_user, attendance.lotse)
    attendance.event = event
    if status == Attendance.Status.ATTENDED and event.starts_at > timezone.now():
        raise ValidationError(_("Attendance can only be recorded once the event has started."))
    takes_a_place = Attendance.TAKES_A_PLACE
    if status in takes_a_place and attendance.status not in takes_a_place and event.capacity is not None:
        # Someone excused gets their place back only if it has not been given away meanwhile.
        if event.attendances.taking_a_place().count() >= event.capacity:
            raise ValidationError(_("This event is fully booked."))
    attendance.status, attendance.updated_by = status, acting_user
    attendance.save(update_fields=["status", "updated_by", "updated_at"])
    return attendance
