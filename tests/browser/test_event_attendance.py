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


#: WCAG relative luminance and contrast of an element's text against the background it is drawn on (the
#: first ancestor with an opaque background, blended over white where it is translucent).
CONTRAST_JS = """
(element) => {
  const parse = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const background = (node) => {
    const layers = [];
    for (let el = node; el; el = el.parentElement) {
      const [r, g, b, a = 1] = parse(getComputedStyle(el).backgroundColor);
      if (a > 0) layers.push([r, g, b, a]);
      if (a >= 1) break;
    }
    let colour = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) {
      colour = [r * a + colour[0] * (1 - a), g * a + colour[1] * (1 - a), b * a + colour[2] * (1 - a)];
    }
    return colour;
  };
  const luminance = ([r, g, b]) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const style = getComputedStyle(element);
  const [r, g, b, a = 1] = parse(style.color);
  const back = background(element);
  const text = [r * a + back[0] * (1 - a), g * a + back[1] * (1 - a), b * a + back[2] * (1 - a)];
  const [light, dark] = [luminance(text), luminance(back)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}
"""


def _event_now(region):
    return f.EventFactory(
        region=region,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
    )


def test_every_status_button_has_enough_contrast_in_every_state(phone_page, live_server):
    region = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    coordinator = f.UserFactory(email="coordinator.owl@example.org")
    f.CoordinationFactory(user=coordinator, region=region)
    event = _event_now(region)
    for status in ("attended", "excused", "absent", "registered"):
        f.AttendanceFactory(event=event, lotse=f.LotseFactory(region=region), status=status)
    page = phone_page
    log_in(page, live_server, "coordinator.owl@example.org", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/events/{event.pk}/attendance/")
    buttons = page.locator(".attendance-row button.tap")
    assert buttons.count() == 12
    # every status is chosen somewhere, so the selected look of each is measured too
    for status in ("attended", "excused", "absent"):
        assert page.locator(f"button.tap--{status}[aria-pressed=true]").count() == 1
    too_low = []
    for index in range(buttons.count()):
        button = buttons.nth(index)
        label = f"{button.get_attribute('value')} pressed={button.get_attribute('aria-pressed')}"
        page.mouse.move(0, 0)
        too_low += [(label, "rest", c) for c in [button.evaluate(CONTRAST_JS)] if c < 4.5]
        button.hover()
        too_low += [(label, "hover", c) for c in [button.evaluate(CONTRAST_JS)] if c < 4.5]
        button.focus()
        too_low += [(label, "focus", c) for c in [button.evaluate(CONTRAST_JS)] if c < 4.5]
    assert not too_low, too_low
    # more than colour: each status has a symbol of its own, and the chosen one is underlined and ringed
    symbols = page.evaluate(
        "[...document.querySelectorAll('.attendance-row:first-child .tap__icon')]"
        ".map(el => getComputedStyle(el, '::before').content)"
    )
    assert len(set(symbols)) == 3 and all(symbol not in ("none", '""') for symbol in symbols)
    chosen = page.locator("button.tap[aria-pressed=true]").first
    assert "underline" in chosen.evaluate("el => getComputedStyle(el).textDecorationLine")
    assert chosen.evaluate("el => getComputedStyle(el).boxShadow") != "none"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_walk_in_is_added_by_keyboard_in_a_few_steps(phone_page, live_server):
    region = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    coordinator = f.UserFactory(email="coordinator.owl@example.org")
    f.CoordinationFactory(user=coordinator, region=region)
    event = _event_now(region)
    f.AttendanceFactory(event=event, lotse=f.LotseFactory(region=region, last_name="Angemeldet"))
    walk_in = f.LotseFactory(region=region, first_name="Olga", last_name="Spontan")
    page = phone_page
    log_in(page, live_server, "coordinator.owl@example.org", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/events/{event.pk}/attendance/")

    page.get_by_label("Name").fill("Spont")  # 1
    page.keyboard.press("Enter")  # 2
    add = page.get_by_role("button", name="Als „teilgenommen“ eintragen Olga Spontan")
    add.focus()
    page.keyboard.press("Enter")  # 3

    page.wait_for_url("**/attendance/#attendance-*")
    attendance = Attendance.objects.get(event=event, lotse=walk_in)
    row = page.locator(f"#attendance-{attendance.pk}")
    row.wait_for()
    assert row.locator("button[value=attended][aria-pressed=true]").count() == 1
    assert attendance.status == Attendance.Status.ATTENDED
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_all_present_asks_first_and_then_marks_the_open_ones(phone_page, live_server):
    region = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    coordinator = f.UserFactory(email="coordinator.owl@example.org")
    f.CoordinationFactory(user=coordinator, region=region)
    event = _event_now(region)
    open_one = f.AttendanceFactory(event=event, lotse=f.LotseFactory(region=region))
    excused = f.AttendanceFactory(event=event, lotse=f.LotseFactory(region=region), status="excused")
    page = phone_page
    log_in(page, live_server, "coordinator.owl@example.org", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/events/{event.pk}/attendance/")
    confirm = page.get_by_role("button", name="1 als „teilgenommen“ eintragen")
    assert not confirm.is_visible()  # asks first
    page.locator("#all-present summary").tap()
    confirm.tap()
    page.locator(f"#attendance-{open_one.pk} button[value=attended][aria-pressed=true]").wait_for()
    assert Attendance.objects.get(pk=open_one.pk).status == "attended"
    assert Attendance.objects.get(pk=excused.pk).status == "excused"
