"""The site header on a phone (375 × 812): compact (brand, language and log-out on one row, the navigation one
horizontally scrollable row), no sideways scrolling of the page, every navigation link reachable by Tab and
tap-sized (≥ 44 px)."""

import pytest

from tests import factories as f
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

MAX_HEADER_HEIGHT = 130


def _tab_to_logout(page) -> list[str]:
    """Tab from the top of the page to the log-out button; returns the nav links focused on the way."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    focused = []
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
                const el = document.activeElement;
                return {nav: !!el.closest('.main-nav'), href: el.getAttribute('href') || '',
                        logout: !!el.closest('.logout-form')};
            }"""
        )
        if info["nav"]:
            focused.append(info["href"])
            # A focused link is brought fully into the visible part of the navigation row.
            page.wait_for_timeout(100)
            box = page.evaluate("document.activeElement.getBoundingClientRect().toJSON()")
            assert box["left"] >= 0 and box["right"] <= 375, info["href"]
        if info["logout"]:
            return focused
    raise AssertionError(f"log-out button not reached by Tab; nav links seen: {focused}")


@pytest.mark.parametrize("role", ["lotse_a", "coordinator", "staff"])  # staff: the longest nav
def test_header_is_compact_on_a_phone_and_every_nav_link_is_reachable(phone_page, live_server, world, role):
    page = phone_page
    user = world.user_for(role)
    log_in(page, live_server, user.email, f.TEST_PASSWORD)
    for path in ("/", "/certificates/"):
        page.goto(f"{live_server.url}{path}")
        header = page.locator("header.site-header").bounding_box()
        assert header["height"] <= MAX_HEADER_HEIGHT, f"{role} {path}: header {header['height']} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # The log-out button sits on the brand row, not below the navigation.
        brand = page.locator(".brand").bounding_box()
        logout = page.locator(".logout-form button").bounding_box()
        assert logout["y"] < brand["y"] + brand["height"]
        assert logout["height"] >= 44
        hrefs = page.eval_on_selector_all(".main-nav a", "links => links.map(a => a.getAttribute('href'))")
        assert len(hrefs) >= 4
        for link in page.locator(".main-nav a").all():
            assert link.bounding_box()["height"] >= 44
        assert _tab_to_logout(page) == hrefs
