"""Role matrix of events: list and detail for everyone (scoped), planning, registration and attendance for
coordinators and staff only (Lotsen 403, another region's event 404)."""

from events.models import Attendance
from tests.matrix import ANY_USER, CO, COORDINATORS_ONLY, ST, Case, expect

#: An OWL event's coordinator screens: the Siegen coordinator does not see the event at all.
OWL_EVENT_SCREEN = expect(lotse_a=403, lotse_b=403, other_coordinator=404)
#: A successful POST on an OWL event or attendance (redirect).
OWL_POST = expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=404, staff=302)

CASES = [
    Case("events:list", ANY_USER),
    Case("events:list", ANY_USER, query="?when=upcoming&kind=training&o=-date&starts_from=2020-01-01"),
    Case("events:detail", expect(other_coordinator=404), kwargs=lambda w: {"pk": w.event.pk}),
    Case("events:detail", ANY_USER, kwargs=lambda w: {"pk": w.programme_event.pk}),
    # A Siegen event: the OWL Lotsen and the OWL coordinator do not see it.
    Case(
        "events:detail",
        expect(lotse_a=404, lotse_b=404, coordinator=404),
        kwargs=lambda w: {"pk": w.event_siegen.pk},
    ),
    Case(
        "events:attendance",
        expect(lotse_a=403, lotse_b=403, coordinator=404),
        kwargs=lambda w: {"pk": w.event_siegen.pk},
    ),
    Case("events:create", COORDINATORS_ONLY),
    # An OWL event: the Siegen coordinator cannot choose OWL, so the form answers with an error (200).
    Case(
        "events:create",
        expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=200, staff=302),
        method="post",
        data=lambda w: {
            "kind": "training",
            "region": w.owl.pk,
            "title": "Qualifizierungstreffen Bewerbung",
            "starts_at": "2030-05-04T10:00",
            "ends_at": "2030-05-04T13:00",
            "hours_credited": "3",
            "capacity": "12",
        },
    ),
    Case("events:edit", OWL_EVENT_SCREEN, kwargs=lambda w: {"pk": w.event.pk}),
    # A programme-wide event: coordinators see it but only programme staff edit it.
    Case(
        "events:edit",
        expect(lotse_a=403, lotse_b=403, coordinator=403, other_coordinator=403),
        kwargs=lambda w: {"pk": w.programme_event.pk},
    ),
    Case(
        "events:register",
        OWL_POST,
        kwargs=lambda w: {"pk": w.event.pk},
        method="post",
        data=lambda w: {"lotsen": [w.lotse_b.pk]},
        wrote=lambda w: Attendance.objects.filter(event=w.event, lotse=w.lotse_b).exists(),
        writers=frozenset({CO, ST}),
    ),
    Case("events:attendance", OWL_EVENT_SCREEN, kwargs=lambda w: {"pk": w.event.pk}),
    Case("events:attendance", OWL_EVENT_SCREEN, kwargs=lambda w: {"pk": w.event.pk}, query="?q=Mehmet"),
    # On the day (the world's event is in the future: the service refuses and the page says so, 302)
    Case(
        "events:attendance_walk_in",
        OWL_POST,
        kwargs=lambda w: {"pk": w.event.pk},
        method="post",
        data=lambda w: {"lotse": w.lotse_b.pk, "q": "Mehmet"},
    ),
    Case(
        "events:attendance_all_present",
        OWL_POST,
        kwargs=lambda w: {"pk": w.event.pk},
        method="post",
    ),
    Case(
        "events:attendance_set",
        OWL_POST,
        kwargs=lambda w: {"pk": w.attendance.pk},
        method="post",
        data=lambda w: {"status": "excused"},
        wrote=lambda w: Attendance.objects.get(pk=w.attendance.pk).status == "excused",
        writers=frozenset({CO, ST}),
    ),
    Case(
        "events:registration_remove",
        OWL_POST,
        kwargs=lambda w: {"pk": w.attendance.pk},
        method="post",
        wrote=lambda w: not Attendance.objects.filter(pk=w.attendance.pk).exists(),
        writers=frozenset({CO, ST}),
    ),
]
