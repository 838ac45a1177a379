"""Registration and attendance. The event row is locked while seats are counted, so two registrations
at once cannot overfill it."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from events.models import Attendance, Event, EventSession, GuestRegistration
from lotsen.models import Lotse
from portal.access import forbid_self, is_own, require_coordination
from portal.signals import rows_updated

# -- the check-in window: one rule for guests and Lotsen ------------------------------------------------
#: the door opens this many hours before the event starts (check-in and recorded attendance)
CHECKIN_OPENS_HOURS = 2


def checkin_opens(event: Event):
    return event.starts_at - datetime.timedelta(hours=CHECKIN_OPENS_HOURS)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def check_checkin_window(event: Event, now=None) -> None:
    """Check-in at the door (guests and Lotsen alike) is open from CHECKIN_OPENS_HOURS before the start
    until the end of the event."""
    now = now or timezone.now()
    if now < checkin_opens(event):
        raise ValidationError(
            _("Check-in opens at %(opens)s, %(hours)s hours before the start.")
            % {"opens": _when(checkin_opens(event)), "hours": CHECKIN_OPENS_HOURS}
        )
    if now > event.ends_at:
        raise ValidationError(
            _("The event ended at %(ends)s; check-in is closed.") % {"ends": _when(event.ends_at)}
        )


# -- seats: shared by Lotsen (Attendance) and guests (GuestRegistration) ------------------------------
def lock_event_and_session(event_id: int, session_id: int | None) -> tuple[Event, EventSession | None]:
    """Lock the event row, then the workshop row (always in this order, so nothing deadlocks)."""
    event = Event.objects.select_for_update().get(pk=event_id)
    session = EventSession.objects.select_for_update().get(pk=session_id) if session_id else None
    return event, session


def seats_taken(event: Event | None = None, session: EventSession | None = None) -> int:
    """Seats held of the event (or, with ``session``, of that workshop): Lotsen registered or attended and
    confirmed guests. Count under the lock of lock_event_and_session to decide on a seat."""
    if session is not None:
        lotsen = Attendance.objects.filter(session=session, status__in=Attendance.TAKES_A_PLACE).count()
        guests = GuestRegistration.objects.filter(
            session=session, status__in=GuestRegistration.TAKES_A_PLACE
        ).count()
        return lotsen + guests
    lotsen = Attendance.objects.filter(event=event, status__in=Attendance.TAKES_A_PLACE).count()
    guests = GuestRegistration.objects.filter(event=event, status__in=GuestRegistration.TAKES_A_PLACE).count()
    return lotsen + guests


def seats_taken_by_session(event: Event) -> dict[int, int]:
    """{session id: seats held} for all workshops of the event (one query)."""
    rows = EventSession.objects.filter(event=event).annotate(
        lotsen=Count(
            "attendances", filter=Q(attendances__status__in=Attendance.TAKES_A_PLACE), distinct=True
        ),
        guests_=Count("guests", filter=Q(guests__status__in=GuestRegistration.TAKES_A_PLACE), distinct=True),
    )
    return {row.pk: row.lotsen + row.guests_ for row in rows}


def has_free_seat(event: Event | None, session: EventSession | None = None) -> bool:
    """A seat is free at the event (if given) and in the workshop (if given)."""
    if event is not None and event.capacity is not None and seats_taken(event) >= event.capacity:
        return False
    full = session is not None and session.capacity is not None
    return not (full and seats_taken(session=session) >= session.capacity)


@transaction.atomic
def save_event(*, form, sessions_formset, acting_user, created: bool, now=None) -> Event:
    """Save the event form and its workshops (an inline formset; unbound: the workshops stay as they are).
    An existing event is locked first, like every seat decision; a capacity raised (of the event or of a
    workshop) gives the new seats to the waiting list at once."""
    if not created:
        Event.objects.select_for_update().get(pk=form.instance.pk)
    event = form.save(commit=False)
    if created:
        event.created_by = acting_user
    event.save()
    if sessions_formset.is_bound:
        sessions_formset.instance = event
        sessions_formset.save()
    if not created:
        from events.guests import move_up  # events.guests builds on this module

        move_up(event=event, now=now)
    return event


def can_register(*, acting_user, lotse: Lotse) -> bool:
    """A Lotse registers themself; coordinators register the Lotsen of their regions; staff anyone."""
    if acting_user.sees_everything:
        return True
    if is_own(lotse, acting_user):
        return True
    return lotse.region_id in acting_user.coordinated_region_ids()


def _check_workshop(event: Event, session: EventSession | None) -> None:
    if session is not None and session.event_id != event.pk:
        raise ValidationError(_("Please choose one of this event's workshops."))


@transaction.atomic
def register(
    *,
    event: Event,
    lotse: Lotse,
    acting_user,
    session: EventSession | None = None,
    enforce_deadline: bool = True,
) -> Attendance:
    """A Lotse registers (themself, or by a coordinator), optionally for one of the event's workshops: the
    Lotse then holds a seat of the workshop too, counted together with the guests'."""
    if not can_register(acting_user=acting_user, lotse=lotse):
        raise PermissionDenied
    _check_workshop(event, session)
    event, session = lock_event_and_session(event.pk, getattr(session, "pk", None))
    if event.region_id is not None and event.region_id != lotse.region_id:
        raise ValidationError(_("This event is for the Lotsen of another region."))
    if enforce_deadline and not event.registration_open():
        raise ValidationError(_("Registration for this event has closed."))
    attendance = Attendance.objects.filter(event=event, lotse=lotse).first()
    if attendance and attendance.status in Attendance.TAKES_A_PLACE:
        return attendance  # registering twice changes nothing
    if not has_free_seat(event):  # Lotsen and confirmed guests share the seats
        raise ValidationError(_("This event is fully booked."))
    if not has_free_seat(None, session):
        raise ValidationError(_("This workshop is fully booked. Please choose another one."))
    if attendance is None:
        return Attendance.objects.create(event=event, lotse=lotse, session=session, updated_by=acting_user)
    attendance.status, attendance.updated_by = Attendance.Status.REGISTERED, acting_user
    attendance.session = session
    attendance.save(update_fields=["status", "session", "updated_by", "updated_at"])
    return attendance


