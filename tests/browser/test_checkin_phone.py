"""Check-in at the door on a phone (375 px): type a name, tap the big button, the counter goes up."""

import datetime

from django.utils import timezone

from events.models import GuestRegistration
from tests import factories as f
from tests.browser.conftest import log_in
from tests.events.helpers import make_guest


def test_search_check_in_and_counter_on_a_phone(phone_page, live_server):
    region = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    coordinator = f.UserFactory(email="coordinator.owl@example.org")
    f.CoordinationFactory(user=coordinator, region=region)
    now = timezone.now()
    event = f.EventFactory(
        region=region,
        kind="conference",
        title="Transfer- und Abschlussveranstaltung",
        starts_at=now - datetime.timedelta(minutes=20),
        ends_at=now + datetime.timedelta(hours=5),
    )
    guest = make_guest(
        event,
        "Gülcan Yıldız-Oberhausener",
        organisation="Kommunales Integrationszentrum des Kreises Gütersloh",
        kind="ki",
    )
    make_guest(event, "Boris Ivanov", kind="mo")
    page = phone_page
    log_in(page, live_server, "coordinator.owl@example.org", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/events/{event.pk}/checkin/")
    counter = page.locator("[data-checkin-counter]")
    assert counter.inner_text().strip() == "0 von 2 eingecheckt"
    # headless Chromium has no BarcodeDetector: the scan button stays hidden, the hint tells what to do
    assert page.locator("[data-checkin-scan-start]").is_hidden()
    assert "Kamera-App" in page.locator("[data-checkin-scan-hint]").inner_text()

    search = page.get_by_label("Name")
    search.fill("gülc")
    button = page.locator(f"#checkin-guest-{guest.pk} button")
    button.wait_for()  # the results came by htmx while typing
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 120  # a big touch target
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    button.click()
    page.locator(f"#checkin-guest-{guest.pk} .checkin__done").wait_for()
    assert page.locator("[data-checkin-counter]").inner_text().strip() == "1 von 2 eingecheckt"
    assert "ist eingecheckt" in page.content()
    assert GuestRegistration.objects.get(pk=guest.pk).checked_in_by == coordinator
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
