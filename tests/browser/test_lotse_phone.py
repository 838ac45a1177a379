"""A Lotse on a phone (375 × 812): log a consultation, see it, change it, claim the month's allowance;
the typed entry survives a reload and an expired session; a double tap saves once; no WCAG 2.1 A/AA
violations on the self-service pages (axe-core, shipped inside axe-playwright-python)."""

import os
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from allowances.models import AllowanceClaim, Contract
from lotsen.models import Consultation
from tests import factories as f
from tests.browser.conftest import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

EMAIL = "lotsin.phone@example.org"


@pytest.fixture
def lotse():
    region = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    lotse = f.LotseFactory(region=region, first_name="Ayşe", user=f.UserFactory(email=EMAIL))
    lotse.languages.set([f.language("tr"), f.language("ar")])
    f.ContractFactory(lotse=lotse, allowance_type=Contract.AllowanceType.PER_CONSULTATION, rate=Decimal("10"))
    f.PartnerInstitutionFactory(region=region, name="Jobcenter Arbeitplus Bielefeld")
    f.EventFactory(region=region, title="Qualifizierungstreffen Anerkennung")
    return lotse


def fill_consultation(page, minutes="45"):
    page.fill("input[name=duration_minutes]", minutes)
    page.check("input[name=mode][value=phone]")
    page.check("input[name=topics][value=recognition]")
    page.check("input[name=topics][value=language_courses]")
    page.check("input[name=age_band][value='25_34']")
    page.check("input[name=gender][value=f]")
    page.select_option("select[name=country_of_origin]", "SY")
    page.check("input[name=time_in_germany][value='1_3']")
    page.select_option("select[name=referral]", label="Jobcenter Arbeitplus Bielefeld")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_log_list_edit_and_claim_on_a_phone(phone_page, live_server, lotse):
    page = phone_page
    log_in(page, live_server, EMAIL, f.TEST_PASSWORD)
    page.get_by_role("link", name=re.compile("Log a consultation|Beratung erfassen")).first.click()
    assert page.locator("input[name=date]").input_value() == timezone.localdate().isoformat()
    assert no_horizontal_scroll(page)
    # Save is reachable without scrolling (sticky) and at least 44 px tall.
    box = page.locator(".sticky-actions button[type=submit]").bounding_box()
    assert box["height"] >= 44 and box["y"] + box["height"] <= 812
    fill_consultation(page)
    page.locator(".sticky-actions button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/consultations/(\?.*)?(#consultation-\d+)?$"))
    consultation = Consultation.objects.get(lotse=lotse)
    entry = page.locator(f"#consultation-{consultation.pk}")
    assert "45" in entry.inner_text()
    assert "1" in page.locator("[data-testid=totals]").inner_text()
    assert no_horizontal_scroll(page)

    entry.locator("a[href$='/edit/']").click()
    page.fill("input[name=duration_minutes]", "90")
    page.locator(".sticky-actions button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/consultations/"))
    assert "90" in page.locator(f"#consultation-{consultation.pk}").inner_text()
    consultation.refresh_from_db()
    assert consultation.duration_minutes == 90

    month = timezone.localdate()
    page.goto(f"{live_server.url}/me/claims/{month.year}/{month.month}/")
    assert page.locator("input[name=amount]").input_value() in ("10.00", "10,00", "10")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(f"{live_server.url}/me/claims/")
    claim = AllowanceClaim.objects.get(lotse=lotse)
    assert (claim.status, claim.amount) == ("submitted", Decimal("10.00"))
    assert page.locator(".status--submitted").count() >= 1
    assert no_horizontal_scroll(page)


def test_the_typed_entry_survives_a_reload_and_an_expired_session(phone_page, live_server, lotse):
    page = phone_page
    log_in(page, live_server, EMAIL, f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/me/consultations/new/")
    fill_consultation(page, minutes="75")
    key = page.locator("input[name=submission_key]").input_value()

    page.reload()
    assert page.locator("input[name=duration_minutes]").input_value() == "75"
    assert page.locator("input[name=topics][value=recognition]").is_checked()
    assert page.locator("[data-draft-notice]").is_visible()

    # The session expires: the cookies are gone, the Lotse logs in again and finds the entry.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/me/consultations/new/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", f.TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/me/consultations/new/")
    assert page.locator("input[name=duration_minutes]").input_value() == "75"
    assert page.locator("input[name=gender][value=f]").is_checked()
    assert page.locator("select[name=country_of_origin]").input_value() == "SY"
    assert page.locator("input[name=submission_key]").input_value() == key

    page.locator(".sticky-actions button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/consultations/"))
    assert Consultation.objects.filter(lotse=lotse, duration_minutes=75).count() == 1
    # Saved and confirmed: the draft is gone, a new form starts empty.
    storage_key = f"lp:consultation-draft:{lotse.user_id}"
    assert page.evaluate(f"window.localStorage.getItem('{storage_key}')") is None
    page.goto(f"{live_server.url}/me/consultations/new/")
    assert page.locator("input[name=duration_minutes]").input_value() == ""


def test_a_double_tap_on_save_creates_one_entry(phone_page, live_server, lotse):
    page = phone_page
    log_in(page, live_server, EMAIL, f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/me/consultations/new/")
    fill_consultation(page)
    page.locator(".sticky-actions button[type=submit]").dblclick()
    page.wait_for_url(re.compile(r"/me/consultations/(\?.*)?(#consultation-\d+)?$"))
    assert Consultation.objects.filter(lotse=lotse).count() == 1


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def test_self_service_pages_have_no_wcag_violations(phone_page, live_server, lotse):
    from axe_playwright_python.sync_playwright import Axe

    page = phone_page
    f.ConsultationFactory(lotse=lotse, referral=lotse.region.partner_institutions.first())
    log_in(page, live_server, EMAIL, f.TEST_PASSWORD)
    month = timezone.localdate()
    axe = Axe()
    failures = {}
    for path in (
        "/",
        "/me/consultations/new/",
        "/me/consultations/",
        "/me/claims/",
        f"/me/claims/{month.year}/{month.month}/",
        "/me/profile/",
        "/me/events/",
    ):
        page.goto(f"{live_server.url}{path}")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        if results.violations_count:
            failures[path] = results.generate_report()
    # also the form with errors shown next to the fields
    page.goto(f"{live_server.url}/me/consultations/new/")
    page.fill("input[name=duration_minutes]", "9999")
    page.locator(".sticky-actions button[type=submit]").click()
    page.wait_for_load_state()
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    if results.violations_count:
        failures["form with errors"] = results.generate_report()
    assert not failures, "\n\n".join(f"{path}:\n{report}" for path, report in failures.items())


def test_a_refused_claim_shows_its_errors_first_with_the_focus_on_them(phone_page, live_server, lotse):
    """The error used to sit in the third card below the fold, so on a phone nothing seemed to happen."""
    f.ConsultationFactory(lotse=lotse, duration_minutes=60)
    page = phone_page
    log_in(page, live_server, EMAIL, f.TEST_PASSWORD)
    month = timezone.localdate()
    page.goto(f"{live_server.url}/me/claims/{month.year}/{month.month}/")
    page.fill("input[name=hours]", "9")  # 1 h logged
    page.locator("button[name=action][value=submit]").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    box = summary.bounding_box()
    assert 0 <= box["y"] < 812  # in view on the phone, not below the fold
    assert summary.get_by_role("link").count() == 1  # linked to the hours field
    assert no_horizontal_scroll(page)
    assert not AllowanceClaim.objects.filter(lotse=lotse).exists()
