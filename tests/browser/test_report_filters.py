"""Issue #15, point 5 in the browser: the report's filters show only the inputs of the chosen period kind
(static/js/report-filters.js; without JavaScript all of them), chart text is readable on a phone."""

import pytest

from tests import factories as f
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

INPUTS = ["year", "quarter", "month", "date_from", "date_to"]
SHOWN = {
    "year": {"year"},
    "quarter": {"year", "quarter"},
    "month": {"year", "month"},
    "custom": {"date_from", "date_to"},
}


def _visible_inputs(page) -> set[str]:
    return {name for name in INPUTS if page.locator(f".report-filters [name={name}]").is_visible()}


def test_only_the_chosen_period_kinds_inputs_are_shown(page, live_server, world):
    log_in(page, live_server, world.coordinator.email, f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    assert _visible_inputs(page) == SHOWN["year"]
    for kind, shown in SHOWN.items():
        page.select_option(".report-filters select[name=period]", kind)
        assert _visible_inputs(page) == shown, kind
    # A custom period is sent with its dates only and shown; the form comes back with the same inputs.
    page.fill("input[name=date_from]", "2026-02-01")
    page.fill("input[name=date_to]", "2026-03-31")
    page.click(".report-filters button[type=submit]")
    page.wait_for_url("**/reports/?period=custom*")
    assert "year=" not in page.url and "quarter=" not in page.url
    assert "02/2026–03/2026" in page.locator("main").inner_text()  # custom periods are whole months
    assert _visible_inputs(page) == SHOWN["custom"]


def test_without_javascript_every_input_is_there(chromium, page, live_server, world):
    log_in(page, live_server, world.coordinator.email, f.TEST_PASSWORD)
    context = chromium.new_context(java_script_enabled=False, storage_state=page.context.storage_state())
    try:
        no_js = context.new_page()
        no_js.goto(f"{live_server.url}/reports/?period=quarter&quarter=2")
        assert _visible_inputs(no_js) == set(INPUTS)
    finally:
        context.close()


def test_chart_text_is_at_least_12_px_on_a_phone(phone_page, live_server, world):
    log_in(phone_page, live_server, world.staff.email, f.TEST_PASSWORD)
    phone_page.goto(f"{live_server.url}/reports/")
    sizes = phone_page.eval_on_selector_all(
        "svg.chart text",
        """texts => texts.map(t => {
            const svg = t.ownerSVGElement;
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return parseFloat(t.getAttribute('font-size')) * scale;
        })""",
    )
    assert sizes and min(sizes) >= 12, min(sizes)
    assert phone_page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
