from tests import factories as f
from tests.browser.conftest import log_in


def test_a_coordinator_logs_in_and_reaches_the_dashboard(page, live_server):
    region = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    user = f.UserFactory(email="coordinator.owl@example.org")
    f.CoordinationFactory(user=user, region=region)
    log_in(page, live_server, "coordinator.owl@example.org", f.TEST_PASSWORD)
    assert page.locator("h1").first.is_visible()
    assert page.locator("nav.main-nav a[href='/lotsen/']").count() == 1
