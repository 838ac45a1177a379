"""Issue #15, point 1: each role's destinations are in the navigation's HTML, the current place marked.

Which of them sit in the phone's tab bar, the desktop row or the "Mehr" menu is CSS; the browser tests
(tests/browser/test_navigation.py) check what a person sees at 375 and 1366 px."""

import re

import pytest
from django.urls import reverse

DESTINATIONS = {
    "lotse_a": [
        "dashboard",
        "me:consultations",
        "me:claims",
        "me:events",
        "certificates:list",
        "me:profile",
        "account_email",
    ],
    "coordinator": [
        "dashboard",
        "lotsen:list",
        "claims:list",
        "events:list",
        "organisations:list",
        "certificates:list",
        "reports:index",
        "audit:list",
        "account_email",
    ],
}
DESTINATIONS["other_coordinator"] = DESTINATIONS["coordinator"]
DESTINATIONS["staff"] = [*DESTINATIONS["coordinator"], "admin:index"]


def _nav(html: str) -> str:
    return html[html.index('<nav class="main-nav"') : html.index("</nav>")]


@pytest.mark.parametrize("role", list(DESTINATIONS))
def test_every_destination_of_the_role_is_in_the_navigation(client, world, role):
    client.force_login(world.user_for(role))
    nav = _nav(client.get(reverse("dashboard")).content.decode())
    hrefs = list(dict.fromkeys(re.findall(r'<a href="([^"]+)"', nav)))
    assert hrefs == [reverse(name) for name in DESTINATIONS[role]]
    # At most four places in the phone's tab bar, the fifth is "Mehr".
    assert nav.count('class="main-nav__tab"') == 4
    assert nav.count("<summary") == 1


def test_a_lotse_sees_no_coordination_places(lotse_client):
    nav = _nav(lotse_client.get(reverse("dashboard")).content.decode())
    for name in ("lotsen:list", "claims:list", "events:list", "reports:index", "audit:list", "admin:index"):
        assert f'href="{reverse(name)}"' not in nav


@pytest.mark.parametrize(
    ("url_name", "in_menu"), [("dashboard", False), ("reports:index", True), ("account_email", True)]
)
def test_the_current_place_is_marked(coordinator_client, url_name, in_menu):
    nav = _nav(coordinator_client.get(reverse(url_name)).content.decode())
    url = reverse(url_name)
    assert f'<a href="{url}" aria-current="page">' in nav
    assert nav.count('aria-current="page"') == (2 if url_name == "reports:index" else 1)  # row and menu copy
    # "Mehr" is marked when it holds the current place (on a phone or on both).
    assert ("main-nav__more--current" in nav) is in_menu


def test_anonymous_pages_have_no_navigation(client):
    assert '<nav class="main-nav"' not in client.get(reverse("account_login")).content.decode()
