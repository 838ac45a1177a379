"""Issue #12, point 4, in a real browser: the pay page's "select all payable" and its running count and sum
(static/js/payouts.js), at 1366 px and on a 375 px phone without sideways scrolling; then the confirmation
page after the fresh login, with the same count and sum."""

import datetime
import re
from decimal import Decimal

from allowances.models import AllowanceClaim, SelfDeclaration
from tests import factories as f
from tests.allowances.payout_helpers import paying_account
from tests.browser.conftest import log_in

MAY = datetime.date(2025, 5, 1)


def _approved(lotse, amount, contract=None):
    return f.AllowanceClaimFactory(
        lotse=lotse,
        contract=contract or f.ContractFactory(lotse=lotse),
        month=MAY,
        amount=Decimal(amount),
        status=AllowanceClaim.Status.APPROVED,
    )


def test_select_all_and_running_total(page, live_server, world):
    paying_account(world.owl)
    payable = [_approved(world.lotse_a, "120.50", world.contract)]
    for amount in ("0.10", "0.20"):  # cents, summed without float errors
        lotse = f.LotseFactory(region=world.owl)
        payable.append(_approved(lotse, amount))
        SelfDeclaration.objects.create(lotse=lotse, year=2025, received_on=MAY)
    SelfDeclaration.objects.create(lotse=world.lotse_a, year=2025, received_on=MAY)
    blocked = _approved(world.lotse_b, "60.00")  # no self-declaration: shown, disabled, with the reason

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, world.coordinator.email, f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/claims/?status=approved")
    total = page.locator("[data-pay-total]")
    assert total.inner_text() == "Keine Abrechnung ausgewählt"
    assert page.locator(f"#pay-{blocked.pk}").is_disabled()
    assert "keine Selbsterklärung für 2025" in page.locator(f"#claim-{blocked.pk}").inner_text()

    page.check("[data-select-all]")
    assert total.inner_text() == "3 Abrechnungen ausgewählt: 120,80 €"
    assert not page.locator(f"#pay-{blocked.pk}").is_checked()
    page.uncheck(f"#pay-{payable[0].pk}")
    assert total.inner_text() == "2 Abrechnungen ausgewählt: 0,30 €"
    assert page.evaluate("document.querySelector('[data-select-all]').indeterminate")
    page.uncheck(f"#pay-{payable[1].pk}")
    assert total.inner_text() == "1 Abrechnung ausgewählt: 0,20 €"
    page.check("[data-select-all]")
    assert total.inner_text() == "3 Abrechnungen ausgewählt: 120,80 €"

    # on a phone: nothing scrolls sideways, the running total stays readable
    page.set_viewport_size({"width": 375, "height": 812})
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert total.is_visible()

    # the batch: a fresh login first, then the confirmation page with the same count and sum
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("[data-pay-form] button[type=submit]")
    page.wait_for_load_state("load")
    page.wait_for_url(re.compile(r".*/accounts/reauthenticate/.*"))
    page.fill("input[name=password]", f.TEST_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-batch-summary]")
    assert page.locator("[data-batch-summary]").inner_text() == "3 Abrechnungen, 120,80 €"
    # (shown under the re-authentication URL, where allauth replayed the POST: the form names its target)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/claims/batches/\d+/$"))
    assert page.locator("[data-batch-total]").inner_text() == "120,80 €"
    assert page.locator(".message").count() == 1
    page.set_viewport_size({"width": 375, "height": 812})
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
