"""axe-core (WCAG 2.1 A/AA) on the staff report page and the public verification page, desk and phone."""

import pytest

from tests import factories as f
from tests.browser.conftest import log_in
from tests.browser.test_lotse_phone import AXE_TAGS
from tests.reports.conftest import YEAR, figures  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def _violations(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return results.generate_report() if results.violations_count else ""


def test_report_page_has_no_wcag_violations(page, live_server, world, figures):  # noqa: F811
    log_in(page, live_server, world.staff.email, f.TEST_PASSWORD)
    failures = {}
    queries = ("", f"?period=quarter&year={YEAR}&quarter=1", f"?year={YEAR}&region={world.owl.pk}")
    for query in queries:
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/reports/{query}")
            if report := _violations(page):
                failures[f"{width}px /reports/{query}"] = report
    assert not failures, "\n\n".join(f"{where}:\n{report}" for where, report in failures.items())


def test_public_verification_pages_have_no_wcag_violations(page, live_server, world):
    failures = {}
    for path in (f"/verify/{world.certificate.verification_code}/", "/verify/", "/verify/ZZZZZZZZZZ/"):
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}{path}")
            if report := _violations(page):
                failures[f"{width}px {path}"] = report
    assert not failures, "\n\n".join(f"{where}:\n{report}" for where, report in failures.items())
