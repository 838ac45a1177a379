"""Shared fixtures: one fixture per role, a small two-region world, and guards that keep tests honest.

Roles (also the columns of the URL role matrix, tests/test_role_matrix.py):
  anonymous · lotse_a (OWL, owns the records below) · lotse_b (another Lotse in OWL) ·
  coordinator (of OWL) · other_coordinator (of Siegen-Wittgenstein/Olpe) · staff (programme staff)
"""

import logging
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from home.reference_data import ensure_reference_data
from tests import factories as f

# Property tests: random examples on a developer's machine (to find new cases), the same examples in CI
# (a red CI run is reproducible), and no example database written into the checkout there.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROLES = ["anonymous", "lotse_a", "lotse_b", "coordinator", "other_coordinator", "staff"]


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    """In CI the suite must run against the real PostgreSQL and Redis, never silently without them."""
    if not settings.CI:
        return
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit("CI=true but the tests are not using PostgreSQL (set DATABASE_URL).", returncode=3)
    if not _reachable(f"postgres://{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}", 5432):
        pytest.exit("CI=true but PostgreSQL is not reachable.", returncode=3)
    if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
        pytest.exit("CI=true but Redis is not reachable (set REDIS_URL).", returncode=3)


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may be skipped: a test that needs PostgreSQL, Redis, Chromium or a worker must run."""
    if not settings.CI or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped; in CI every test must run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


requires_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL") and not settings.CI,
    reason="needs Redis (set REDIS_URL; always runs in CI)",
)
requires_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" and not settings.CI,
    reason="needs PostgreSQL (set DATABASE_URL; always runs in CI)",
)


@pytest.fixture(autouse=True)
def _enable_db_and_clean_cache(db):
    """Every test may touch the database; every test starts with an empty cache (rate limits!)
    and with the reference data (a transactional test before it may have flushed the tables)."""
    ensure_reference_data()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(caplog):
    """Any ERROR logged during a test (e.g. an unhandled 500) fails it."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail("ERROR logged during the test: " + "; ".join(r.getMessage() for r in errors))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    """Two regions with a coordinator each; Lotse A owns one of each record in OWL."""

    owl: object
    siegen: object
    staff: object
    coordinator: object
    other_coordinator: object
    lotse_a: object
    lotse_b: object
    lotse_siegen: object
    organisation: object
    organisation_siegen: object
    partner: object
    event: object
    event_siegen: object
    programme_event: object
    contract: object
    claim: object
    consultation: object
    certificate: object
    attendance: object

    def user_for(self, role: str):
        return {
            "anonymous": None,
            "lotse_a": self.lotse_a.user,
            "lotse_b": self.lotse_b.user,
            "coordinator": self.coordinator,
            "other_coordinator": self.other_coordinator,
            "staff": self.staff,
        }[role]


@pytest.fixture
def world() -> World:
    owl = f.RegionFactory(slug="owl", name="Ostwestfalen-Lippe", coordinating_body="Regionalagentur OWL")
    siegen = f.RegionFactory(
        slug="siegen-wittgenstein-olpe",
        name="Siegen-Wittgenstein/Olpe",
        coordinating_body="Regionalagentur Siegen-Wittgenstein/Olpe",
    )
    staff = f.UserFactory(email="staff@example.org", name="Petra Programm", is_programme_staff=True)
    coordinator = f.UserFactory(email="coordinator.owl@example.org", name="Claudia Koordinat")
    # The OWL coordinator pays OWL's allowances (as in the demo data); the Siegen coordinator does not pay.
    f.CoordinationFactory(user=coordinator, region=owl, handles_payments=True)
    other_coordinator = f.UserFactory(email="coordinator.siegen@example.org", name="Sven Siegmann")
    f.CoordinationFactory(user=other_coordinator, region=siegen)
    organisation = f.OrganisationFactory(region=owl, name="Türkischer Elternverein Bielefeld e.V.")
    organisation_siegen = f.OrganisationFactory(
        region=siegen, name="Deutsch-Russischer Kulturverein Siegen e.V."
    )
    lotse_a = f.LotseFactory(
        region=owl,
        first_name="Ayşe",
        last_name="Güllüoğlu",
        user=f.UserFactory(email="lotse.owl@example.org"),
    )
    lotse_a.organisations.add(organisation)
    lotse_b = f.LotseFactory(
        region=owl, first_name="Mehmet", last_name="Şahin", user=f.UserFactory(email="lotse.b@example.org")
    )
    lotse_b.organisations.add(organisation)
    lotse_siegen = f.LotseFactory(
        region=siegen,
        first_name="Наталья",
        last_name="Смирнова",
        user=f.UserFactory(email="lotse.siegen@example.org"),
    )
    partner = f.PartnerInstitutionFactory(region=owl, name="Jobcenter Arbeitplus Bielefeld")
    event = f.EventFactory(region=owl, title="Qualifizierungstreffen Anerkennung")
    event_siegen = f.EventFactory(region=siegen, title="Qualifizierungstreffen Siegen")
    programme_event = f.EventFactory(region=None, kind="conference", title="Landeskonferenz Düsseldorf")
    contract = f.ContractFactory(lotse=lotse_a)
    claim = f.AllowanceClaimFactory(lotse=lotse_a, contract=contract)
    consultation = f.ConsultationFactory(lotse=lotse_a, referral=partner)
    certificate = f.CertificateFactory(lotse=lotse_a)
    attendance = f.AttendanceFactory(event=event, lotse=lotse_a)
    return World(
        owl=owl,
        siegen=siegen,
        staff=staff,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        lotse_a=lotse_a,
        lotse_b=lotse_b,
        lotse_siegen=lotse_siegen,
        organisation=organisation,
        organisation_siegen=organisation_siegen,
        partner=partner,
        event=event,
        event_siegen=event_siegen,
        programme_event=programme_event,
        contract=contract,
        claim=claim,
        consultation=consultation,
        certificate=certificate,
        attendance=attendance,
    )


# One fixture per role, each a logged-in test client (anonymous: a plain client).
def _client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def staff_client(client, world):
    return _client_for(client, world.staff)


@pytest.fixture
def coordinator_client(client, world):
    return _client_for(client, world.coordinator)


@pytest.fixture
def other_coordinator_client(client, world):
    return _client_for(client, world.other_coordinator)


@pytest.fixture
def lotse_client(client, world):
    return _client_for(client, world.lotse_a.user)


@pytest.fixture
def lotse_b_client(client, world):
    return _client_for(client, world.lotse_b.user)
