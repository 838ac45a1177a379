"""Issue #15, point 1: navigation that fits a phone and a desktop header row that fits every role.

On a phone (375 × 812) every destination of a role is a tap away without sideways scrolling: in the tab bar
at the bottom or in its "Mehr" menu (a <details>, so it works without JavaScript); the current place is
marked. On a desktop (1366 × 900) the navigation is one row for every role, staff's included.
"""

import pytest

from tests import factories as f
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import _violations

pytestmark = pytest.mark.browser

ROLES = [
    "lotse_a",
    "coordinator",
    "other_coordinator",
    "staff",
]  # coordinator pays, other_coordinator does not

# Every link of the navigation (each destination once: a desktop-row item is also in the phone's menu).
DESTINATIONS = (
    "() => [...new Set([...document.querySelectorAll('.main-nav a')].map(a => a.getAttribute('href')))]"
)
VISIBLE_LINKS = """() => [...document.querySelectorAll('.main-nav a')]
    .filter(a => a.checkVisibility({visibilityProperty: true}))
    .map(a => a.getAttribute('href'))"""
NO_SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


def _open_menu(page):
    toggle = page.locator(".nav-menu__toggle")
    if page.locator(".nav-menu").get_attribute("open") is None:
        toggle.click()


@pytest.mark.parametrize("role", ROLES)
def test_every_destination_is_reachable_on_a_phone(phone_page, live_server, world, role):
    page = phone_page
    log_in(page, live_server, world.user_for(role).email, f.TEST_PASSWORD)
    destinations = page.evaluate(DESTINATIONS)
    assert len(destinations) >= 5
    for href in destinations:
        page.goto(f"{live_server.url}/")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        tabs = page.evaluate(VISIBLE_LINKS)
        assert 2 <= len(tabs) <= 4, tabs
        if href not in tabs:
            _open_menu(page)
            assert page.evaluate(NO_SIDEWAYS_SCROLL)
        link = page.locator(f".main-nav a[href='{href}']:visible")
        assert link.count() == 1, href
        box = link.bounding_box()
        # Inside the screen and big enough for a thumb.
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 812, href
        assert box["height"] >= 44, href
        if href == "/admin/":  # Django's admin has its own layout, without the portal's navigation
            continue
        link.click()
        page.wait_for_load_state()
        assert page.url.startswith(f"{live_server.url}{href}")
        assert page.evaluate(NO_SIDEWAYS_SCROLL), href
        # The current place is marked: its own link, and "Mehr" when the place is inside the menu.
        current = page.eval_on_selector_all(
            ".main-nav a[aria-current=page]", "links => links.map(a => a.getAttribute('href'))"
        )
        assert href in current
        if href not in tabs:
            toggle = page.locator(".nav-menu__toggle")
            assert toggle.evaluate("el => getComputedStyle(el).fontWeight") == "700", href


def test_the_tab_bar_stays_on_screen_and_the_menu_works_without_javascript(
    phone_page, chromium, live_server, world
):
    log_in(phone_page, live_server, world.lotse_a.user.email, f.TEST_PASSWORD)
    context = chromium.new_context(
        viewport={"width": 375, "height": 812},
        locale="de-DE",
        java_script_enabled=False,
        is_mobile=True,
        storage_state=phone_page.context.storage_state(),
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        bar = page.locator(".main-nav").bounding_box()
        assert bar["y"] + bar["height"] == pytest.approx(812, abs=1)
        assert page.locator(".main-nav a[aria-current=page]:visible").inner_text().strip() == "Start"
        visible = [
            t.replace("\u00ad", "").strip()
            for t in page.locator(".main-nav__bar > li:visible").all_inner_texts()
        ]
        assert visible == ["Start", "Beratungen", "Abrechnungen", "Veranstaltungen", "Mehr"]
        page.click(".nav-menu__toggle")
        page.get_by_role("link", name="Mein Profil").click()
        page.wait_for_url(f"{live_server.url}/me/profile/")
    finally:
        context.close()


@pytest.mark.parametrize("role", ROLES)
def test_the_desktop_navigation_is_one_row(page, live_server, world, role):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, world.user_for(role).email, f.TEST_PASSWORD)
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        tops = page.eval_on_selector_all(
            ".main-nav__bar > li", "items => items.filter(li => li.checkVisibility()).map(li => li.offsetTop)"
        )
        assert len(tops) >= 5 and len(set(tops)) == 1, (width, tops)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # The destinations not in the row are in "Mehr", which opens as a list over the page.
    row = page.evaluate(VISIBLE_LINKS)
    page.click(".nav-menu__toggle")
    menu = page.evaluate(VISIBLE_LINKS)
    assert set(page.evaluate(DESTINATIONS)) == set(menu)
    assert len(menu) > len(row)
    if role == "staff":
        assert "/admin/" in menu
    # Escape closes the menu and gives the focus back to its toggle (portal.js).
    page.keyboard.press("Escape")
    assert page.locator(".nav-menu").get_attribute("open") is None
    assert page.evaluate("document.activeElement.classList.contains('nav-menu__toggle')")


@pytest.mark.parametrize("width", [1366, 375])
def test_keyboard_order_runs_through_the_header_then_the_navigation(page, live_server, world, width):
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 812})
    log_in(page, live_server, world.coordinator.email, f.TEST_PASSWORD)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                """() => {
                const el = document.activeElement;
                if (el.classList.contains('skip-link')) return 'skip';
                if (el.classList.contains('brand')) return 'brand';
                if (el.id === 'language-select') return 'language';
                if (el.closest('.logout-form')) return 'logout';
                if (el.classList.contains('nav-menu__toggle')) return 'more';
                if (el.closest('.main-nav')) return 'nav';
                return 'main';
            }"""
            )
        )
        if order[-1] == "more":
            break
    assert order[:4] == ["skip", "brand", "language", "logout"]
    assert set(order[4:-1]) == {"nav"} and order[-1] == "more"
    # On a phone the four tabs, on a desktop the whole row (more places).
    assert len(order[4:-1]) == (4 if width < 400 else 7)


@pytest.mark.parametrize("role", ["lotse_a", "staff"])
def test_navigation_passes_axe_open_and_closed(page, live_server, world, role):
    log_in(page, live_server, world.user_for(role).email, f.TEST_PASSWORD)
    failures = {}
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 812})
        page.goto(f"{live_server.url}/")
        if report := _violations(page):
            failures[f"{width}px closed"] = report
        page.click(".nav-menu__toggle")
        if report := _violations(page):
            failures[f"{width}px open"] = report
    assert not failures, "\n\n".join(f"{where}:\n{report}" for where, report in failures.items())
