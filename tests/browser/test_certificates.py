"""What a coordinator sees in the browser: the eligibility preview and the progress bar updating by itself."""

import pytest
from playwright.sync_api import expect

from certificates.models import Certificate, CertificateBatch
from tests import factories as f
from tests.browser.conftest import log_in
from tests.certificates.conftest import trained  # noqa: F401 (fixture)
from tests.certificates.helpers import issued_with_file

pytestmark = pytest.mark.browser


def test_coordinator_issues_a_batch_and_downloads_the_certificates(page, live_server, world, trained):  # noqa: F811
    log_in(page, live_server, world.coordinator.email, f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/certificates/batches/new/")

    page.select_option("select[name=region]", str(world.owl.pk))
    page.dispatch_event("form.card", "change")
    preview = page.locator("#preview table")
    preview.wait_for()
    assert preview.get_by_text("Наталья Смирнова").is_visible()
    # everyone of the region, with their count; Jürgen Weißmann is short of one session
    row = preview.locator("tr", has_text="Weißmann")
    expect(row).to_have_attribute("data-eligible", "no")
    expect(row.locator("[data-count]")).to_have_text("2 von 3")

    page.locator("form.card button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/certificates/batches/*/")
    assert page.locator("#batch-progress-bar").get_attribute("value") == "2"
    assert page.locator("#batch-progress a[href$='/download/']").count() == 2
    assert page.locator("#batch-progress a[href$='certificates.zip']").is_visible()
    expect(page.locator("#batch-progress h2")).to_have_text("Fertig")
    assert "werden erstellt" not in page.content()


def test_progress_bar_updates_without_reload(page, live_server, world, trained):  # noqa: F811
    batch = CertificateBatch.objects.create(region=world.owl, programme_year=trained.year, total=2)
    pending = [
        f.CertificateFactory(lotse=lotse, batch=batch, status=Certificate.Status.PENDING)
        for lotse in (trained.fatima, trained.natalya)
    ]
    log_in(page, live_server, world.coordinator.email, f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/certificates/batches/{batch.pk}/")
    page.evaluate("window.notReloaded = true")
    assert page.locator("#batch-progress-bar").get_attribute("value") == "0"

    issued_with_file(pending[0])
    # Not wait_for_function with a string: Playwright evaluates it with eval, which the page's CSP refuses.
    expect(page.locator("#batch-progress-bar")).to_have_attribute("value", "1")
    Certificate.objects.filter(pk=pending[1].pk).update(status=Certificate.Status.FAILED)
    page.locator("#batch-progress a[href$='/download/']").wait_for()

    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#batch-progress-bar").get_attribute("value") == "1"
    assert page.locator("#batch-progress a[href$='/download/']").count() == 1
    expect(page.locator("#batch-progress")).to_have_attribute("data-state", "done")