@transaction.atomic
def register_many(
    *, event: Event, lotsen, acting_user, session: EventSession | None = None
) -> list[Attendance]:
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
    _check_workshop(event, session)
    event, session = lock_event_and_session(event.pk, getattr(session, "pk", None))
    if event.region_id is not None and any(lotse.region_id != event.region_id for lotse in lotsen):
        raise ValidationError(_("This event is for the Lotsen of another region."))
    existing = {a.lotse_id: a for a in Attendance.objects.filter(event=event, lotse__in=lotsen)}
    newcomers = [
        lotse
        for lotse in lotsen
        if getattr(existing.get(lotse.pk), "status", None) not in Attendance.TAKES_A_PLACE
    ]
    if event.capacity is not None:
        free = event.capacity - seats_taken(event)
        if len(newcomers) > free:
            raise ValidationError(
                _(
                    "Only %(free)s places are left, but %(selected)s Lotsen were selected. "
                    "Nobody was registered."
                )
                % {"free": max(free, 0), "selected": len(newcomers)}
            )
    if session is not None and session.capacity is not None:
        free = session.capacity - seats_taken(session=session)
        if len(newcomers) > free:
            raise ValidationError(
                _(
                    "Only %(free)s places are left in the workshop, but %(selected)s Lotsen were selected. "
                    "Nobody was registered."
                )
                % {"free": max(free, 0), "selected": len(newcomers)}
            )
    registered = []
    for lotse in newcomers:
        attendance = existing.get(lotse.pk)
        if attendance is None:
            attendance = Attendance.objects.create(
                event=event, lotse=lotse, session=session, updated_by=acting_user
            )
        else:
            attendance.status, attendance.updated_by = Attendance.Status.REGISTERED, acting_user
            attendance.session = session
            attendance.save(update_fields=["status", "session", "updated_by", "updated_at"])
        registered.append(attendance)
    return registered


