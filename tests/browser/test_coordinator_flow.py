"""Issue #3, point 8: a coordinator of OWL runs the whole workspace in the browser, as a person would.

Organisation → Lotse (invited; the Lotse accepts the invitation in a second browser) → contract → training
session with registration and one-tap attendance → approving a claim from the queue → exporting the claims
to pay as CSV and Excel. Every main page is also looked at on a 375 px phone: nothing may overflow sideways.

Set SCREENSHOT_DIR=/tmp to keep a screenshot of every main page at 1280 px and 375 px
(flow-<page>-<width>.png).
"""

import csv
import datetime
import io
import os
import re
from decimal import Decimal
from urllib.parse import urlsplit

from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from allowances.models import AllowanceClaim, Contract
from events.models import Attendance, Event
from lotsen.models import Lotse
from organisations.models import Organisation
from tests import factories as f
from tests.browser.conftest import log_in

SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")
CLIPPED_BUTTONS = """[...document.querySelectorAll('button, .button')]
    .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
    .map(b => b.textContent.trim())"""
# Tables (or their scrolling boxes) wider than the window: the columns on the right are off-screen.
WIDE_TABLES = """[...document.querySelectorAll('table, .table-wrap')]
    .filter(t => t.offsetParent !== null)
    .map(t => Math.max(t.scrollWidth, t.getBoundingClientRect().right))
    .filter(width => width > window.innerWidth + 1)"""
# Options of a select that do not fit its box (padding and the arrow, ~24 px, taken off): clipped labels.
CLIPPED_OPTIONS = """(selector) => {
    const select = document.querySelector(selector), style = getComputedStyle(select);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;
    return [...select.options].map(o => o.text).filter(text => context.measureText(text).width > room);
}"""


def look_at(page, name: str, *, tables_fit: bool = False) -> None:
    """What a careful new user does on each main page: look at it on a laptop and on a phone.

    On the phone (375 px) the page must not scroll sideways (wide tables scroll inside their own box) and no
    button may cut off its label. With `tables_fit`, no table may be wider than the phone either (stacked
    tables: every column visible without scrolling the table's box)."""
    # After a click the next page may still be loading (its stylesheet not applied yet): measure it loaded.
    page.wait_for_load_state("load")
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"flow-{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        clipped = page.evaluate(CLIPPED_BUTTONS)
        wide_tables = page.evaluate(WIDE_TABLES) if tables_fit else []
        if SCREENSHOT_DIR:
            page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"flow-{name}-375.png"), full_page=True)
        assert overflow <= 0, f"{name}: the page is {overflow}px wider than a 375px phone"
        assert clipped == [], f"{name}: buttons cut off their labels on a 375px phone: {clipped}"
        assert wide_tables == [], f"{name}: tables wider than a 375px phone (px): {wide_tables}"
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def _owl_with_coordinator_and_a_waiting_claim():
    """What exists before the coordinator starts: the region, its coordinator (who pays the allowances),
    and a Lotse with an active contract whose claim for last month waits for a decision."""
    owl = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe", coordinating_body="Regionalagentur OWL")
    f.DistrictFactory(region=owl, name="Bielefeld", kind="kreisfreie_stadt", official_key="05711000")
    f.DistrictFactory(region=owl, name="Kreis Gütersloh", kind="kreis", official_key="05754000")
    coordinator = f.UserFactory(email="coordinator.owl@example.org", name="Claudia Koordinat")
    f.CoordinationFactory(user=coordinator, region=owl, handles_payments=True)
    karim = f.LotseFactory(region=owl, first_name="Karim", last_name="Haddad")
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    contract = f.ContractFactory(lotse=karim, starts_on=last_month, rate=Decimal("87.50"))
    claim = f.AllowanceClaimFactory(
        lotse=karim, contract=contract, month=last_month, amount=Decimal("87.50"), hours=Decimal("7.0")
    )
    return owl, claim


