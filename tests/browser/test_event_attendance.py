"""A coordinator takes attendance on a phone: one tap per person, no page reload (htmx)."""

import datetime

from django.utils import timezone

from events.models import Attendance
from tests import factories as f
from tests.browser.conftest import log_in


def test_one_tap_marks_attendance_without_reload(phone_page, live_server):
    region = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    coordinator = f.UserFactory(email="coordinator.owl@example.org")
    f.CoordinationFactory(user=coordinator, region=region)
    event = f.EventFactory(
        region=region,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
    )
    lotse = f.LotseFactory(region=region, first_name="Ayşe", last_name="Güllüoğlu")
    attendance = f.AttendanceFactory(event=event, lotse=lotse)
    page = phone_page
    log_in(page, live_server, "coordinator.owl@example.org", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/events/{event.pk}/attendance/")
    page.evaluate("window.__noReload = true")
    row = page.locator(f"#attendance-{attendance.pk}")
    row.locator("button[value=attended]").click()
    page.locator(f"#attendance-{attendance.pk} button[value=attended][aria-pressed=true]").wait_for()
    assert page.evaluate("window.__noReload") is True  # the row was swapped, the page not reloaded
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.ATTENDED
    assert page.locator(f"#attendance-{attendance.pk} [data-training-hours='3.0']").count() == 1
    page.locator(f"#attendance-{attendance.pk} button[value=excused]").click()
    page.locator(f"#attendance-{attendance.pk} button[value=excused][aria-pressed=true]").wait_for()
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.EXCUSED
    # phone width: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
