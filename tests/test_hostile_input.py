"""No 500 on odd input: every URL of the role matrix, requested with hostile values.

Built on the role matrix (tests/matrix.py, tests/test_role_matrix.py); nothing here names a URL or a field,
so a new URL pattern, filter or form field is walked without editing this file:

* path: every case's URL pattern, as every role, with each path parameter replaced by each hostile value
  (25 digits, negative, not a number, years 0001 and 9999, a NUL byte, 10,000 characters);
* query strings: each GET form on the page (filters, month pickers) and each parameter of the case's query,
  one field at a time with every hostile value, and all date/number fields at once under each option of the
  page's select boxes (so ``period=custom`` meets ``date_from``/``date_to`` in year 9999);
* POSTed forms: each field of the page's POST form (or of the case's data) with every hostile value, in
  multiple-choice fields too, on top of the case's valid data; all date fields at once as well.

A user must see a 4xx, a redirect (e.g. to the login page) or the form again with an error message, never a
500 (the autouse ``_fail_on_logged_errors`` fixture fails on the logged error), and nothing may be written.
Writing is only allowed when a free-text field took a value that is plausible text there ("abc").
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection, transaction
from django.urls import resolve, reverse

from tests.matrix import ROLES_ORDER, Case
from tests.test_role_matrix import CASES

LONG = "x" * 10_000
#: Every hostile value a query parameter or form field gets.
HOSTILE = [
    "9" * 25,
    "-1",
    "abc",
    "0001",
    "9999",
    "0001-01",
    "9999-12",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "\x00",
    LONG,
    "unknown-choice",
]
#: Values for path parameters (a NUL byte travels percent-encoded in a path); years only where a year goes
#: (as an id, "0001" is just the row with id 1).
HOSTILE_PATH = ["9" * 25, "-1", "abc", "%00", LONG]
HOSTILE_YEARS = ["0001", "9999"]
#: Values for "all date/number fields at once" (the combination that reaches the period arithmetic).
YEAR_EDGES = {
    "date": ["0001-01-01", "9999-12-31"],
    "month": ["0001-01", "9999-12"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
    "number": ["0001", "9999"],
}
FREE_TEXT = {"text", "textarea", "search", "tel", "password"}
#: The order in which a role that can reach a page is chosen for the form walk.
REACH_ORDER = ["staff", "coordinator", "lotse_a", "other_coordinator", "lotse_b", "anonymous"]


# -- reading the forms on a page --------------------------------------------------------------------------
@dataclass
class FormField:
    name: str
    kind: str  # an input type, "select", "select-multiple", "textarea"
    options: list[str] = field(default_factory=list)
    #: disabled, or a value the form cannot check (a lone checkbox is "on" whatever its value)
    ignores_value: bool = False


@dataclass
class PageForm:
    method: str
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[PageForm] = []
        self._select: FormField | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(PageForm((attrs.get("method") or "get").lower(), attrs.get("action") or ""))
            return
        if not self.forms or not attrs.get("name"):
            if tag == "option" and self._select is not None:
                self._select.options.append(attrs.get("value") or "")
            return
        fields = self.forms[-1].fields
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "reset", "image", "file"} or name == "csrfmiddlewaretoken":
                return
            existing = fields.setdefault(name, FormField(name, kind, ignores_value="disabled" in attrs))
            if kind in {"checkbox", "radio"}:
                existing.options.append(attrs.get("value") or "on")
        elif tag == "select":
            self._select = fields.setdefault(
                name, FormField(name, "select-multiple" if "multiple" in attrs else "select")
            )
        elif tag == "textarea":
            fields.setdefault(name, FormField(name, "textarea"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def page_forms(html: str) -> list[PageForm]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


# -- what a user notices ----------------------------------------------------------------------------------
def writes() -> int:
    """A cheap global fingerprint of the database: rows inserted, updated or deleted so far."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.total_changes
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
        )
        return cursor.fetchone()[0]


def audit_entries() -> int:
    from audit.models import AuditEntry

    return AuditEntry.objects.count()


def shows_form_error(response) -> bool:
    html = response.content.decode(errors="replace")
    return 'class="error"' in html or "message--error" in html


def request(client, method: str, url: str, data=None):
    if method == "post":
        return client.post(url, data or {})
    return client.get(url, data or {})


