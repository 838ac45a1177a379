"""A coordinator changes the region's logo on a phone: from the region page to the images for
certificates, a fresh login, the upload, the image shown, its removal after a question; nothing scrolls
sideways at 375 px."""

import re

from regions.models import Region
from tests import factories as f
from tests.browser.conftest import log_in
from tests.browser.test_lotse_phone import AXE_TAGS

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _wcag_violations(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return results.generate_report() if results.violations_count else ""


def test_a_coordinator_uploads_and_removes_the_logo_on_a_phone(phone_page, live_server, world, tmp_path):
    page = phone_page
    logo = tmp_path / "Logo Regionalagentur.png"
    logo.write_bytes(f.png_bytes(600, 200))
    log_in(page, live_server, world.coordinator.email, f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/regions/{world.owl.slug}/")
    page.get_by_role("link", name="Bilder für Teilnahmebescheinigungen").click()
    page.wait_for_url(re.compile(r".*/certificate-images/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bilder für Teilnahmebescheinigungen")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # a fresh login before anything can be changed; then the form is there
    page.get_by_role("link", name="Anmeldung bestätigen").click()
    page.wait_for_url(re.compile(r".*/accounts/reauthenticate/.*"))
    page.fill("input[name=password]", f.TEST_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/certificate-images/$"))
    page.get_by_label("Logo auf Teilnahmebescheinigungen").set_input_files(str(logo))
    page.get_by_role("button", name="Hochladen").click()
    page.wait_for_load_state("load")
    saved = "Die Bilder für Teilnahmebescheinigungen sind gespeichert."
    assert saved in page.locator(".messages").inner_text()
    shown = page.get_by_role("img", name=f"Das aktuelle Logo von {world.owl.name}")
    assert shown.evaluate("img => img.complete && img.naturalWidth") == 600
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert not _wcag_violations(page), _wcag_violations(page)
    assert Region.objects.get(pk=world.owl.pk).logo

    page.get_by_role("link", name="Logo entfernen").click()
    page.wait_for_url(re.compile(r".*/certificate-images/logo/remove/$"))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert not _wcag_violations(page), _wcag_violations(page)
    page.get_by_role("button", name="Entfernen").click()
    page.wait_for_url(re.compile(r".*/certificate-images/$"))
    assert "Das Bild wurde entfernt." in page.locator(".messages").inner_text()
    assert "Kein Logo hochgeladen" in page.locator("main").inner_text()
    assert not Region.objects.get(pk=world.owl.pk).logo
