"""A Lotse's events: upcoming ones of the region and programme-wide, register, cancel, attended hours."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance
from tests import factories as f


def test_lists_own_region_and_programme_wide_events_only(lotse_client, world):
    response = lotse_client.get(reverse("me:events"))
    events = list(response.context["events"])
    assert world.event in events
    assert world.programme_event in events
    assert world.event_siegen not in events
    past = f.EventFactory(region=world.owl, starts_at=timezone.now() - datetime.timedelta(days=3))
    assert past not in lotse_client.get(reverse("me:events")).context["events"]


def test_register_and_cancel(lotse_b_client, world):
    register = reverse("me:event_register", kwargs={"pk": world.event.pk})
    assert lotse_b_client.post(register).status_code == 302
    assert Attendance.objects.filter(event=world.event, lotse=world.lotse_b, status="registered").exists()
    shown = lotse_b_client.get(reverse("me:events")).context["events"]
    assert next(e for e in shown if e.pk == world.event.pk).my_status == "registered"
    lotse_b_client.post(reverse("me:event_cancel", kwargs={"pk": world.event.pk}))
    assert not Attendance.objects.filter(event=world.event, lotse=world.lotse_b).exists()


def test_registration_after_the_deadline_is_refused(lotse_b_client, world):
    world.event.registration_deadline = timezone.localdate() - datetime.timedelta(days=1)
    world.event.save(update_fields=["registration_deadline"])
    response = lotse_b_client.post(reverse("me:event_register", kwargs={"pk": world.event.pk}), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Attendance.objects.filter(event=world.event, lotse=world.lotse_b).exists()
    # and Lotse A, registered before, can no longer cancel herself
    lotse_a_client = response.client
    lotse_a_client.force_login(world.lotse_a.user)
    lotse_a_client.post(reverse("me:event_cancel", kwargs={"pk": world.event.pk}))
    assert Attendance.objects.filter(pk=world.attendance.pk).exists()


def test_a_full_event_refuses_registration(lotse_b_client, world):
    world.event.capacity = 1  # Lotse A holds the only place
    world.event.save(update_fields=["capacity"])
    lotse_b_client.post(reverse("me:event_register", kwargs={"pk": world.event.pk}))
    assert not Attendance.objects.filter(event=world.event, lotse=world.lotse_b).exists()


def test_another_regions_event_is_a_404(lotse_client, world):
    url = reverse("me:event_register", kwargs={"pk": world.event_siegen.pk})
    assert lotse_client.post(url).status_code == 404
    assert not Attendance.objects.filter(event=world.event_siegen).exists()


def test_attended_trainings_are_listed_with_total_hours(lotse_client, world):
    past = timezone.now() - datetime.timedelta(days=40)
    for hours in ("3", "4.5"):
        event = f.EventFactory(region=world.owl, starts_at=past, hours_credited=Decimal(hours))
        f.AttendanceFactory(event=event, lotse=world.lotse_a, status=Attendance.Status.ATTENDED)
    other = f.EventFactory(region=world.owl, starts_at=past, hours_credited=Decimal("9"))
    f.AttendanceFactory(event=other, lotse=world.lotse_b, status=Attendance.Status.ATTENDED)
    response = lotse_client.get(reverse("me:events"))
    assert len(response.context["attended"]) == 2
    assert response.context["attended_hours"] == Decimal("7.5")


@pytest.mark.parametrize("rows", [1, 40])
def test_events_page_needs_the_same_number_of_queries(lotse_client, world, rows, django_assert_num_queries):
    for _ in range(rows):
        event = f.EventFactory(region=world.owl)
        f.AttendanceFactory(event=event, lotse=world.lotse_b)
        past = f.EventFactory(region=world.owl, starts_at=timezone.now() - datetime.timedelta(days=9))
        f.AttendanceFactory(event=past, lotse=world.lotse_a, status=Attendance.Status.ATTENDED)
    with django_assert_num_queries(7):  # with the events' workshops; the Lotse comes with the user
        lotse_client.get(reverse("me:events"))