def check(client, role: str, method: str, url: str, data=None, *, may_write: bool = False) -> int:
    """Send a hostile request; the answer is a 4xx, a redirect or the form with an error; nothing written.

    Each request runs in a savepoint that is rolled back, so every hostile value meets the same world."""
    with transaction.atomic():
        before, audited_before = writes(), audit_entries()
        response = request(client, method, url, data)
        # Recording a read (an export, a full IBAN shown) in the audit trail is the one write a GET may do.
        wrote = writes() - before != audit_entries() - audited_before
        transaction.set_rollback(True)
    status = response.status_code
    where = f"{method.upper()} {url[:200]} {_short(data)} as {role}"
    assert status < 500, f"{where}: {status}"
    if method == "post" and status == 200:
        assert shows_form_error(response), f"{where}: 200 without an error message"
    # A sensitive action first asks for a fresh login; the request waits in the session (that row is the
    # only write) and is validated only after the re-authentication.
    if not ((may_write and status in (301, 302, 303)) or asks_to_reauthenticate(response)):
        assert not wrote, f"{where}: answered {status} but wrote to the database"
    return 403 if asks_to_reauthenticate(response) else status


def asks_to_reauthenticate(response) -> bool:
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith((reverse("account_reauthenticate"), reverse("mfa_reauthenticate")))


def plausible(form_field: "FormField", value) -> bool:
    """Whether a hostile value is a fair value for the field after all (then saving it is no bug)."""
    value = str(value)
    if form_field.ignores_value or form_field.kind == "hidden":
        return True  # the form does not read it (disabled) or reads it elsewhere (next, initial-…)
    if form_field.kind == "checkbox" and len(form_field.options) == 1:
        return True  # a lone checkbox: any value means "ticked"
    if "\x00" in value:
        return False
    if form_field.kind in FREE_TEXT:
        return True
    if value in ("0001", "9999"):  # just numbers: a number, or an option's id with leading zeros
        return form_field.kind == "number" or value.lstrip("0") in form_field.options
    return False


def _short(data) -> str:
    if not data:
        return ""
    return str(
        {
            key: (value[:30] + "…" if isinstance(value, str) and len(value) > 30 else value)
            for key, value in data.items()
        }
    )[:300]


def login(client, world, role: str):
    client.logout()
    user = world.user_for(role)
    if user is not None:
        client.force_login(user)


def reaching_role(case: Case) -> str | None:
    """A role that gets through to the view's form: a writer if the case has writers, else a 2xx/3xx."""
    for role in REACH_ORDER:
        if role in case.writers:
            return role
    for role in REACH_ORDER:
        status = case.expected[role]
        if status == 200 or (case.method == "post" and status in (200, 302) and role != "anonymous"):
            return role
    return None


def case_id(case: Case) -> str:
    return f"{case.method}:{case.url_name}{case.query}"


def _distinct(cases):
    seen, result = set(), []
    for case in cases:
        key = (case.url_name, case.method, case.query, bool(case.data))
        if key not in seen:
            seen.add(key)
            result.append(case)
    return result


# -- 1. hostile path values, every URL pattern, every role ------------------------------------------------
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def hostile_paths(url: str, kwargs: dict) -> list[str]:
    """The URL with each path parameter in turn replaced by each hostile value (the others stay valid)."""
    route = resolve(urlsplit(url).path).route
    paths = []
    converters = {m.group("name"): m.group("converter") for m in _CONVERTER.finditer(route)}
    for target in kwargs:
        years = HOSTILE_YEARS if converters.get(target) in ("year", "month", "str", "slug", None) else []
        for value in [*HOSTILE_PATH, *years]:

            def fill(match, target=target, value=value):
                name = match.group("name")
                return value if name == target else str(kwargs[name])

            paths.append("/" + _CONVERTER.sub(fill, route))
    return paths


PATH_CASES = _distinct(CASES)


@pytest.mark.parametrize("case", PATH_CASES, ids=case_id)
def test_hostile_path_values(case: Case, client, world):
    kwargs = case.kwargs(world)
    url = reverse(case.url_name, kwargs=kwargs)
    query = dict(parse_qsl(case.query.lstrip("?")))
    data = case.data(world) if case.data else None
    for index, role in enumerate(ROLES_ORDER):
        login(client, world, role)
        for path in hostile_paths(url, kwargs):
            status = check(client, role, case.method, path, data)
            assert 400 <= status < 500 or (role == "anonymous" and status == 302), (
                f"{case.method.upper()} {path[:200]} as {role}: {status}, expected 404 or another 4xx"
            )
        # Patterns without parameters get their hostile value in the query string (every role, one value).
        params = {
            name: HOSTILE[(index + offset) % len(HOSTILE)] for offset, name in enumerate([*query, "page"])
        }
        check(client, role, "get", url, params)


