"""Attendance on the day: a walk-in added from the attendance page by name, "all present", and wording that
cannot be mistaken for logging out."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance
from tests import factories as f

pytestmark = pytest.mark.django_db


def _today(event, capacity=None):
    """The event runs now (attendance can be recorded)."""
    event.starts_at = timezone.now() - datetime.timedelta(minutes=30)
    event.ends_at = timezone.now() + datetime.timedelta(hours=3)
    event.capacity = capacity
    event.save()
    return event


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _page(client, event, q=""):
    return client.get(reverse("events:attendance", args=[event.pk]), {"q": q} if q else {})


def test_the_name_search_finds_unregistered_lotsen_of_the_region_only(coordinator_client, world):
    event = _today(world.event)
    html = _page(coordinator_client, event, "Mehmet").content.decode()
    assert "Mehmet Şahin" in html and "Als „teilgenommen“ eintragen" in html
    # registered already (on the list above, not offered again); another region's Lotse: never
    results = _page(coordinator_client, event, "Güllüoğlu").context["walk_ins"]
    assert list(results) == []
    assert list(_page(coordinator_client, event, "Смирнова").context["walk_ins"]) == []
    left = f.LotseFactory(region=world.owl, first_name="Lena", last_name="Gegangen", status="left")
    assert left not in _page(coordinator_client, event, "Gegangen").context["walk_ins"]


def test_a_walk_in_is_added_as_attended_in_one_step(coordinator_client, world):
    event = _today(world.event)
    response = coordinator_client.post(
        reverse("events:attendance_walk_in", args=[event.pk]), {"lotse": world.lotse_b.pk, "q": "Mehmet"}
    )
    attendance = Attendance.objects.get(event=event, lotse=world.lotse_b)
    assert attendance.status == Attendance.Status.ATTENDED
    assert attendance.updated_by == world.coordinator
    assert response["Location"].endswith(f"#attendance-{attendance.pk}")
    assert _messages(response) == ["Mehmet Şahin wurde als „teilgenommen“ eingetragen."]


def test_an_excused_lotse_who_comes_after_all_is_added_too(coordinator_client, world):
    event = _today(world.event)
    excused = f.AttendanceFactory(event=event, lotse=world.lotse_b, status="excused")
    assert world.lotse_b in _page(coordinator_client, event, "Şahin").context["walk_ins"]
    coordinator_client.post(
        reverse("events:attendance_walk_in", args=[event.pk]), {"lotse": world.lotse_b.pk}
    )
    excused.refresh_from_db()
    assert excused.status == Attendance.Status.ATTENDED


def test_walk_ins_may_exceed_the_capacity(coordinator_client, world):
    event = _today(world.event, capacity=1)  # taken by Lotse A's registration
    coordinator_client.post(
        reverse("events:attendance_walk_in", args=[event.pk]), {"lotse": world.lotse_b.pk}
    )
    assert Attendance.objects.filter(event=event, status="attended", lotse=world.lotse_b).exists()


def test_no_walk_in_before_the_door_opens(coordinator_client, world):
    event = world.event  # in the future
    response = coordinator_client.post(
        reverse("events:attendance_walk_in", args=[event.pk]), {"lotse": world.lotse_b.pk}
    )
    assert not Attendance.objects.filter(event=event, lotse=world.lotse_b).exists()
    assert "Die Teilnahme kann ab" in _messages(response)[0]


def test_a_walk_in_of_another_region_or_oneself_is_refused(coordinator_client, world):
    event = _today(world.event)
    url = reverse("events:attendance_walk_in", args=[event.pk])
    assert coordinator_client.post(url, {"lotse": world.lotse_siegen.pk}).status_code == 404
    own = f.LotseFactory(
        region=world.owl, first_name="Claudia", last_name="Koordinat", user=world.coordinator
    )
    assert own not in _page(coordinator_client, event, "Koordinat").context["walk_ins"]
    assert coordinator_client.post(url, {"lotse": own.pk}).status_code == 404
    assert not Attendance.objects.filter(event=event, lotse__in=[own, world.lotse_siegen]).exists()


def test_all_present_marks_the_open_ones_and_keeps_excused_and_absent(coordinator_client, world):
    event = _today(world.event)
    open_ones = [f.AttendanceFactory(event=event, lotse=f.LotseFactory(region=world.owl)) for _ in range(2)]
    excused = f.AttendanceFactory(event=event, lotse=world.lotse_b, status="excused")
    absent = f.AttendanceFactory(event=event, lotse=f.LotseFactory(region=world.owl), status="absent")
    page = _page(coordinator_client, event).content.decode()
    assert "3 Lotsinnen und Lotsen ohne erfasste Teilnahme werden als „teilgenommen“ eingetragen." in page
    assert '<details class="card all-present"' in page  # asks first, without JavaScript

    response = coordinator_client.post(reverse("events:attendance_all_present", args=[event.pk]))

    statuses = dict(Attendance.objects.filter(event=event).values_list("pk", "status"))
    assert all(statuses[a.pk] == "attended" for a in [world.attendance, *open_ones])
    assert statuses[excused.pk] == "excused" and statuses[absent.pk] == "absent"
    assert _messages(response) == ["Bei 3 Lotsinnen und Lotsen „teilgenommen“ eingetragen."]
    assert (
        'class="card all-present"' not in _page(coordinator_client, event).content.decode()
    )  # nothing left to mark


def test_all_present_leaves_out_the_coordinators_own_registration(coordinator_client, world):
    event = _today(world.event)
    own = f.AttendanceFactory(event=event, lotse=f.LotseFactory(region=world.owl, user=world.coordinator))
    coordinator_client.post(reverse("events:attendance_all_present", args=[event.pk]))
    own.refresh_from_db()
    assert own.status == "registered"
    assert Attendance.objects.get(pk=world.attendance.pk).status == "attended"


def test_all_present_before_the_event_changes_nothing(coordinator_client, world):
    response = coordinator_client.post(reverse("events:attendance_all_present", args=[world.event.pk]))
    assert Attendance.objects.get(pk=world.attendance.pk).status == "registered"
    assert "Die Teilnahme kann ab" in _messages(response)[0]


def test_the_attendance_page_with_a_search_takes_the_same_queries_for_1_and_20_rows(
    coordinator_client, world, django_assert_max_num_queries
):
    event = _today(world.event)
    for _ in range(20):
        f.AttendanceFactory(event=event, lotse=f.LotseFactory(region=world.owl))
        f.LotseFactory(region=world.owl, last_name="Gast")
    with django_assert_max_num_queries(14):
        response = _page(coordinator_client, event, "Gast")
    assert len(response.context["walk_ins"]) == 10


def test_removing_a_registration_does_not_read_like_logging_out(coordinator_client, world):
    html = coordinator_client.get(reverse("events:detail", args=[world.event.pk])).content.decode()
    assert "Anmeldung entfernen" in html
    assert html.count("Abmelden") == 1  # the log-out button in the header, nothing else


def test_status_buttons_name_the_person_and_carry_a_symbol(coordinator_client, world):
    html = _page(coordinator_client, _today(world.event)).content.decode()
    for status in ("attended", "excused", "absent"):
        assert f'class="button tap tap--{status}"' in html
    assert html.count('<span class="tap__icon" aria-hidden="true"></span>') == 3
    assert '<span class="visually-hidden"> <bdi>Ayşe Güllüoğlu</bdi></span>' in html


def _ended(event, days_ago):
    """The event ended ``days_ago`` calendar days ago (local time), at 18:00."""
    end = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() - datetime.timedelta(days=days_ago), datetime.time(18))
    )
    event.starts_at, event.ends_at = end - datetime.timedelta(hours=4), end
    event.save()
    return event


def test_walk_ins_and_all_present_stay_open_the_day_after(coordinator_client, world):
    event = _ended(world.event, days_ago=1)
    coordinator_client.post(reverse("events:attendance_all_present", args=[event.pk]))
    coordinator_client.post(
        reverse("events:attendance_walk_in", args=[event.pk]), {"lotse": world.lotse_b.pk}
    )
    assert Attendance.objects.get(pk=world.attendance.pk).status == "attended"
    assert Attendance.objects.get(event=event, lotse=world.lotse_b).status == "attended"


def test_walk_ins_and_all_present_close_after_the_day_after(coordinator_client, world):
    event = _ended(world.event, days_ago=2)
    closed = (
        f"Ohne Anmeldung Gekommene und „alle als teilgenommen“ können bis zum Ende des Tages nach der "
        f"Veranstaltung ({(timezone.localdate() - datetime.timedelta(days=1)):%d.%m.%Y}) eingetragen werden."
    )

    response = coordinator_client.post(reverse("events:attendance_all_present", args=[event.pk]))
    assert Attendance.objects.get(pk=world.attendance.pk).status == "registered"
    assert _messages(response)[0].startswith(closed)

    response = coordinator_client.post(
        reverse("events:attendance_walk_in", args=[event.pk]), {"lotse": world.lotse_b.pk}
    )
    assert not Attendance.objects.filter(event=event, lotse=world.lotse_b).exists()
    assert _messages(response)[0].startswith(closed)

    # the page says so instead of offering them; a single attendance can still be set
    page = _page(coordinator_client, event, "Mehmet")
    html = page.content.decode()
    assert closed in html
    assert 'class="card all-present"' not in html and 'name="q"' not in html
    assert list(page.context["walk_ins"]) == []
    coordinator_client.post(
        reverse("events:attendance_set", args=[world.attendance.pk]), {"status": "attended"}
    )
    assert Attendance.objects.get(pk=world.attendance.pk).status == "attended"
