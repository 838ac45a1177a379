"""Every page of the role matrix, rendered in German as every role that may open it, read as a person would.

What fails (README, "Wording (German UI)"):
* an English word in the visible text, an option, a button, an aria-label, a title, a placeholder or an alt
  text (a small dictionary of English UI words that are not German words as well; names, e-mail addresses,
  paths and dotted identifiers are not words; an element marked ``translate="no"`` or with another ``lang``
  is skipped, which is how a template marks a name or a quotation);
* "---------" as an empty choice;
* "1 Abrechnungen": a count of one before a plural noun (a missing ``ngettext``/``blocktranslate count``);
* a field label, legend or column heading that starts with a small letter ("beginnt am");
* a button word the wording list retires ("Sichern"), or a filter form whose button is not "Filtern".

New pages take part by their role-matrix case; a failure names the page, the role and the word.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.matrix import ROLES_ORDER
from tests.test_role_matrix import CASES

#: English UI words that are not also German words (so not "Name", "Status", "Start", "Partner", "Region",
#: "Export", "Link", "Code", "Details", "Team", "Design", "Online", "Workshop", "Filter", "Login", "Transfer",
#: "Computer", "App", "Profile", "Expertise", "Update", "Download", "Upload", "Event", "Training", "Gender",
#: "City", "Dashboard", "Home", "Diverse", "Bank", "Hand", "Land", "Art", "Tag", "hat", "will", "was", "die",
#: "bin", "also", "man", "in", "an", "am", "so", "elf", "hell", "rot", "Rat", "Kind", "Gift").
_ENGLISH_WORDS = """
    about above account accounts active add added address after again age all already amount and any apply
    approved are ascending at attendance back batch be been before begins between by cancel cancelled
    certificate certificates change choose claim claims clear close closed confirm confirmed consultation
    consultations continue contract contracts coordination coordinator coordinators count country created
    date day days decline delete descending description district done draft each edit email end ends enter
    error event events every expired false female field filters first for forbidden forgot found from guest
    guests has have help here hide hour hours how inactive into invalid invitation invite is it its language
    languages last later less loading log logout male minutes missing month months more must my new next no
    none not notes number of off on only open or other our overview page paid participant participants
    password payout payouts pending period phone please postcode preview previous quarter received regions
    rejected remove report reports required role roles save search seconds select selected send sent
    settings should show since something sorry street submit submitted sum the their there these this time
    title to today tomorrow true try type unknown unsaved until upcoming updated value values week were what
    when where which who why with wrong year years yes yesterday you your
