"""Languages and areas of expertise are ticked the same way on a phone: checkboxes under a legend; the long
language list gets a search field that filters as you type and keeps ticked languages in sight."""

import os

from lotsen.models import Lotse
from tests import factories as f
from tests.browser.conftest import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

EMAIL = "lotsin.sprachen@example.org"


def test_a_lotse_picks_languages_by_searching_and_ticking_on_a_phone(phone_page, live_server):
    region = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    lotse = f.LotseFactory(region=region, user=f.UserFactory(email=EMAIL))
    lotse.languages.set([f.language("tr")])
    page = phone_page
    log_in(page, live_server, EMAIL, f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/me/profile/")

    languages = page.locator("fieldset", has=page.locator("input[name=languages]"))
    search = languages.get_by_label("Liste durchsuchen")
    search.fill("arab")
    visible = languages.locator("label:visible", has=page.locator("input[type=checkbox]"))
    texts = visible.all_inner_texts()
    assert any("Arabisch" in text for text in texts), texts
    assert any("Türkisch" in text for text in texts), "a ticked language stays in sight"
    assert not any("Polnisch" in text for text in texts), texts
    languages.get_by_label("Arabisch").check()
    search.press("Enter")  # only filters: the form is not sent
    assert page.url.endswith("/me/profile/")
    search.fill("")
    assert languages.get_by_label("Polnisch").is_visible()

    expertise = page.locator("fieldset", has=page.locator("input[name=expertise]"))
    assert expertise.locator("legend").inner_text().startswith("Fachgebiete")
    expertise.locator("input[type=checkbox]").first.check()
    # Nothing sticks out sideways at 375 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    codes = set(Lotse.objects.get(pk=lotse.pk).languages.values_list("code", flat=True))
    assert codes == {"tr", "ar"}
    assert Lotse.objects.get(pk=lotse.pk).expertise