# -- 2. hostile query parameters and 3. hostile POSTed form fields -----------------------------------------
def _variants(fields: dict[str, FormField], baseline: dict) -> list[tuple[str, dict]]:
    """(field name, data) pairs: every field with every hostile value; date/number fields all at once under
    each option of every select box whose options are words (period=custom, when=past, …)."""
    variants = []
    for name, form_field in fields.items():
        for value in HOSTILE:
            hostile = [*form_field.options[:1], value] if form_field.kind == "select-multiple" else value
            variants.append((name, {**baseline, name: hostile}))
    word_selects = {
        name: [o for o in f.options if o and not o.lstrip("-").isdigit()]
        for name, f in fields.items()
        if f.kind in {"select", "radio"}
    }
    for kind, values in YEAR_EDGES.items():
        group = [name for name, f in fields.items() if f.kind == kind]
        if not group:
            continue
        for select, options in [("", [None]), *word_selects.items()]:
            for option in options:
                for value in values:
                    data = {**baseline, **dict.fromkeys(group, value)}
                    if option is not None:
                        data[select] = option
                    variants.append((group[0], data))
    return variants


# Views whose form no role reaches (every role gets 4xx or a redirect) are walked by their path only.
FORM_CASES = _distinct(c for c in CASES if (c.method == "get" or c.data) and reaching_role(c))


@pytest.mark.parametrize("case", FORM_CASES, ids=case_id)
def test_hostile_form_values(case: Case, client, world):
    role = reaching_role(case)
    login(client, world, role)
    url = reverse(case.url_name, kwargs=case.kwargs(world))
    page = client.get(url + case.query)
    html = "" if page.streaming or page.status_code != 200 else page.content.decode(errors="replace")
    wanted = case.method
    baseline = dict(parse_qsl(case.query.lstrip("?"))) if wanted == "get" else case.data(world)
    page_fields = {}
    for form in page_forms(html):
        if form.method == wanted and form.action in ("", url):
            page_fields.update(form.fields)
    if wanted == "get":
        fields = {name: FormField(name, "text") for name in [*baseline, "page"]} | page_fields
    else:
        # The fields of the form on the page; a POST-only view (no page) gets its case's fields.
        fields = page_fields or {name: FormField(name, "text") for name in baseline}
    for name, data in _variants(fields, baseline):
        may_write = wanted == "post" and plausible(fields[name], data[name])
        check(client, role, wanted, url, data, may_write=may_write)


# -- 4. the reproductions of issue #9 (each was a 500) -----------------------------------------------------
def _reproductions(world):
    custom_9999 = "?period=custom&date_from=9999-12-01&date_to=9999-12-31"
    custom_0001 = "?period=custom&date_from=0001-01-01&date_to=0001-12-31"
    event = {
        "kind": "training",
        "region": str(world.owl.pk),
        "title": "Schulung",
        "starts_at": "0001-01-01T10:00",
        "ends_at": "0001-01-01T12:00",
        "place": "Bielefeld",
        "hours_credited": "2",
        "capacity": "10",
    }
    return [
        ("lotse_a", "get", "/me/claims/99999999999999999999999/1/", None),
        ("lotse_a", "get", reverse("me:consultations") + "?month=9999-12", None),
        ("coordinator", "get", reverse("reports:index") + custom_9999, None),
        ("coordinator", "get", reverse("reports:export", args=["regions", "csv"]) + custom_9999, None),
        ("coordinator", "get", reverse("reports:export", args=["trend", "xlsx"]) + custom_9999, None),
        ("coordinator", "get", reverse("reports:index") + custom_0001, None),
        ("coordinator", "post", reverse("events:create"), event),
        ("coordinator", "post", reverse("lotsen:create"), {"first_name": "A", "organisations": ["9" * 23]}),
        ("lotse_a", "post", reverse("me:profile"), {"email": "", "languages": ["9" * 23]}),
    ]


def test_reproductions_of_issue_9(client, world):
    for role, method, url, data in _reproductions(world):
        login(client, world, role)
        status = check(client, role, method, url, data)
        if "/me/claims/" in url:
            assert status == 404
        elif "/export/" in url:
            # An export falls back to this year (there is no page for a message): no 500 is all it checks.
            assert status == 200, f"GET {url} as {role}: {status}"
        else:
            response = request(client, method, url, data)
            assert response.status_code == 200 and shows_form_error(response), (
                f"{method.upper()} {url} as {role}: {response.status_code}, expected the form with an error"
            )
