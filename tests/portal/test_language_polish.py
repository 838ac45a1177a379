"""Language polish a person notices: country names, British dates in English, error pages that say what to do
next in both languages, one "forgot password" link, and one checkbox widget for languages and expertise."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.views.defaults import server_error
from django_countries import countries


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# -- country names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "german"),
    [
        ("KI", "Kiribati"),
        ("PG", "Papua-Neuguinea"),
        ("SA", "Saudi-Arabien"),
        ("SZ", "Eswatini"),
        ("FO", "Färöer-Inseln"),
        ("MZ", "Mosambik"),
        ("SY", "Syrien"),
        ("XK", "Kosovo"),
    ],
)
def test_german_country_names_come_from_iso_codes(code, german):
    with translation.override("de"):
        assert countries.name(code) == german


def test_english_country_names_stay_the_everyday_ones():
    with translation.override("en"):
        assert [countries.name(code) for code in ("SY", "MZ", "KI", "XK")] == [
            "Syria",
            "Mozambique",
            "Kiribati",
            "Kosovo",
        ]


def test_the_consultation_form_offers_the_german_names_sorted(client, world):
    client.force_login(world.lotse_a.user)
    html = client.get(reverse("me:consultation_create")).content.decode()
    options = re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)</option>', html)
    names = dict(options)
    assert names["MZ"] == "Mosambik" and names["SA"] == "Saudi-Arabien" and names["XK"] == "Kosovo"
    assert "Kirivati" not in html and "Swasiland" not in html
    # Stored codes are unchanged: Lotse A's consultation (SY) still shows as Syrien.
    assert names["SY"] == "Syrien"


# -- British dates on English pages -----------------------------------------------------------------------


def test_english_pages_put_the_day_first_and_use_the_24_hour_clock(client, world):
    starts = timezone.make_aware(datetime.datetime(2026, 10, 12, 16, 0))
    world.event.starts_at, world.event.ends_at = starts, starts + datetime.timedelta(hours=2)
    world.event.save(update_fields=["starts_at", "ends_at"])
    client.force_login(world.coordinator)
    html = _english(client).get(reverse("events:detail", kwargs={"pk": world.event.pk})).content.decode()
    assert '<html lang="en">' in html
    assert "12/10/2026 16:00" in html
    assert "10/12/2026" not in html and "p.m." not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert (
        "12.10.2026 16:00"
        in client.get(reverse("events:detail", kwargs={"pk": world.event.pk})).content.decode()
    )


# -- error pages ------------------------------------------------------------------------------------------

ERROR_PAGES = {
    "de": {
        403: ["Nicht erlaubt", "Ihre Rolle erlaubt diese Seite oder Aktion nicht", "Zur Übersicht"],
        404: ["Seite nicht gefunden", "Prüfen Sie die Adresse", "Zur Übersicht"],
    },
    "en": {
        403: ["Not allowed", "Your role does not allow this page or action", "To the overview"],
        404: ["Page not found", "Check the address", "To the overview"],
    },
}


@pytest.mark.parametrize("language", ["de", "en"])
def test_403_and_404_pages_say_what_to_do_next(client, world, language):
    client.force_login(world.lotse_a.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    forbidden = client.get(reverse("claims:list"))  # coordinators only
    missing = client.get("/no-such-page/")
    for response, status in ((forbidden, 403), (missing, 404)):
        html = response.content.decode()
        assert response.status_code == status
        assert f'<html lang="{language}">' in html
        for text in ERROR_PAGES[language][status]:
            assert text in html, (status, text)
        assert "Sie können dies sehen" not in html
        assert f'href="{reverse("dashboard")}"' in html


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("de", ["Etwas ist schiefgegangen", "Bitte versuchen Sie es in ein paar Minuten"]),
        ("en", ["Something went wrong", "Please try again in a few minutes"]),
    ],
)
def test_the_500_page_renders_without_a_database_or_context(language, texts, django_assert_num_queries):
    request = RequestFactory().get("/")
    with translation.override(language), django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in html
    for text in texts:
        assert text in html


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "de",
            [
                "Bitte laden Sie die Seite neu",
                "Die Seite war zu lange offen oder Cookies wurden gelöscht – bitte laden Sie die Seite neu "
                "und versuchen Sie es noch einmal.",
                "Seite neu laden",
            ],
        ),
        (
            "en",
            [
                "Please reload the page",
                "The page was open too long or cookies were deleted – please reload the page and try again.",
                "Reload the page",
            ],
        ),
    ],
)
def test_a_failed_csrf_check_gets_a_branded_page_that_says_what_to_do(world, language, texts):
    """After cookies were deleted (or the page stood open past the session) a form is sent without a valid
    token: the person sees our page in their language, not Django's developer text."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.lotse_a.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    form_page = reverse("me:profile")
    response = client.post(
        form_page, {"email": "x@example.org"}, HTTP_REFERER=f"http://testserver{form_page}"
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in html
    for text in texts:
        assert text in html
    assert f'href="http://testserver{form_page}"' in html  # "reload" goes back to the form's page
    main = html[html.index("<main") :]
    for developer_text in ("CSRF", "Verifizierung", "verification failed", "DEBUG", "Referer"):
        assert developer_text not in main


def test_the_csrf_page_sends_nobody_to_another_site(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.lotse_a.user)
    response = client.post(reverse("me:profile"), {}, HTTP_REFERER="https://evil.example/phish")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


# -- login: one "forgot password" link --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"), [("de", "Passwort vergessen?"), ("en", "Forgot your password?")]
)
def test_the_login_page_has_one_forgot_password_link(client, language, text):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("account_login")).content.decode()
    assert html.count(text) == 1
    assert html.count(f'href="{reverse("account_reset_password")}"') == 1


