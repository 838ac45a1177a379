"""Who comes to an event: the Lotsen (Attendance) and the guests (GuestRegistration) as one list, for the
participant list, its exports, the name badges and the check-in at the door.

Two queries whatever the number of rows (one per kind, with their workshop and region joined); the rows
are merged and sorted by name in Python. Both are scoped to the user: guests through
``GuestRegistration.objects.visible_to``, Lotsen through ``Attendance.objects.visible_to``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.filters import LOTSE_KIND
from events.models import Attendance, Event, GuestRegistration
from portal.filters import search_words

GUEST, LOTSE = "guest", "lotse"


@dataclass
class Participant:
    kind: str  # GUEST or LOTSE
    pk: int
    name: str
    organisation: str  # the guest's organisation or the Lotse's region
    institution_kind: str
    institution_label: str
    workshop: object  # EventSession or None
    status: str
    status_label: str
    checked_in: bool
    takes_a_place: bool
    #: a guest's accessibility or dietary needs (for those who may edit the event: the list and exports)
    needs: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"

    @property
    def sort_key(self):
        return (self.name.casefold(), self.kind, self.pk)


def _guest_rows(guests) -> list[Participant]:
    return [
        Participant(
            kind=GUEST,
            pk=guest.pk,
            name=guest.name,
            organisation=guest.organisation,
            institution_kind=guest.institution_kind,
            institution_label=guest.get_institution_kind_display(),
            workshop=guest.session,
            status=guest.status,
            status_label=guest.get_status_display(),
            checked_in=guest.checked_in_at is not None,
            takes_a_place=guest.status in GuestRegistration.TAKES_A_PLACE,
            needs=guest.needs,
        )
        for guest in guests
    ]


def _lotse_rows(attendances) -> list[Participant]:
    return [
        Participant(
            kind=LOTSE,
            pk=attendance.pk,
            name=attendance.lotse.full_name,
            organisation=attendance.lotse.region.name,
            institution_kind=LOTSE_KIND,
            institution_label=str(_("Lotse")),
            workshop=attendance.session,
            status=attendance.status,
            status_label=attendance.get_status_display(),
            checked_in=attendance.status == Attendance.Status.ATTENDED,
            takes_a_place=attendance.status in Attendance.TAKES_A_PLACE,
        )
        for attendance in attendances
    ]


def guests_of(event: Event, user):
    return GuestRegistration.objects.visible_to(user).filter(event=event).select_related("session")


def lotsen_of(event: Event, user):
    return Attendance.objects.visible_to(user).filter(event=event).select_related("lotse__region", "session")


def filtered_querysets(event: Event, user, values: dict):
    """The two querysets narrowed by the filter values of events.filters.ParticipantFilter."""
    guests, lotsen = guests_of(event, user), lotsen_of(event, user)
    if values.get("invalid"):
        return guests.none(), lotsen.none()
    if q := values.get("q"):
        guests = search_words(guests, ("name", "organisation"), q)
        lotsen = search_words(lotsen, ("lotse__first_name", "lotse__last_name"), q)
    if workshop := values.get("workshop"):
        guests, lotsen = guests.filter(session=workshop), lotsen.filter(session=workshop)
    if status := values.get("status"):
        kind, _sep, value = status.partition(":")
        guests = guests.filter(status=value) if kind == GUEST else guests.none()
        lotsen = lotsen.filter(status=value) if kind == LOTSE else lotsen.none()
    if kind := values.get("kind"):
        guests = guests.none() if kind == LOTSE_KIND else guests.filter(institution_kind=kind)
        lotsen = lotsen if kind == LOTSE_KIND else lotsen.none()
    if checked_in := values.get("checked_in"):
        arrived = checked_in == "yes"
        guests = guests.filter(checked_in_at__isnull=not arrived)
        attended = Q(status=Attendance.Status.ATTENDED)
        lotsen = lotsen.filter(attended) if arrived else lotsen.exclude(attended)
    return guests, lotsen


def participants(event: Event, user, values: dict | None = None) -> list[Participant]:
    """All participants of the event the user may see, filtered, sorted by name (two queries)."""
    guests, lotsen = filtered_querysets(event, user, values or {})
    rows = _guest_rows(guests) + _lotse_rows(lotsen)
    return sorted(rows, key=lambda row: row.sort_key)


def checkin_counts(event: Event, user) -> dict[str, int]:
    """ "42 of 80 checked in": everyone holding a place (confirmed guests, Lotsen registered or attended)."""
    from django.db.models import Count

    guests = (
        guests_of(event, user)
        .filter(status__in=GuestRegistration.TAKES_A_PLACE)
        .aggregate(total=Count("pk"), arrived=Count("pk", filter=Q(checked_in_at__isnull=False)))
    )
    lotsen = (
        lotsen_of(event, user)
        .filter(status__in=Attendance.TAKES_A_PLACE)
        .aggregate(total=Count("pk"), arrived=Count("pk", filter=Q(status=Attendance.Status.ATTENDED)))
    )
    return {
        "total": guests["total"] + lotsen["total"],
        "arrived": guests["arrived"] + lotsen["arrived"],
    }
