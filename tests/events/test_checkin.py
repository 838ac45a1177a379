"""Check-in at the door (issue #13): by name search and by the guest's QR token; idempotent; GET changes
nothing; another region's token 404; nobody checks themself in; the counter."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events import checkin as checkin_services
from events.guests import checkin_url
from events.models import Attendance, Event, GuestRegistration
from tests import factories as f
from tests.events.helpers import make_guest


@pytest.fixture
def door(world):
    """The OWL event has begun: Lotse A and B registered, one confirmed guest and one on the waiting list."""
    now = timezone.now()
    Event.objects.filter(pk=world.event.pk).update(
        starts_at=now - datetime.timedelta(minutes=30), ends_at=now + datetime.timedelta(hours=3)
    )
    world.event.refresh_from_db()
    lotse_b = f.AttendanceFactory(event=world.event, lotse=world.lotse_b)
    guest = make_guest(world.event, "Gülcan Yıldız", token="qr-gulcan")
    waiting = make_guest(world.event, "Wanda Wartend", status="waiting", token="qr-wanda")
    return world, guest, waiting, lotse_b


def _counter(response) -> tuple[int, int]:
    counts = response.context["counts"]
    return counts["arrived"], counts["total"]


def test_a_search_with_a_nul_byte_is_an_error_not_a_500(coordinator_client, door):
    """PostgreSQL refuses NUL in a text; the search is a form field that says so (a 500 in CI before)."""
    world, *_ = door
    response = coordinator_client.get(reverse("events:checkin", args=[world.event.pk]), {"q": "gül\x00c"})
    assert response.status_code == 200
    assert response.context["results"] == [] and response.context["search_errors"]


def test_search_and_check_in_a_guest(coordinator_client, door):
    world, guest, *_ = door
    url = reverse("events:checkin", args=[world.event.pk])
    response = coordinator_client.get(url, {"q": "gülc"})
    assert [row.name for row in response.context["results"]] == ["Gülcan Yıldız"]
    assert _counter(response) == (0, 3)  # 2 Lotsen + 1 confirmed guest (not the waiting list)
    response = coordinator_client.post(url, {"guest": guest.pk, "q": "gülc"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{url}?q=g%C3%BClc"
    guest.refresh_from_db()
    assert guest.checked_in_at is not None and guest.checked_in_by == world.coordinator
    assert _counter(response) == (1, 3)
    assert "1 of 3 checked in" in response.content.decode() or "1 von 3" in response.content.decode()
    assert "Gülcan Yıldız" in response.content.decode()


def test_check_in_a_lotse_records_attendance(coordinator_client, door):
    world, guest, waiting, lotse_b = door
    url = reverse("events:checkin", args=[world.event.pk])
    coordinator_client.post(url, {"lotse": lotse_b.pk})
    lotse_b.refresh_from_db()
    assert lotse_b.status == Attendance.Status.ATTENDED and lotse_b.updated_by == world.coordinator


def test_checking_in_twice_keeps_the_first(coordinator_client, staff_client, door):
    world, guest, *_ = door
    first = checkin_services.check_in_guest(registration=guest, acting_user=world.coordinator)
    again = checkin_services.check_in_guest(registration=guest, acting_user=world.staff)
    assert again.checked_in_at == first.checked_in_at and again.checked_in_by == world.coordinator


def test_a_guest_without_a_confirmed_place_is_not_checked_in(coordinator_client, door):
    world, guest, waiting, _ = door
    url = reverse("events:checkin", args=[world.event.pk])
    response = coordinator_client.post(url, {"guest": waiting.pk}, follow=True)
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None
    assert "cannot be checked in" in response.content.decode() or "kann nicht" in response.content.decode()


def test_nobody_checks_themself_in(client, door):
    world, *_ = door
    # Lotse A becomes a coordinator of OWL as well: their own attendance is refused.
    f.CoordinationFactory(user=world.lotse_a.user, region=world.owl)
    client.force_login(world.lotse_a.user)
    client.post(reverse("events:checkin", args=[world.event.pk]), {"lotse": world.attendance.pk})
    world.attendance.refresh_from_db()
    assert world.attendance.status == Attendance.Status.REGISTERED


def test_scan_page_shows_the_guest_and_get_changes_nothing(coordinator_client, door):
    world, guest, *_ = door
    assert checkin_url(guest).endswith(f"/events/checkin/{guest.checkin_token}/")
    url = reverse("events:checkin_scan", args=[guest.checkin_token])
    response = coordinator_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Gülcan Yıldız" in html and "Jobcenter Bielefeld" in html
    guest.refresh_from_db()
    assert guest.checked_in_at is None
    coordinator_client.post(url)
    coordinator_client.post(url)  # the second scan changes nothing
    guest.refresh_from_db()
    assert guest.checked_in_at is not None
    assert GuestRegistration.objects.filter(checked_in_at__isnull=False).count() == 1


def test_scan_of_another_regions_guest_is_404(other_coordinator_client, door):
    world, guest, *_ = door
    url = reverse("events:checkin_scan", args=[guest.checkin_token])
    assert other_coordinator_client.get(url).status_code == 404
    assert other_coordinator_client.post(url).status_code == 404
    guest.refresh_from_db()
    assert guest.checked_in_at is None


def test_scan_needs_a_login_and_lotsen_get_404(client, lotse_client, door):
    world, guest, *_ = door
    url = reverse("events:checkin_scan", args=[guest.checkin_token])
    assert lotse_client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(reverse("events:checkin_scan", args=["no-such-token"])).status_code == 302


def test_only_the_checkin_page_may_use_the_camera(coordinator_client, door):
    world, *_ = door
    checkin = coordinator_client.get(reverse("events:checkin", args=[world.event.pk]))
    assert "camera=(self)" in checkin["Permissions-Policy"]
    assert "microphone=()" in checkin["Permissions-Policy"]
    other = coordinator_client.get(reverse("events:participants", args=[world.event.pk]))
    assert "camera=()" in other["Permissions-Policy"]
    html = checkin.content.decode()
    assert "js/checkin-scan.js" in html and "data-checkin-scan-start" in html


def test_htmx_search_answers_with_the_results_only(coordinator_client, door):
    world, *_ = door
    response = coordinator_client.get(
        reverse("events:checkin", args=[world.event.pk]), {"q": "Şahin"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="checkin-results"')
    assert "Mehmet Şahin" in html


def _move_event(event, *, starts_in: datetime.timedelta):
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now + starts_in, ends_at=now + starts_in + datetime.timedelta(hours=3)
    )
    event.refresh_from_db()


def test_guests_and_lotsen_check_in_from_two_hours_before_the_start(coordinator_client, door):
    """One window for both: a Lotse arriving early is checked in like a guest (not refused until the
    start)."""
    world, guest, waiting, lotse_b = door
    _move_event(world.event, starts_in=datetime.timedelta(hours=1))
    url = reverse("events:checkin", args=[world.event.pk])
    coordinator_client.post(url, {"guest": guest.pk})
    coordinator_client.post(url, {"lotse": lotse_b.pk})
    guest.refresh_from_db()
    lotse_b.refresh_from_db()
    assert guest.checked_in_at is not None
    assert lotse_b.status == Attendance.Status.ATTENDED


@pytest.mark.parametrize(
    ("starts_in", "words"),
    [
        (datetime.timedelta(hours=3), ("Check-in opens at", "Der Check-in beginnt am")),
        (-datetime.timedelta(hours=4), ("check-in is closed", "der Check-in ist geschlossen")),
    ],
)
def test_outside_the_window_nobody_is_checked_in_and_the_door_says_why(
    coordinator_client, door, starts_in, words
):
    world, guest, waiting, lotse_b = door
    _move_event(world.event, starts_in=starts_in)
    url = reverse("events:checkin", args=[world.event.pk])
    for person in ({"guest": guest.pk}, {"lotse": lotse_b.pk}):
        response = coordinator_client.post(url, person, follow=True)
        html = response.content.decode()
        assert any(word in html for word in words), html[:3000]
    scan = coordinator_client.post(reverse("events:checkin_scan", args=[guest.checkin_token]), follow=True)
    assert any(word in scan.content.decode() for word in words)
    guest.refresh_from_db()
    lotse_b.refresh_from_db()
    assert guest.checked_in_at is None
    assert lotse_b.status == Attendance.Status.REGISTERED