# -- one widget for languages and expertise ---------------------------------------------------------------


def _fieldset(html: str, name: str) -> str:
    for block in re.findall(r"<fieldset.*?</fieldset>", html, re.S):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no fieldset with {name}")


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("lotse", lambda w: reverse("me:profile")),
        ("coordinator", lambda w: reverse("lotsen:edit", kwargs={"pk": w.lotse_a.pk})),
        ("coordinator", lambda w: reverse("organisations:edit", kwargs={"pk": w.organisation.pk})),
    ],
)
def test_languages_are_checkboxes_under_a_legend_with_a_search_when_long(client, world, who, url):
    client.force_login(world.lotse_a.user if who == "lotse" else world.coordinator)
    html = client.get(url(world)).content.decode()
    assert "<select multiple" not in html and "Strg" not in html
    languages = _fieldset(html, "languages")
    assert re.search(r"<legend>[^<]*Sprachen", languages)
    assert languages.count('type="checkbox" name="languages"') >= 10
    assert "data-checkbox-filter" in languages and 'data-filter-label="Liste durchsuchen"' in languages
    assert "js/checkbox-filter.js" in html
    if "expertise" in html:
        expertise = _fieldset(html, "expertise")
        assert 'type="checkbox" name="expertise"' in expertise
        assert expertise.count('type="checkbox"') < 10 and "data-checkbox-filter" not in expertise


def test_the_profile_saves_languages_ticked_as_checkboxes(client, world):
    from regions.models import Language

    chosen = list(Language.objects.order_by("pk").values_list("pk", flat=True)[:2])
    client.force_login(world.lotse_a.user)
    response = client.post(
        reverse("me:profile"),
        {"email": "ayse@example.org", "phone": "", "availability": "", "languages": chosen, "expertise": []},
    )
    assert response.status_code == 302
    world.lotse_a.refresh_from_db()
    assert sorted(world.lotse_a.languages.values_list("pk", flat=True)) == chosen


# -- empty choices ----------------------------------------------------------------------------------------


def test_empty_choices_have_words(client, world):
    client.force_login(world.coordinator)
    form = client.get(reverse("lotsen:create")).content.decode()
    assert "---------" not in form and "– bitte wählen –" in form
    lists = client.get(reverse("certificates:list")).content.decode()
    assert "---------" not in lists and ">Alle</option>" in lists


def test_ordering_labels_are_german_whatever_key_they_are_given_under(world):
    """field_labels keyed by the parameter ("since") were ignored, and the English pretty name showed."""
    from home.filters import LotseFilter
    from lotsen.models import Lotse

    with translation.override("de"):
        labels = [
            str(label)
            for _v, label in LotseFilter(queryset=Lotse.objects.none(), user=world.staff)
            .form.fields["ordering"]
            .choices
        ]
    assert "Since" not in " ".join(labels)
    assert any(label.startswith("Status seit") for label in labels), labels
