"""German by default, English complete, a working language switch."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
GERMAN_CATALOGUES = sorted(
    path
    for path in BASE_DIR.glob("**/locale/de/LC_MESSAGES/django.po")
    if ".venv" not in path.parts and "site-packages" not in path.parts
)


def _entries(path: Path):
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not msgid:
            continue
        text = "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', msgid.group(1)))
        if text:
            yield text, block


def test_there_are_german_catalogues_for_the_project_and_the_apps():
    names = {path.relative_to(BASE_DIR).parts[0] for path in GERMAN_CATALOGUES}
    assert {"locale", "accounts", "regions", "lotsen", "organisations", "events", "portal"} <= names


@pytest.mark.parametrize("path", GERMAN_CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_every_german_entry_is_translated_and_checked(path):
    untranslated, fuzzy = [], []
    for msgid, block in _entries(path):
        if re.search(r"^#,.*\bfuzzy\b", block, re.M):
            fuzzy.append(msgid)
        singular = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if singular and singular.group(1).strip() == '""':
            untranslated.append(msgid)
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def _msgstr(block: str) -> str:
    singular = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
    return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', singular.group(1)))


def test_one_english_text_has_one_german_translation_across_apps():
    """Django merges all catalogues and the first app wins, so two apps translating the same text differently
    means one of them silently shows the other's word (e.g. "Vertrag" vs "Vereinbarung")."""
    seen: dict[str, dict[str, str]] = {}
    for path in GERMAN_CATALOGUES:
        for msgid, block in _entries(path):
            if re.search(r"^msgctxt ", block, re.M):
                continue
            seen.setdefault(msgid, {})[str(path.relative_to(BASE_DIR).parts[0])] = _msgstr(block)
    conflicts = {msgid: apps for msgid, apps in seen.items() if len(set(apps.values())) > 1}
    assert not conflicts, f"translated differently in different apps: {conflicts}"


def test_the_default_language_is_german(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()


def test_the_language_switch_changes_the_page_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("account_login")})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    # And back to German.
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert '<html lang="de">' in client.get(reverse("account_login")).content.decode()


def test_the_switch_offers_both_languages_by_their_own_names(client):
    html = client.get(reverse("account_login")).content.decode()
    assert '<option value="de"' in html and ">Deutsch</option>" in html
    assert '<option value="en"' in html and ">English</option>" in html


def test_the_login_page_in_german_with_compiled_catalogues(client):
    """Needs the compiled .mo files: `make test` runs compilemessages before pytest."""
    if not (BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.mo").exists():
        pytest.skip("catalogues not compiled (make compilemessages)")
    with translation.override("de"):
        assert translation.gettext("Log in") == "Anmelden"
        assert translation.gettext("Skip to content") == "Zum Inhalt springen"
    html = client.get(reverse("account_login")).content.decode()
    assert "Anmelden" in html
    assert "Zum Inhalt springen" in html


def test_strings_are_marked_with_names_makemessages_extracts():
    """makemessages only finds gettext(), gettext_lazy(), _() & co.: an alias such as `_lazy` leaves the
    string out of the catalogue, so it stays English in the German UI (as the report notes once did)."""
    aliases = []
    for path in BASE_DIR.glob("**/*.py"):
        if {".venv", "site-packages", "tests"} & set(path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        for name, alias in re.findall(r"\b((?:n|p|np)?gettext(?:_lazy)?) as (\w+)", text):
            if alias != "_":
                aliases.append(f"{path.relative_to(BASE_DIR)}: {name} as {alias}")
    assert not aliases


@pytest.mark.parametrize(("language", "word"), [("en", "descending"), ("de", "absteigend")])
def test_sort_choices_follow_the_active_language(language, word):
    """django-filter builds '… (descending)' at import time; ours are translated when shown."""
    from certificates.filters import CertificateFilter
    from certificates.models import Certificate

    with translation.override(language):
        choices = [
            str(label)
            for _value, label in CertificateFilter(queryset=Certificate.objects.none())
            .form.fields["sort"]
            .choices
        ]
    assert any(word in label for label in choices), choices


@pytest.mark.parametrize(("value", "shown"), [("3.25", "3,3"), ("3.0", "3"), ("0.75", "0,8"), ("2.5", "2,5")])
def test_hours_round_half_up_with_a_german_comma(value, shown):
    """3.25 h read "3,2" on the dashboard but "3,3" in the list: one rounding everywhere."""
    from decimal import Decimal

    from portal.templatetags.portal import hours

    with translation.override("de"):
        assert hours(Decimal(value)) == shown


# One word per concept in the German UI (README, "Wording"): words that must no longer appear in a msgstr.
RETIRED_WORDS = {
    r"Lots\*in": "gender star: one person is „Lotsin/Lotse“, several „Lotsinnen und Lotsen“",
    r"\*der Lots|Lotsin / Lotse|Lotsin bzw\.": "one person is „Lotsin/Lotse“",
    r"\bAntr[äa]g|\bbeantrag": "the monthly claim is an „Abrechnung“, also for the Lotse",
    r"(?<!Teilnahme)(?<![a-zäöüß])Bescheinigung": "a certificate is a „Teilnahmebescheinigung“",
    r"\bbewilligt": "a decided claim is „genehmigt“",
}


def _all_msgstrs(block: str) -> str:
    parts = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
    return " | ".join(
        "".join(json.loads(p) for p in re.findall(r'"(?:[^"\\]|\\.)*"', part)) for part in parts
    )


def test_german_wording_uses_one_word_per_concept():
    found = []
    for path in GERMAN_CATALOGUES:
        for msgid, block in _entries(path):
            text = _all_msgstrs(block)
            for pattern, rule in RETIRED_WORDS.items():
                if re.search(pattern, text):
                    found.append(f"{path.relative_to(BASE_DIR)}: {msgid!r} -> {text!r} ({rule})")
    assert not found, "\n".join(found)


def test_the_navigation_speaks_of_abrechnungen_and_teilnahmebescheinigungen():
    translations = {}
    for path in GERMAN_CATALOGUES:
        for msgid, block in _entries(path):
            # the phone's tab bar has its own short forms (msgctxt "navigation tab")
            if re.search(r"^msgctxt ", block, re.M):
                continue
            if msgid in {"My claims", "Claims", "Certificates", "My certificates", "Lotsen"}:
                translations.setdefault(msgid, set()).add(_msgstr(block))
    assert translations == {
        "My claims": {"Meine Abrechnungen"},
        "Claims": {"Abrechnungen"},
        "Certificates": {"Teilnahmebescheinigungen"},
        "My certificates": {"Meine Teilnahmebescheinigungen"},
        "Lotsen": {"Lotsinnen und Lotsen"},
    }


def test_our_german_translations_are_the_ones_shown():
    """Django merges its own, allauth's and our catalogues, and an app listed earlier wins: Django admin's
    "Save" = "Sichern" silently replaced our "Speichern" on every form. Each of our texts must show as we
    translated it; where another catalogue holds the same English text, give ours a msgctxt
    (``{% translate "Save" context "button" %}``) or another msgid."""
    shadowed = []
    with translation.override("de"):
        for path in GERMAN_CATALOGUES:
            for msgid, block in _entries(path):
                if re.search(r"^(msgctxt|msgid_plural) ", block, re.M):
                    continue
                ours, shown = _msgstr(block), translation.gettext(msgid)
                if ours and shown != ours:
                    shadowed.append(f"{path.relative_to(BASE_DIR)}: {msgid!r} shows {shown!r}, not {ours!r}")
    assert not shadowed, "\n".join(shadowed)