"""
ENGLISH = set(_ENGLISH_WORDS.split())
#: Words that are German as a capitalised noun ("Not", "Last", "Male", "Register") but English when small.
ENGLISH_ONLY_SMALL = {"not", "type", "last", "male", "register"}

#: Text we do not write: Django's admin hard-codes a few alt texts and its empty action choice.
ALLOWED_ON = {
    "/admin/": {"search", "true", "false", "unknown", "---------"},
}

#: A plural noun after "1 " (German plurals of the portal's nouns; "-ungen", "-innen", "-ionen" in general).
PLURAL_AFTER_ONE = re.compile(
    r"(?<![\d.,:/\-–])\b1\s+("
    r"[A-ZÄÖÜ]\w*(?:ungen|innen|ionen|schaften|heiten|keiten)"
    r"|Lotsen|Stunden|Minuten|Tage|Monate|Jahre|Wochen|Einträge|Personen|Gäste|Plätze|Verträge"
    r"|Zahlungsläufe|Termine|Dateien|Zeilen|Konten|Workshops|Treffen)\b"
)

#: Button words the portal no longer uses, and the word it uses instead (README, "Wording (German UI)").
RETIRED_BUTTON_WORDS = {
    "Sichern": "Speichern",
    "Anwenden": "Filtern",
    "Übernehmen": "Speichern",
    "Absenden": "Senden",
}
#: The button of every filter form (``<form method="get" class="filters">``).
FILTER_BUTTON = "Filtern"

_NOT_A_WORD = re.compile(r"[@/_]|\w\.\w|://|^\W*[\w.-]+\(")
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")
_SKIPPED = {"script", "style", "code", "pre", "kbd", "samp"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class _Element:
    tag: str
    attrs: dict
    skip: bool
    text: list = field(default_factory=list)
    has_control: bool = False


class PageReader(HTMLParser):
    """What a person reads on a page: texts (with where they are), labels, headings and buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[_Element] = []
        self.texts: list[tuple[str, str]] = []  # (where, text)
        self.headings: list[tuple[str, str]] = []  # field labels, legends, column headings
        self.buttons: list[tuple[str, str]] = []  # (form key, label)
        self.form: dict | None = None

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1].skip

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        skip = (
            self._skipping()
            or tag in _SKIPPED
            or attrs.get("translate") == "no"
            or attrs.get("lang", "de").split("-")[0] not in {"de", ""}
        )
        if tag == "form":
            self.form = attrs
        if not skip:
            for name in ("aria-label", "title", "placeholder", "alt"):
                if attrs.get(name):
                    self.texts.append((f"{tag}[{name}]", attrs[name]))
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.texts.append(("input[value]", attrs["value"]))
                self._button(attrs["value"])
        if tag in {"input", "select", "textarea"}:
            for element in self.stack:
                if element.tag == "label":
                    element.has_control = True
        if tag not in _VOID:
            self.stack.append(_Element(tag, attrs, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _VOID or not any(element.tag == tag for element in self.stack):
            return
        while self.stack:
            element = self.stack.pop()
            text = " ".join(" ".join(element.text).split())
            if self.stack:
                self.stack[-1].text.append(text)
            if element.tag == tag:
                break
        if element.skip or not text:
            return
        if tag in {"legend", "th"} or (tag == "label" and not element.has_control):
            self.headings.append((tag, text))
        elif tag == "button":
            self._button(text)
        elif tag == "form":
            self.form = None

    def _button(self, label: str):
        form = self.form or {}
        key = (
            "filter"
            if form.get("method", "get").lower() == "get" and "filters" in form.get("class", "")
            else ""
        )
        self.buttons.append((key, label))

    def handle_data(self, data):
        if self.stack and not self.stack[-1].skip and data.strip():
            self.stack[-1].text.append(data)
            self.texts.append((self.stack[-1].tag, " ".join(data.split())))


def english_words(text: str) -> list[str]:
    found = []
    for token in text.split():
        if _NOT_A_WORD.search(token):
            continue
        for word in _WORD.findall(token):
            small = word.lower()
            if small in ENGLISH_ONLY_SMALL:
                if word == small:
                    found.append(word)
            elif small in ENGLISH and (word == small or word == small.capitalize()):
                found.append(word)
    return found


def problems_of(html: str, path: str) -> list[str]:
    """Everything on one German page that a reader would stumble over, each as 'what: where'."""
    allowed = set().union(*(words for prefix, words in ALLOWED_ON.items() if path.startswith(prefix)))
    reader = PageReader()
    reader.feed(html)
    problems = []
    for where, text in reader.texts:
        for word in english_words(text):
            if word.lower() not in allowed:
                problems.append(f"English word {word!r} in <{where}>: {text[:120]!r}")
        if "---------" in text and "---------" not in allowed:
            problems.append(f"'---------' as a choice in <{where}> (give the empty choice a word)")
        if match := PLURAL_AFTER_ONE.search(text):
            problems.append(f"plural after one: {match.group(0)!r} in {text[:120]!r} (use ngettext)")
    for where, text in reader.headings:
        if text[:1].islower():
            problems.append(
                f"<{where}> starts with a small letter: {text[:80]!r} (German labels start capital)"
            )
    if not path.startswith("/admin/"):
        for key, label in reader.buttons:
            for retired, word in RETIRED_BUTTON_WORDS.items():
                if re.search(rf"\b{retired}\b", label, re.IGNORECASE):
                    problems.append(f"button {label!r}: say {word!r} (README, Wording)")
            if key == "filter" and label != FILTER_BUTTON:
                problems.append(f"filter form button {label!r}: say {FILTER_BUTTON!r} (README, Wording)")
    return problems


# -- the reader itself ------------------------------------------------------------------------------------


def test_the_reader_finds_what_the_report_found():
    html = """<form method="get" class="filters"><label for="o">Sortierung</label>
      <select id="o"><option value="">---------</option><option>Since (absteigend)</option></select>
      <label for="s">beginnt am</label><input id="s"><button>Anzeigen</button></form>
      <p>1 Abrechnungen</p><form method="post"><button>Sichern</button></form>
      <a aria-label="Date">x</a>"""
    found = "\n".join(problems_of(html, "/claims/"))
    for expected in (
        "'Since'",
        "'---------'",
        "beginnt am",
        "'Anzeigen'",
        "'1 Abrechnungen'",
        "'Sichern'",
        "'Date' in <a[aria-label]>",
    ):
        assert expected in found, (expected, found)


def test_the_reader_leaves_german_names_and_addresses_alone():
    html = """<p>Ayşe Güllüoğlu · lotse.owl@example.org · /events/public/ · Benutzer (accounts.user)</p>
      <p>Was wird mit 1 Stunde und 11 Beratungen, 1,5 Stunden? Die App, der Code, das Update.</p>
      <label for="a"><input type="radio" id="a"> telefonisch</label>
      <span translate="no">Open Space Bielefeld</span><option lang="en" value="en">English</option>
      <form method="get" class="filters"><button>Filtern</button></form>"""
    assert problems_of(html, "/") == []


# -- every page ---------------------------------------------------------------------------------------------

PAGES = [case for case in CASES if case.method == "get" and 200 in case.expected.values()]


@pytest.mark.parametrize("case", PAGES, ids=lambda c: f"{c.url_name}{c.query}")
def test_every_page_reads_as_german(case, client, world):
    url = reverse(case.url_name, kwargs=case.kwargs(world)) + case.query
    data = case.data(world) if case.data else {}
    found = []
    for role in ROLES_ORDER:
        if case.expected[role] != 200:
            continue
        client.logout()
        if (user := world.user_for(role)) is not None:
            client.force_login(user)
        response = client.get(url, data, HTTP_ACCEPT_LANGUAGE="de")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        found += [
            f"GET {url} as {role}: {problem}" for problem in problems_of(response.content.decode(), url)
        ]
    assert not found, "\n".join(dict.fromkeys(found))
