"""Login limits behind the TLS proxy: they slow an attacker down without locking anybody else out.

Every request reaches the portal from the proxy's address (REMOTE_ADDR); the proxy appends the address it saw
to X-Forwarded-For. The tests run on the local-memory cache and, with CI=true, on Redis.
"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests import factories as f

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"
NEW_PASSWORD = "ein-neues-Passwort-2014"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def via_proxy(address: str, spoofed: str | None = None) -> Client:
    """A browser at ``address``; ``spoofed`` is what it wrote into X-Forwarded-For itself."""
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def log_in(client: Client, email: str, password: str) -> int:
    return client.post(reverse("account_login"), {"login": email, "password": password}).status_code


def test_wrong_passwords_from_one_client_do_not_block_another_clients_login(world):
    attacker = via_proxy(ATTACKER)
    statuses = [log_in(attacker, f"guess{i}@example.org", "wrong-password") for i in range(25)]
    assert statuses[:20] == [200] * 20
    assert statuses[-1] == 429
    coordinator = via_proxy(VICTIM)
    assert log_in(coordinator, world.coordinator.email, f.TEST_PASSWORD) == 302


def test_a_spoofed_forwarded_address_does_not_evade_the_limit(world):
    statuses = [
        log_in(via_proxy(ATTACKER, spoofed=f"192.0.2.{i}"), f"guess{i}@example.org", "wrong-password")
        for i in range(25)
    ]
    assert statuses[-1] == 429
    assert log_in(via_proxy(ATTACKER, spoofed="192.0.2.200"), "guess@example.org", "wrong") == 429


def test_hammering_an_account_blocks_the_attacker_not_the_account_holder(world):
    victim_email = world.coordinator.email
    attacker = via_proxy(ATTACKER)
    statuses = [log_in(attacker, victim_email, f"guess-{i}") for i in range(8)]
    assert statuses[:5] == [200] * 5
    assert statuses[-1] == 429
    # Even the right password is refused to the attacker's address for now ...
    assert log_in(attacker, victim_email, f.TEST_PASSWORD) == 429
    # ... while the coordinator logs in from their own address.
    assert log_in(via_proxy(VICTIM), victim_email, f.TEST_PASSWORD) == 302


def test_a_password_reset_lifts_the_limit_on_the_account(world):
    email = world.coordinator.email
    browser = via_proxy(VICTIM)
    for i in range(6):
        log_in(browser, email, f"mistyped-{i}")
    assert log_in(browser, email, f.TEST_PASSWORD) == 429

    # The reset is done elsewhere (at the office), the next login is from the first address again.
    office = via_proxy("192.0.2.44")
    office.post(reverse("account_reset_password"), {"email": email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/password/reset/key/" in line)
    path = "/" + link.strip().split("://", 1)[-1].split("/", 1)[1]
    form_url = office.get(path)["Location"]
    response = office.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    assert log_in(browser, email, NEW_PASSWORD) == 302
