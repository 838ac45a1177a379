"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against live_server.

Browser tests are marked `browser`; without Chromium they are skipped locally and fail in CI.
"""

import os
import shutil

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM in the test thread is still safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if settings.CI:
            pytest.fail("Chromium is required for browser tests in CI (apt-get install chromium).")
        pytest.skip("Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _refused_by_policy(page) -> list[str]:
    """Collects what the browser refused because of the Content-Security-Policy or the Permissions-Policy
    (an inline script or handler that no longer runs, a style attribute, a header it cannot parse)."""
    refused = []

    def on_console(message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Permissions-Policy" in text):
            refused.append(f"{page.url}: {text}")

    page.on("console", on_console)
    return refused


@pytest.fixture
def page(chromium, live_server, transactional_db):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = _refused_by_policy(page)
    yield page
    context.close()
    assert not refused, "The browser refused content because of a policy header:\n" + "\n".join(refused)


@pytest.fixture
def phone_page(chromium, live_server, transactional_db):
    """A phone-sized page (375 × 812), as a Lotse uses the portal."""
    context = chromium.new_context(
        viewport={"width": 375, "height": 812}, locale="de-DE", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = _refused_by_policy(page)
    yield page
    context.close()
    assert not refused, "The browser refused content because of a policy header:\n" + "\n".join(refused)


def log_in(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
