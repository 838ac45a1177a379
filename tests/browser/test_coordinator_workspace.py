"""A coordinator runs their region in the browser: dashboard → filtered list → add a Lotse → invite."""

from django.core import mail

from lotsen.models import Lotse
from tests import factories as f
from tests.browser.conftest import log_in


def _region_with_coordinator():
    region = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    user = f.UserFactory(email="coordinator.owl@example.org")
    f.CoordinationFactory(user=user, region=region)
    organisation = f.OrganisationFactory(region=region, name="Türkischer Elternverein Bielefeld e.V.")
    f.LotseFactory(region=region, first_name="Ayşe", last_name="Güllüoğlu", status="active")
    f.LotseFactory(region=region, first_name="Karim", last_name="Haddad", status="candidate")
    return region, organisation


def test_coordinator_adds_and_invites_a_lotse_on_a_phone(phone_page, live_server):
    page = phone_page
    _region, organisation = _region_with_coordinator()
    log_in(page, live_server, "coordinator.owl@example.org", f.TEST_PASSWORD)

    # The dashboard figure leads to the filtered list, which keeps the filter in the form.
    page.click("#figure-active-lotsen")
    page.wait_for_url("**/lotsen/?status=active")
    assert page.locator("table tbody tr").count() == 1
    assert page.locator("select[name=status]").input_value() == "active"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1

    # Add a Lotse: the region is set automatically (one region), errors are shown next to the field.
    page.goto(f"{live_server.url}/lotsen/new/")
    assert page.locator("select[name=region]").count() == 0
    page.fill("input[name=last_name]", "Demir")
    page.click("form.card button[type=submit]")
    assert page.locator(".field--error input[name=first_name]").count() == 1
    page.fill("input[name=first_name]", "Leyla")
    page.fill("input[name=email]", "leyla.demir@example.org")
    page.check(f"input[name=organisations][value='{organisation.pk}']")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/lotsen/*/")
    assert page.locator(".message--success").count() == 1

    # Invite: a login is created, the e-mail goes out, the page shows the invitation is pending.
    page.click("form[action$='/invite/'] button")
    page.wait_for_selector("#invitation-pending")
    lotse = Lotse.objects.get(last_name="Demir")
    assert lotse.user is not None and not lotse.user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["leyla.demir@example.org"]]
