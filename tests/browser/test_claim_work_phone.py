"""Issue #12, point 3 on a phone: the claim's "work of the month" (per-day table, flags and their
acknowledgement forms) fits 320 and 375 px; the table scrolls in its own box, nothing else sticks out."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from allowances.models import AllowanceClaim
from tests import factories as f
from tests.browser.conftest import log_in
from tests.browser.test_no_overflow import _check, _phone_context, _report

pytestmark = pytest.mark.browser


def test_the_work_of_the_month_fits_a_phone(chromium, live_server, transactional_db, world):
    first = world.claim.month
    AllowanceClaim.objects.filter(pk=world.claim.pk).update(hours=Decimal("99.0"))
    for _ in range(9):  # more than 8 on one day, logged three weeks later
        f.ConsultationFactory(
            lotse=world.lotse_a, date=first, created_at=timezone.now() + datetime.timedelta(days=21)
        )
    context, page = _phone_context(chromium)
    try:
        log_in(page, live_server, world.coordinator.email, f.TEST_PASSWORD)
        path = reverse("claims:detail", args=[world.claim.pk])
        failures = _check(page, live_server.url, [path])
        page.goto(f"{live_server.url}{path}")
        assert page.locator("[data-flag]").count() == 3
        # an acknowledgement, as the coordinator makes it on the phone
        flag = page.locator('[data-flag="hours_above_logged"]')
        flag.get_by_label("Notiz zu diesem Hinweis").fill("Mit der Lotsin telefoniert, Stunden korrigiert.")
        flag.get_by_role("button", name="Zur Kenntnis nehmen").click()
        page.wait_for_load_state("load")
        assert "Mit der Lotsin telefoniert" in page.locator('[data-flag="hours_above_logged"]').inner_text()
        failures |= _check(page, live_server.url, [path])
    finally:
        context.close()
    assert not failures, _report(failures)
