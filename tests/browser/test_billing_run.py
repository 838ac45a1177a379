"""Issue #16 in a real browser: a paying coordinator starts the month's billing run from the runs page,
sees who has claimed, reminds a Lotse with one click, and closes the run into a payout batch after a fresh
login; the run page fits a 375 px phone (it did not: the reminder buttons' visually hidden names stuck out
of the table's scroll box, fixed in static/css/portal.css for every table)."""

import datetime
import re

from django.core import mail
from django.utils import timezone

from allowances.models import AllowanceClaim, PayoutBatch
from billing.models import BillingRun
from tests import factories as f
from tests.allowances.payout_helpers import execution_day, paying_account
from tests.billing.helpers import approved_claim
from tests.browser.conftest import log_in


def _last_month():
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_start_remind_and_close_a_billing_run(page, live_server, world):
    month = _last_month()
    AllowanceClaim.objects.filter(pk=world.claim.pk).delete()
    paying_account(world.owl)
    # Lotse A: a contract, no claim yet (to be reminded); Zeynep: an approved claim (to be paid)
    zeynep = f.LotseFactory(region=world.owl, first_name="Zeynep", user=f.UserFactory(email="z@example.org"))
    approved = approved_claim(zeynep, month, amount="75.50", contract=f.ContractFactory(lotse=zeynep))

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, world.coordinator.email, f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/billing/runs/")
    assert page.locator("select[name=month]").input_value() == str(month.month)
    page.select_option("select[name=region]", label=world.owl.name)
    page.get_by_role("button", name="Abrechnungslauf starten").click()
    page.wait_for_url(re.compile(r".*/billing/runs/\d+/$"))
    run = BillingRun.objects.get()
    assert run.region == world.owl and run.month == month
    assert page.locator("[data-testid=count-open]").inner_text() == "1"
    assert page.locator("[data-testid=count-approved]").inner_text() == "1"
    invited = len(mail.outbox)

    # one click reminds Lotse A; the button names the person for screen readers
    remind = page.locator("tr[data-state=open] button")
    assert world.lotse_a.full_name in remind.inner_text()
    remind.click()
    page.wait_for_load_state("load")
    assert page.locator(".message").count() >= 1
    assert len(mail.outbox) == invited + 1 and mail.outbox[-1].to == [world.lotse_a.user.email]

    # on a phone nothing scrolls sideways
    page.set_viewport_size({"width": 375, "height": 812})
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # closing is a pay action: a fresh login first, then the payout batch of the approved claim
    page.set_viewport_size({"width": 1366, "height": 900})
    page.fill("input[name=execution_date]", execution_day().isoformat())
    page.get_by_role("button", name="Abschließen und Zahlungslauf anlegen").click()
    page.wait_for_url(re.compile(r".*/accounts/reauthenticate/.*"))
    page.fill("input[name=password]", f.TEST_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/claims/batches/\d+/$"), timeout=15_000)
    batch = PayoutBatch.objects.get()
    assert list(batch.claims.all()) == [approved]
    assert page.locator("[data-batch-total]").inner_text() == "75,50 €"
    run.refresh_from_db()
    assert run.payout_batch == batch and not run.is_open
