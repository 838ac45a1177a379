"""Coordinators plan events, register their Lotsen and take attendance; Lotsen only look."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance, Event
from events.selectors import training_hours_by_lotse
from lotsen.models import Lotse
from tests import factories as f

Status = Attendance.Status


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def events_snapshot():
    return list(Event.objects.order_by("pk").values())


def attendance_snapshot():
    return list(Attendance.objects.order_by("pk").values_list("pk", "event", "lotse", "status"))


def event_data(world, **changes):
    data = {
        "kind": "training",
        "region": world.owl.pk,
        "title": "Qualifizierungstreffen Bewerbungsmappe",
        "topic": "Bewerbung",
        "description": "",
        "starts_at": "2030-05-04T10:00",
        "ends_at": "2030-05-04T13:00",
        "place": "Bielefeld, VHS",
        "hours_credited": "3",
        "capacity": "12",
        "registration_deadline": "2030-04-30",
    }
    return data | changes


# -- create and edit ------------------------------------------------------------------------------
def test_coordinator_creates_an_event_of_their_region(coordinator_client, world):
    response = coordinator_client.post(reverse("events:create"), event_data(world))
    event = Event.objects.get(title="Qualifizierungstreffen Bewerbungsmappe")
    assert response["Location"] == reverse("events:detail", args=[event.pk])
    assert event.region == world.owl and event.created_by == world.coordinator
    assert event.hours_credited == Decimal("3") and event.capacity == 12
    assert messages_of(response)


def test_staff_creates_a_programme_wide_event(staff_client, world):
    staff_client.post(reverse("events:create"), event_data(world, region="", kind="conference"))
    assert Event.objects.get(title="Qualifizierungstreffen Bewerbungsmappe").region is None


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"region": ""}, "region"),  # programme-wide: programme staff only
        ({"region": "siegen"}, "region"),  # another region
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "<b>Treffen</b>"}, "title"),
        ({"place": "<img src=x onerror=alert(1)>"}, "place"),
        ({"ends_at": "2030-05-04T09:00"}, "ends_at"),
        ({"ends_at": "2030-05-04T10:00"}, "ends_at"),
        ({"starts_at": "gestern"}, "starts_at"),
        ({"registration_deadline": "2030-05-05"}, "registration_deadline"),
        ({"hours_credited": "-1"}, "hours_credited"),
        ({"hours_credited": "9"}, "hours_credited"),  # a three-hour event
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-3"}, "capacity"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_event_form_refuses_bad_input(coordinator_client, world, changes, field):
    if changes.get("region") == "siegen":
        changes = changes | {"region": world.siegen.pk}
    before = events_snapshot()
    response = coordinator_client.post(reverse("events:create"), event_data(world, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert b'class="error"' in response.content
    assert events_snapshot() == before


def test_coordinator_edits_own_event_but_not_capacity_below_registrations(coordinator_client, world):
    url = reverse("events:edit", args=[world.event.pk])
    data = event_data(world, title="Neuer Titel", starts_at="2031-01-10T09:00", ends_at="2031-01-10T12:00")
    response = coordinator_client.post(url, data | {"registration_deadline": ""})
    assert response.status_code == 302
    world.event.refresh_from_db()
    assert world.event.title == "Neuer Titel"
    f.AttendanceFactory(event=world.event, lotse=world.lotse_b)
    before = events_snapshot()
    response = coordinator_client.post(url, data | {"registration_deadline": "", "capacity": "1"})
    assert response.context["form"].errors["capacity"]
    assert events_snapshot() == before


def test_coordinator_cannot_edit_programme_wide_event(coordinator_client, world):
    assert coordinator_client.get(reverse("events:edit", args=[world.programme_event.pk])).status_code == 403
    assert coordinator_client.get(reverse("events:edit", args=[world.event_siegen.pk])).status_code == 404


# -- registration -----------------------------------------------------------------------------------
def test_coordinator_registers_lotsen_of_the_region(coordinator_client, world):
    extra = f.LotseFactory(region=world.owl)
    response = coordinator_client.post(
        reverse("events:register", args=[world.event.pk]), {"lotsen": [world.lotse_b.pk, extra.pk]}
    )
    assert response.status_code == 302
    assert set(world.event.attendances.values_list("lotse_id", flat=True)) == {
        world.lotse_a.pk,
        world.lotse_b.pk,
        extra.pk,
    }


@pytest.mark.parametrize("who", ["siegen", "nonsense", "nobody", "already"])
def test_registration_refuses_foreign_or_bad_ids(coordinator_client, world, who):
    lotse = {"siegen": world.lotse_siegen.pk, "nonsense": "abc", "nobody": "", "already": world.lotse_a.pk}[
        who
    ]
    before = attendance_snapshot()
    response = coordinator_client.post(
        reverse("events:register", args=[world.event.pk]), {"lotsen": [world.lotse_b.pk, lotse]}
    )
    assert response.status_code == 200
    assert response.context["register_form"].errors
    assert attendance_snapshot() == before


def test_capacity_is_never_exceeded(coordinator_client, world):
    world.event.capacity = 2
    world.event.save()
    third = f.LotseFactory(region=world.owl)
    before = attendance_snapshot()
    response = coordinator_client.post(
        reverse("events:register", args=[world.event.pk]), {"lotsen": [world.lotse_b.pk, third.pk]}
    )
    assert response.status_code == 200
    assert response.context["register_form"].non_field_errors()
    assert attendance_snapshot() == before  # all or nothing
    coordinator_client.post(reverse("events:register", args=[world.event.pk]), {"lotsen": [world.lotse_b.pk]})
    assert world.event.attendances.taking_a_place().count() == 2


def test_coordinator_may_register_after_the_deadline(coordinator_client, world):
    world.event.registration_deadline = timezone.localdate() - datetime.timedelta(days=1)
    world.event.save()
    response = coordinator_client.post(
        reverse("events:register", args=[world.event.pk]), {"lotsen": [world.lotse_b.pk]}
    )
    assert response.status_code == 302
    assert world.event.attendances.filter(lotse=world.lotse_b).exists()


def test_excused_person_gets_place_back_only_if_free(coordinator_client, world):
    world.event.capacity = 1
    world.event.starts_at = timezone.now() - datetime.timedelta(hours=1)
    world.event.ends_at = timezone.now() + datetime.timedelta(hours=2)
    world.event.save()
    url = reverse("events:attendance_set", args=[world.attendance.pk])
    coordinator_client.post(url, {"status": "excused"})
    f.AttendanceFactory(event=world.event, lotse=world.lotse_b)  # the freed place is taken
    response = coordinator_client.post(url, {"status": "attended"})
    world.attendance.refresh_from_db()
    assert world.attendance.status == Status.EXCUSED
    assert messages_of(response)


# -- attendance -------------------------------------------------------------------------------------
@pytest.fixture
def running_event(world):
    world.event.starts_at = timezone.now() - datetime.timedelta(hours=2)
    world.event.ends_at = timezone.now() + datetime.timedelta(hours=1)
    world.event.hours_credited = Decimal("2.5")
    world.event.save()
    return world.event


def test_attendance_toggle_with_htmx_returns_the_row(coordinator_client, world, running_event):
    url = reverse("events:attendance_set", args=[world.attendance.pk])
    response = coordinator_client.post(url, {"status": "attended"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    assert content.strip().startswith("<li") and "<html" not in content
    assert f'id="attendance-{world.attendance.pk}"' in content
    assert 'data-training-hours="2.5"' in content
    world.attendance.refresh_from_db()
    assert world.attendance.status == Status.ATTENDED


def test_attendance_toggle_without_js_redirects(coordinator_client, world, running_event):
    url = reverse("events:attendance_set", args=[world.attendance.pk])
    response = coordinator_client.post(url, {"status": "absent"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("events:attendance", args=[world.event.pk]))
    world.attendance.refresh_from_db()
    assert world.attendance.status == Status.ABSENT


@pytest.mark.parametrize("status", ["", "present", "x" * 300])
def test_attendance_refuses_unknown_status(coordinator_client, world, running_event, status):
    before = attendance_snapshot()
    url = reverse("events:attendance_set", args=[world.attendance.pk])
    response = coordinator_client.post(url, {"status": status}, headers={"HX-Request": "true"})
    assert 'role="alert"' in response.content.decode()
    assert attendance_snapshot() == before


def test_attended_only_once_the_event_started(coordinator_client, world):
    before = attendance_snapshot()
    response = coordinator_client.post(
        reverse("events:attendance_set", args=[world.attendance.pk]), {"status": "attended"}
    )
    assert response.status_code == 302
    assert attendance_snapshot() == before
    assert messages_of(response)


def test_attendance_page_shows_training_hours(coordinator_client, world, running_event):
    earlier = f.EventFactory(
        region=world.owl,
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30) + datetime.timedelta(hours=4),
        hours_credited=Decimal("4"),
    )
    f.AttendanceFactory(event=earlier, lotse=world.lotse_a, status=Status.ATTENDED)
    response = coordinator_client.get(reverse("events:attendance", args=[world.event.pk]))
    (row,) = response.context["attendances"]
    assert row.training_hours == Decimal("4")
    assert b'data-training-hours="4' in response.content
    detail = coordinator_client.get(reverse("events:detail", args=[world.event.pk]))
    assert [a.training_hours for a in detail.context["registrations"]] == [Decimal("4")]


# -- what Lotsen see --------------------------------------------------------------------------------
def test_lotse_sees_event_without_coordinator_controls(lotse_client, world):
    response = lotse_client.get(reverse("events:detail", args=[world.event.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("events:register", args=[world.event.pk]) not in content
    assert reverse("events:attendance", args=[world.event.pk]) not in content
    assert reverse("events:edit", args=[world.event.pk]) not in content
    listing = lotse_client.get(reverse("events:list"))
    assert {e.pk for e in listing.context["events"]} == {world.event.pk, world.programme_event.pk}
    assert reverse("events:create") not in listing.content.decode()


# -- list filters -------------------------------------------------------------------------------------
def test_event_list_filters(coordinator_client, world):
    past = f.EventFactory(
        region=world.owl,
        kind="workshop",
        starts_at=timezone.now() - datetime.timedelta(days=60),
        ends_at=timezone.now() - datetime.timedelta(days=60) + datetime.timedelta(hours=2),
        hours_credited=Decimal("2"),
    )
    url = reverse("events:list")
    assert [e.pk for e in coordinator_client.get(url, {"when": "past"}).context["events"]] == [past.pk]
    assert [e.pk for e in coordinator_client.get(url, {"kind": "workshop"}).context["events"]] == [past.pk]
    programme = coordinator_client.get(url, {"region": "null"}).context["events"]
    assert [e.pk for e in programme] == [world.programme_event.pk]
    day = timezone.localtime(past.starts_at).date().isoformat()
    in_range = coordinator_client.get(url, {"starts_from": day, "starts_until": day}).context["events"]
    assert [e.pk for e in in_range] == [past.pk]
    upcoming = coordinator_client.get(url, {"when": "upcoming", "o": "title"})
    assert past.pk not in [e.pk for e in upcoming.context["events"]]


def test_event_list_wrong_date_range(coordinator_client, world):
    response = coordinator_client.get(
        reverse("events:list"), {"starts_from": "2030-02-01", "starts_until": "2030-01-01"}
    )
    assert response.context["filter"].form.errors["starts_until"]
    assert list(response.context["events"]) == []
    assert b'class="error"' in response.content


def test_event_list_empty_state(coordinator_client, world):
    response = coordinator_client.get(reverse("events:list"), {"kind": "closing"})
    assert list(response.context["events"]) == []
    assert b'class="empty"' in response.content


# -- selector ------------------------------------------------------------------------------------------
def test_training_hours_by_lotse(world):
    def attended(kind, hours, lotse=world.lotse_a, status=Status.ATTENDED):
        event = f.EventFactory(region=world.owl, kind=kind, hours_credited=Decimal(hours))
        f.AttendanceFactory(event=event, lotse=lotse, status=status)

    attended("training", "3")
    attended("workshop", "2.5")
    attended("conference", "6")  # not a qualification
    attended("training", "4", status=Status.EXCUSED)
    attended("training", "1", lotse=world.lotse_b)
    lotsen = training_hours_by_lotse(Lotse.objects.filter(region=world.owl)).annotate(
        organisations_count=Count("organisations")
    )
    hours = {lotse.pk: (lotse.training_hours, lotse.organisations_count) for lotse in lotsen}
    assert hours[world.lotse_a.pk] == (Decimal("5.5"), 1)  # the join for the count does not multiply hours
    assert hours[world.lotse_b.pk] == (Decimal("1"), 1)


# -- constant queries ----------------------------------------------------------------------------------
def _fill(world, rows):
    for _ in range(rows):
        lotse = f.LotseFactory(region=world.owl)
        f.AttendanceFactory(event=world.event, lotse=lotse)
        f.EventFactory(region=world.owl)


#: measured: list 7, detail 10 (with the workshop choice), attendance 6 — for 1 and for 200 rows
EVENT_QUERIES = 10


@pytest.mark.parametrize("rows", [1, 200])
@pytest.mark.parametrize("page", ["events:list", "events:detail", "events:attendance"])
def test_event_pages_run_constant_queries(
    coordinator_client, world, django_assert_max_num_queries, rows, page
):
    world.event.capacity = None
    world.event.save()
    _fill(world, rows)
    url = reverse(page) if page == "events:list" else reverse(page, args=[world.event.pk])
    with django_assert_max_num_queries(EVENT_QUERIES):
        response = coordinator_client.get(url)
    assert response.status_code == 200


def test_event_list_queries_do_not_grow(coordinator_client, world):
    counts = []
    for rows in (1, 60):
        _fill(world, rows)
        with CaptureQueriesContext(connection) as queries:
            coordinator_client.get(reverse("events:list"))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("deadline_days", "reason", "english"),
    [
        (None, "started", "Registration has closed: the event has started."),
        (-3, "deadline", "The registration deadline has passed"),
    ],
)
def test_closed_registration_names_the_right_reason(
    coordinator_client, world, deadline_days, reason, english
):
    """Without a deadline, registration closes when the event starts: say so, not "deadline passed"."""
    today = timezone.localdate()
    world.event.starts_at = timezone.now() - datetime.timedelta(hours=1)
    world.event.ends_at = timezone.now() + datetime.timedelta(hours=2)
    world.event.registration_deadline = (
        None if deadline_days is None else today + datetime.timedelta(deadline_days)
    )
    world.event.save()
    coordinator_client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = coordinator_client.get(reverse("events:detail", args=[world.event.pk])).content.decode()

    assert f'id="registration-closed" data-reason="{reason}"' in html
    assert english in html
    if deadline_days is None:
        assert "<dd>the start of the event</dd>" in html


def test_coordinator_removes_a_registration_but_not_a_recorded_attendance(coordinator_client, world):
    detail = reverse("events:detail", args=[world.event.pk])
    assert (
        reverse("events:registration_remove", args=[world.attendance.pk])
        in coordinator_client.get(detail).content.decode()
    )
    response = coordinator_client.post(reverse("events:registration_remove", args=[world.attendance.pk]))
    assert response.status_code == 302 and response["Location"].startswith(detail)
    assert not Attendance.objects.filter(pk=world.attendance.pk).exists()

    attended = f.AttendanceFactory(event=world.programme_event, lotse=world.lotse_b, status="attended")
    coordinator_client.post(reverse("events:registration_remove", args=[attended.pk]))
    assert Attendance.objects.filter(pk=attended.pk, status="attended").exists()
