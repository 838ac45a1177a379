"""The shared layout: every account page uses base.html with skip link, landmarks and labelled fields;
no asset comes from another host; navigation follows the role."""

import re

import pytest
from django.urls import reverse

PUBLIC_PAGES = [
    ("account_login", {}),
    ("account_reset_password", {}),
    ("account_reset_password_done", {}),
    ("account_reset_password_from_key", {"uidb36": "1", "key": "invalid"}),
    ("account_reset_password_from_key_done", {}),
    ("account_signup", {}),
]
USER_PAGES = ["account_logout", "account_change_password", "account_email", "dashboard"]


def assert_layout(html: str) -> None:
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    assert html.count("<h1") == 1
    # Every visible input has a label.
    for input_id in re.findall(r'<input (?![^>]*type="(?:hidden|submit)")[^>]*id="([^"]+)"', html):
        assert f'for="{input_id}"' in html, input_id
    # No CDN: scripts, styles and images come from our own static files.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")), url


@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_PAGES, ids=[n for n, _ in PUBLIC_PAGES])
def test_public_account_pages_use_the_layout(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert "base.html" in [t.name for t in response.templates]
    assert_layout(response.content.decode())


@pytest.mark.parametrize("name", USER_PAGES)
def test_pages_for_logged_in_users_use_the_layout(lotse_client, name):
    response = lotse_client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert_layout(html)
    assert '<nav class="main-nav"' in html


def test_the_login_form_has_labelled_email_and_password_fields(client):
    html = client.get(reverse("account_login")).content.decode()
    assert 'name="login"' in html and 'name="password"' in html
    assert 'for="id_login"' in html and 'for="id_password"' in html


@pytest.mark.parametrize(
    ("client_fixture", "visible", "hidden"),
    [
        (
            "lotse_client",
            ["me:consultations", "me:events", "certificates:list"],
            ["lotsen:list", "events:list", "reports:index", "admin:index"],
        ),
        ("coordinator_client", ["lotsen:list", "organisations:list", "reports:index"], ["admin:index"]),
        ("staff_client", ["lotsen:list", "reports:index", "admin:index"], []),
    ],
)
def test_navigation_by_role(request, client_fixture, visible, hidden):
    html = request.getfixturevalue(client_fixture).get(reverse("dashboard")).content.decode()
    nav = html.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
    for name in visible:
        assert f'href="{reverse(name)}"' in nav, name
    for name in hidden:
        assert f'href="{reverse(name)}"' not in nav, name


def test_the_rate_limit_page_uses_the_layout(client, settings):
    from allauth.core.ratelimit import respond_429
    from django.test import RequestFactory

    request = RequestFactory().get("/accounts/login/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = respond_429(request)
    assert response.status_code == 429
    assert_layout(response.content.decode())


def test_a_missing_page_is_a_helpful_page_in_the_layout(lotse_client):
    response = lotse_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_layout(html)
    assert f'href="{reverse("dashboard")}"' in html


def test_a_forbidden_action_is_a_page_in_the_layout(lotse_client, world):
    # A Lotse on a coordinator page: visible but not theirs to change (403, see the role matrix).
    response = lotse_client.get(reverse("lotsen:edit", args=[world.lotse_a.pk]))
    assert response.status_code == 403
    assert_layout(response.content.decode())


def test_the_server_error_page_renders_without_a_request():
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "<h1>" in response.content.decode() and 'href="/"' in response.content.decode()


def test_favicon_ico_leads_to_the_svg_icon(client):
    """Browsers request /favicon.ico whatever the page links; it used to be a 404 in every log."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg") and "favicon" in response["Location"]
