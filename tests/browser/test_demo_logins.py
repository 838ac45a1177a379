"""After `seed_demo`, a coordinator and a Lotse log in with their demo logins and see their start page."""

import io

from django.core.management import call_command

from home.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in


def test_demo_coordinator_and_lotse_log_in(page, live_server):
    call_command("seed_demo", stdout=io.StringIO())

    log_in(page, live_server, "coordinator.owl@example.org", DEMO_PASSWORD)
    assert page.locator("h1").first.is_visible()
    assert page.locator("nav.main-nav a[href='/lotsen/']").count() == 1
    assert page.locator("#upcoming-heading").is_visible()
    page.click("form.logout-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/**")

    log_in(page, live_server, "lotse.owl@example.org", DEMO_PASSWORD)
    assert "Ayşe" in page.locator("h1").first.inner_text()
    # Lotsen have no coordinator pages in their navigation.
    assert page.locator("nav.main-nav a[href='/lotsen/']").count() == 0