def _local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_coordinator_runs_the_workspace_end_to_end(page, chromium, live_server):
    owl, waiting_claim = _owl_with_coordinator_and_a_waiting_claim()
    url = live_server.url

    # -- log in: the coordinator's dashboard ------------------------------------------------------
    log_in(page, live_server, "coordinator.owl@example.org", f.TEST_PASSWORD)
    assert page.locator("html").get_attribute("lang") == "de"
    look_at(page, "dashboard")

    # -- an organisation --------------------------------------------------------------------------
    page.goto(f"{url}/organisations/")
    look_at(page, "organisation-list")
    page.goto(f"{url}/organisations/new/")
    look_at(page, "organisation-form")
    page.fill("input[name=name]", "Syrischer Kulturverein Bielefeld e.V.")
    page.select_option("select[name=district]", label="Bielefeld")
    page.fill("input[name=street]", "Niederwall 23")
    page.fill("input[name=postcode]", "33602")
    page.fill("input[name=city]", "Bielefeld")
    page.fill("input[name=contact_name]", "Rania Al-Masri")
    page.fill("input[name=contact_email]", "kontakt@skv-bielefeld.example.org")
    page.check("input[name=has_statutes]")
    page.check("input[name=has_board]")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/organisations/\d+/$"))
    assert page.locator(".message--success").count() == 1
    assert "Syrischer Kulturverein Bielefeld e.V." in page.locator("h1").inner_text()
    look_at(page, "organisation-detail")
    organisation = Organisation.objects.get(name="Syrischer Kulturverein Bielefeld e.V.")
    assert organisation.region == owl and organisation.district.name == "Bielefeld"

    # -- a Lotse, invited to the portal -----------------------------------------------------------
    page.goto(f"{url}/lotsen/")
    look_at(page, "lotse-list")
    page.goto(f"{url}/lotsen/new/")
    look_at(page, "lotse-form")
    page.fill("input[name=first_name]", "Leyla")
    page.fill("input[name=last_name]", "Demir")
    page.fill("input[name=email]", "leyla.demir@example.org")
    page.select_option("select[name=district]", label="Bielefeld")
    page.check(f"input[name=organisations][value='{organisation.pk}']")
    page.locator("fieldset", has=page.locator("input[name=languages]")).get_by_label("Arabisch").check()
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/lotsen/\d+/$"))
    assert page.locator(".message--success").count() == 1
    assert page.locator("h1 bdi").inner_text() == "Leyla Demir"
    profile = page.locator("#profile-heading + dl").inner_text()
    assert "Syrischer Kulturverein Bielefeld e.V." in profile and "Arabisch" in profile
    lotse_url = page.url
    lotse = Lotse.objects.get(first_name="Leyla", last_name="Demir")

    page.click("form[action$='/invite/'] button")
    page.wait_for_selector("#invitation-pending")
    assert page.locator(".message--success").count() == 1
    assert [message.to for message in mail.outbox] == [["leyla.demir@example.org"]]
    links = re.findall(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[0].body)
    assert len(links) == 1, mail.outbox[0].body
    invitation_link = links[0]

    # -- a contract: active on the Lotse's page ---------------------------------------------------
    page.click(f"a[href$='/lotsen/{lotse.pk}/contracts/new/']")
    page.wait_for_url(f"**/lotsen/{lotse.pk}/contracts/new/")
    look_at(page, "contract-form")
    starts_on = timezone.localdate().replace(day=1)
    page.fill("input[name=starts_on]", starts_on.isoformat())
    ends_on = starts_on.replace(year=starts_on.year + 1) - datetime.timedelta(days=1)
    page.fill("input[name=ends_on]", ends_on.isoformat())
    page.fill("input[name=rate]", "60.00")
    page.fill("input[name=signed_on]", timezone.localdate().isoformat())
    page.select_option("select[name=organisation]", label="Syrischer Kulturverein Bielefeld e.V.")
    page.click("form button[type=submit].button--primary")
    page.wait_for_url(lotse_url)
    assert page.locator(".message--success").count() == 1
    contract_row = page.locator("#contracts-heading ~ .table-wrap tbody tr")
    assert contract_row.count() == 1
    assert "60.00 €" in contract_row.inner_text() or "60,00 €" in contract_row.inner_text()
    assert contract_row.locator("a", has_text=re.compile("Beenden|End")).count() == 1  # only an active one
    look_at(page, "lotse-detail")

    # -- a training session this morning: register the Lotse, then take attendance ----------------
    page.goto(f"{url}/events/")
    look_at(page, "event-list")
    page.goto(f"{url}/events/new/")
    look_at(page, "event-form")
    starts_at = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=2)
    page.select_option("select[name=kind]", value=Event.Kind.TRAINING)
    page.fill("input[name=title]", "Qualifizierungstreffen Anerkennung ausländischer Abschlüsse")
    page.fill("input[name=topic]", "Anerkennungsverfahren")
    page.fill("input[name=starts_at]", _local(starts_at))
    page.fill("input[name=ends_at]", _local(starts_at + datetime.timedelta(hours=3)))
    page.fill("input[name=place]", "Bielefeld, Neues Rathaus")
    page.fill("input[name=hours_credited]", "2.5")
    page.fill("input[name=capacity]", "12")
    page.click("form button[type=submit].button--primary")
    page.wait_for_url(re.compile(r".*/events/\d+/$"))
    assert page.locator(".message--success").count() == 1
    event = Event.objects.get(title="Qualifizierungstreffen Anerkennung ausländischer Abschlüsse")
    assert event.region == owl and event.hours_credited == Decimal("2.5")

    page.check(f"input[name=lotsen][value='{lotse.pk}']")
    page.click("form[action$='/register/'] button[type=submit]")
    page.wait_for_url(f"{url}/events/{event.pk}/")
    assert page.locator(".message--success").count() == 1
    registered = page.locator("#registrations + .table-wrap tbody tr")
    assert registered.count() == 1 and "Leyla Demir" in registered.inner_text()
    look_at(page, "event-detail")

    page.click(f"a[href$='/events/{event.pk}/attendance/']")
    page.wait_for_url(f"{url}/events/{event.pk}/attendance/")
    attendance = Attendance.objects.get(event=event, lotse=lotse)
    row = page.locator(f"#attendance-{attendance.pk}")
    assert row.locator("[data-training-hours='0.0']").count() == 1
    page.evaluate("window.__stillTheSamePage = true")
    row.locator("button[value=attended]").click()
    page.locator(f"#attendance-{attendance.pk} button[value=attended][aria-pressed=true]").wait_for()
    assert page.evaluate("window.__stillTheSamePage") is True  # the row was swapped, no reload
    assert page.url == f"{url}/events/{event.pk}/attendance/"
    expect(row).to_have_class(re.compile(r"\battendance-row--attended\b"))
    expect(row.locator("[data-training-hours]")).to_have_attribute("data-training-hours", "2.5")
    look_at(page, "attendance")
    page.reload()
    assert (
        page.locator(f"#attendance-{attendance.pk} button[value=attended]").get_attribute("aria-pressed")
        == "true"
    )
    assert page.locator(f"#attendance-{attendance.pk} [data-training-hours='2.5']").count() == 1

    # The Lotse's page counts the session and its hours.
    page.goto(lotse_url)
    trainings = page.locator("#trainings-heading + p").inner_text()
    assert "2,5" in trainings or "2.5" in trainings
    assert page.locator(f"section a[href$='/events/{event.pk}/']").count() == 1

    # -- the claims queue: approve the waiting claim ----------------------------------------------
    page.goto(f"{url}/claims/")
    look_at(page, "claim-list", tables_fit=True)
    assert page.evaluate(CLIPPED_OPTIONS, "select[name=o]") == []  # the sort choices fit at 1280 px
    queue_row = page.locator(f"#claim-{waiting_claim.pk}")
    assert "Karim Haddad" in queue_row.inner_text() and "87,50 €" in queue_row.inner_text()
    queue_row.locator("a").first.click()
    page.wait_for_url(re.compile(rf".*/claims/{waiting_claim.pk}/.*"))
    look_at(page, "claim-detail")
    page.click(f"form[action$='/claims/{waiting_claim.pk}/approve/'] button")
    page.wait_for_url(re.compile(r".*/claims/(\?.*)?$"))
    assert page.locator(".message--success").count() == 1
    assert page.locator(f"#claim-{waiting_claim.pk}").count() == 0  # no longer waiting

    # -- export the claims to pay: the approved claim's amount is in both files -------------------
    # The OWL coordinator pays, so the export holds full IBANs: the portal asks for the password again
    # and then hands over the file.
    page.click("a[href*='/claims/export.csv']")
    page.wait_for_url(re.compile(r".*/accounts/reauthenticate/.*"))
    page.fill("input[name=password]", f.TEST_PASSWORD)
    with page.expect_download() as download_info:
        page.click("main form button[type=submit]")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as csv_file:
        rows = list(csv.reader(csv_file, delimiter=";"))
    assert rows[0][:6] == ["Nr.", "Nachname", "Vorname", "Region", "Monat", "Betrag (EUR)"]
    assert [(r[0], r[1], r[5]) for r in rows[1:]] == [(str(waiting_claim.pk), "Haddad", "87,50")]

    # Back on the list, the login is fresh: the Excel file comes at once.
    page.goto(f"{url}/claims/")
    with page.expect_download() as download_info:
        page.click("a[href*='/claims/export.xlsx']")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as xlsx_file:
        sheet = load_workbook(io.BytesIO(xlsx_file.read())).active
    values = list(sheet.iter_rows(values_only=True))
    assert [(r[0], r[1], Decimal(str(r[5]))) for r in values[1:]] == [
        (waiting_claim.pk, "Haddad", Decimal("87.50"))
    ]

    # -- the invited Lotse opens the link on their phone, sets a password, sees their dashboard ---
    phone = chromium.new_context(
        viewport={"width": 375, "height": 812}, locale="de-DE", is_mobile=True, has_touch=True
    )
    try:
        lotse_page = phone.new_page()
        lotse_page.set_default_timeout(10_000)
        # The e-mail links to the configured site address; the test server listens elsewhere.
        lotse_page.goto(url + urlsplit(invitation_link).path)
        assert "leyla.demir@example.org" in lotse_page.locator("main").inner_text()
        if SCREENSHOT_DIR:
            lotse_page.screenshot(
                path=os.path.join(SCREENSHOT_DIR, "flow-invitation-375.png"), full_page=True
            )
        lotse_page.fill("input[name=new_password1]", "Lotsin-Bielefeld-2025!")
        lotse_page.fill("input[name=new_password2]", "Lotsin-Bielefeld-2025!")
        lotse_page.click("form button[type=submit]")
        lotse_page.wait_for_url(f"{url}/")
        assert lotse_page.locator(".message--success").count() == 1
        assert lotse_page.locator("h1 bdi").inner_text() == "Leyla"
        assert lotse_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if SCREENSHOT_DIR:
            lotse_page.screenshot(
                path=os.path.join(SCREENSHOT_DIR, "flow-lotse-dashboard-375.png"), full_page=True
            )
    finally:
        phone.close()

    # The coordinator sees the invitation accepted.
    page.goto(lotse_url)
    assert page.locator("#invitation-pending").count() == 0
    assert page.locator("form[action$='/invite/']").count() == 0  # nothing left to invite
    look_at(page, "lotse-detail-accepted")

    # -- the database agrees with what the screens said -------------------------------------------
    lotse.refresh_from_db()
    assert lotse.region == owl and list(lotse.organisations.all()) == [organisation]
    assert list(lotse.languages.values_list("code", flat=True)) == ["ar"]
    assert lotse.user is not None and lotse.user.email == "leyla.demir@example.org"
    assert lotse.user.invited_at is not None and lotse.user.has_usable_password()
    contract = Contract.objects.get(lotse=lotse)
    assert contract.status == Contract.Status.ACTIVE and contract.rate == Decimal("60.00")
    assert contract.starts_on == starts_on and contract.organisation == organisation
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.ATTENDED
    waiting_claim.refresh_from_db()
    assert waiting_claim.status == AllowanceClaim.Status.APPROVED
    assert waiting_claim.decided_by.email == "coordinator.owl@example.org"