@transaction.atomic
def cancel(*, attendance: Attendance, acting_user) -> None:
    """Cancel a registration before the deadline (a coordinator may also cancel later). The freed seat goes
    to the first guest on the waiting list."""
    # The event first, then the workshop and the attendance: the same order as register() and the guests'.
    ids = Attendance.objects.filter(pk=attendance.pk).values_list("event_id", "session_id").first()
    if ids is None:
        raise ValidationError(_("This registration no longer exists."))
    event, _session = lock_event_and_session(*ids)
    attendance = Attendance.objects.select_for_update().select_related("lotse").get(pk=attendance.pk)
    attendance.event = event
    if not can_register(acting_user=acting_user, lotse=attendance.lotse):
        raise PermissionDenied
    own = is_own(attendance, acting_user) and not acting_user.is_coordinator
    if own and not event.registration_open():
        raise ValidationError(_("The registration deadline has passed; please contact your coordinator."))
    if attendance.status == Attendance.Status.ATTENDED:
        raise ValidationError(_("Attendance has already been recorded."))
    held_seat = attendance.status in Attendance.TAKES_A_PLACE
    attendance.delete()
    if held_seat:
        from events.guests import move_up  # events.guests builds on this module

        move_up(event=event, session_id=ids[1])


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
    if status == Attendance.Status.ATTENDED and timezone.now() < checkin_opens(event):
        # the same first moment as the check-in at the door (events.checkin), for Lotsen and guests alike
        raise ValidationError(
            _("Attendance can be recorded from %(opens)s on (%(hours)s hours before the start).")
            % {"opens": _when(checkin_opens(event)), "hours": CHECKIN_OPENS_HOURS}
        )
    takes_a_place = Attendance.TAKES_A_PLACE
    if status in takes_a_place and attendance.status not in takes_a_place:
        # Someone excused gets their place back only if it has not been given away meanwhile.
        if event.capacity is not None and seats_taken(event) >= event.capacity:
            raise ValidationError(_("This event is fully booked."))
        if attendance.session_id:
            session = EventSession.objects.select_for_update().get(pk=attendance.session_id)
            if not has_free_seat(None, session):
                raise ValidationError(_("This workshop is fully booked."))
    gives_back = attendance.status in takes_a_place and status not in takes_a_place
    attendance.status, attendance.updated_by = status, acting_user
    attendance.save(update_fields=["status", "updated_by", "updated_at"])
    if gives_back:  # excused before the event: the seat goes to the waiting list
        from events.guests import move_up

        move_up(event=event, session_id=attendance.session_id)
    return attendance


# -- on the day: walk-ins and "all present" -------------------------------------------------------------
#: walk-ins and "all present" stay open until the end of this many days after the event's last day (the
#: list is often completed the next morning); later, each attendance can still be set on its own, but nobody
#: turns a whole list into "attended" (claimable hours, certificates) months afterwards
ON_THE_DAY_GRACE_DAYS = 1


def on_the_day_last_day(event: Event) -> datetime.date:
    """The last day (local time) on which walk-ins and "all present" can be recorded."""
    return timezone.localdate(event.ends_at) + datetime.timedelta(days=ON_THE_DAY_GRACE_DAYS)


def on_the_day_closed(event: Event, now=None) -> bool:
    return timezone.localdate(now or timezone.now()) > on_the_day_last_day(event)


def _check_attendance_can_be_recorded(event: Event) -> None:
    """Walk-ins and "all present": from CHECKIN_OPENS_HOURS before the start until the end of the day
    after the event's last day (ON_THE_DAY_GRACE_DAYS)."""
    if timezone.now() < checkin_opens(event):
        raise ValidationError(
            _("Attendance can be recorded from %(opens)s on (%(hours)s hours before the start).")
            % {"opens": _when(checkin_opens(event)), "hours": CHECKIN_OPENS_HOURS}
        )
    if on_the_day_closed(event):
        raise ValidationError(on_the_day_closed_message(event))


def on_the_day_closed_message(event: Event) -> str:
    return _(
        "Walk-ins and “all as attended” can be recorded until the end of the day after the event "
        "(%(day)s). Each attendance on the list can still be changed on its own."
    ) % {"day": date_format(on_the_day_last_day(event), "SHORT_DATE_FORMAT")}


def walk_in_candidates(*, event: Event, acting_user):
    """Lotsen a coordinator may add on the day: those they may edit, of the event's region (a programme-wide
    event: of their regions), not anonymised or left, not holding a place already, never the user themself."""
    lotsen = (
        Lotse.objects.editable_by(acting_user)
        .filter(anonymised_at__isnull=True)
        .exclude(status=Lotse.Status.LEFT)
        .exclude(user_id=acting_user.pk)
        .exclude(pk__in=Attendance.objects.taking_a_place().filter(event=event).values("lotse_id"))
    )
    if event.region_id is not None:
        lotsen = lotsen.filter(region_id=event.region_id)
    return lotsen


@transaction.atomic
def add_walk_in(*, event: Event, lotse: Lotse, acting_user) -> Attendance:
    """A Lotse who came without registering (or was excused or marked absent) is recorded as attended, in one
    step from the attendance list.

    Walk-ins may exceed the capacity: the person is in the room already, and the capacity is there to plan
    registrations and the guests' waiting list (which then simply does not move up). Recorded from the same
    moment as any attendance (CHECKIN_OPENS_HOURS before the start) until the end of the day after the event
    (ON_THE_DAY_GRACE_DAYS); nobody records their own attendance."""
    require_coordination(acting_user)
    if not can_register(acting_user=acting_user, lotse=lotse):
        raise PermissionDenied
    forbid_self(acting_user, lotse)
    event, _session = lock_event_and_session(event.pk, None)
    if event.region_id is not None and event.region_id != lotse.region_id:
        raise ValidationError(_("This event is for the Lotsen of another region."))
    _check_attendance_can_be_recorded(event)
    attendance = Attendance.objects.select_for_update().filter(event=event, lotse=lotse).first()
    if attendance is None:
        return Attendance.objects.create(
            event=event, lotse=lotse, status=Attendance.Status.ATTENDED, updated_by=acting_user
        )
    if attendance.status != Attendance.Status.ATTENDED:
        attendance.status, attendance.updated_by = Attendance.Status.ATTENDED, acting_user
        attendance.save(update_fields=["status", "updated_by", "updated_at"])
    return attendance


def still_open(*, event: Event, acting_user):
    """What "all present" marks: registrations without a recorded attendance, editable by the user, not
    their own."""
    return (
        Attendance.objects.editable_by(acting_user)
        .filter(event=event, status=Attendance.Status.REGISTERED)
        .exclude(lotse__user_id=acting_user.pk)
    )


@transaction.atomic
def mark_all_present(*, event: Event, acting_user) -> list[Attendance]:
    """All present: every registration without a recorded attendance (status "registered") that the user
    may edit becomes "attended". Excused and absent stay as they are (someone decided that on purpose);
    the user's own registration is left out (nobody records their own attendance). Only on the day and the
    day after (ON_THE_DAY_GRACE_DAYS). Returns the rows changed."""
    require_coordination(acting_user)
    event = Event.objects.select_for_update().get(pk=event.pk)
    _check_attendance_can_be_recorded(event)
    # the event's row lock (above) serialises this with set_attendance and the check-in
    rows = list(still_open(event=event, acting_user=acting_user).select_related("lotse"))
    pks = [row.pk for row in rows]
    Attendance.objects.filter(pk__in=pks).update(
        status=Attendance.Status.ATTENDED, updated_by=acting_user, updated_at=timezone.now()
    )
    rows_updated.send(sender=Attendance, pks=pks)  # the reports count participations
    return rows
