"""The Lotse's start page is cached (home.lotse_start, issue #14: a fifth of a trivial page's throughput
before): every change it shows must appear at once, whoever makes it and however it is written."""

import datetime
import re

import pytest
from django.utils import timezone

from allowances.models import AllowanceClaim
from allowances.services.claims import reject_claim
from certificates.models import Certificate
from events import services as events
from home import lotse_start
from lotsen.models import Consultation
from lotsen.services.consultations import delete_consultation
from portal.signals import rows_updated
from tests import factories as f
from tests.portal.test_health import redis_away  # noqa: F401 (a fixture: Redis on a port nobody listens on)


def _count(html: str, testid: str) -> int:
    return int(re.search(rf'data-testid="{testid}">(\d+)<', html).group(1))


def _page(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def cached(lotse_client):
    """The start page seen twice: the second view comes from the cache."""
    _page(lotse_client)
    return _page(lotse_client)


def test_the_second_view_is_served_from_the_cache(lotse_client, world, django_assert_max_num_queries):
    _page(lotse_client)
    _page(lotse_client)
    # session, user with their Lotse record (accounts.backends), coordinations: the figures cost no query
    with django_assert_max_num_queries(3):
        _page(lotse_client)


def test_a_logged_consultation_counts_at_once(lotse_client, world, cached):
    before = _count(cached, "consultations-this-month")
    f.ConsultationFactory(lotse=world.lotse_a, date=timezone.localdate())
    assert _count(_page(lotse_client), "consultations-this-month") == before + 1


def test_a_deleted_consultation_leaves_at_once(lotse_client, world, cached):
    before = _count(cached, "consultations-this-month")
    consultation = Consultation.objects.filter(
        lotse=world.lotse_a, date__month=timezone.localdate().month
    ).first()
    delete_consultation(consultation=consultation, acting_user=world.lotse_a.user)
    assert _count(_page(lotse_client), "consultations-this-month") == before - 1


def test_a_rejection_by_the_coordinator_shows_at_once(lotse_client, world, cached):
    assert 'data-testid="rejected-claim"' not in cached
    reject_claim(claim=world.claim, reason="Die Stunden fehlen.", acting_user=world.coordinator)
    html = _page(lotse_client)
    assert 'data-testid="rejected-claim"' in html and "Die Stunden fehlen." in html


def test_claims_paid_in_bulk_show_at_once(lotse_client, world, cached):
    assert "eingereicht" in cached
    # what allowances.services.payouts.confirm_sent does: one UPDATE, then rows_updated
    AllowanceClaim.objects.filter(pk=world.claim.pk).update(status=AllowanceClaim.Status.PAID)
    rows_updated.send(sender=AllowanceClaim, pks=[world.claim.pk])
    assert "eingereicht" not in _page(lotse_client)


def test_a_registration_for_tomorrow_shows_at_once(lotse_client, world, cached):
    event = f.EventFactory(
        region=world.owl,
        title="Bewerbungstraining",
        starts_at=timezone.localtime() + datetime.timedelta(days=1),
    )
    assert "Morgen: Bewerbungstraining" not in _page(lotse_client)
    events.register(event=event, lotse=world.lotse_a, acting_user=world.lotse_a.user)
    assert "Morgen: Bewerbungstraining" in _page(lotse_client)


def test_a_new_certificate_counts_at_once(lotse_client, world, cached):
    before = _count(cached, "certificates-count")
    f.CertificateFactory(lotse=world.lotse_a, programme_year=2019, status=Certificate.Status.ISSUED)
    assert _count(_page(lotse_client), "certificates-count") == before + 1


def test_an_event_renamed_by_the_coordinator_shows_at_once(lotse_client, world, cached):
    event = f.EventFactory(
        region=world.owl, title="Stammtisch", starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    assert "Stammtisch" in _page(lotse_client)
    event.title = "Sommerfest"
    event.save()
    html = _page(lotse_client)
    assert "Sommerfest" in html and "Stammtisch" not in html


def test_a_consultation_moved_to_another_lotse_leaves_this_page(lotse_client, world, cached):
    """A superuser may correct the Lotse of a record in the admin: both pages change."""
    before = _count(cached, "consultations-this-month")
    consultation = Consultation.objects.filter(
        lotse=world.lotse_a, date__month=timezone.localdate().month
    ).first()
    consultation.lotse = world.lotse_b
    consultation.save()
    assert _count(_page(lotse_client), "consultations-this-month") == before - 1


def test_another_lotses_change_does_not_touch_this_page(
    lotse_client, world, cached, django_assert_max_num_queries
):
    f.ConsultationFactory(lotse=world.lotse_b, date=timezone.localdate())
    with django_assert_max_num_queries(3):
        _page(lotse_client)


def test_figures_read_while_a_change_was_made_are_not_kept(world):
    """A request that read the rows before a change committed must not leave its figures cached."""
    lotse, today = world.lotse_a, timezone.localdate()
    lotse_start.lotsen_changed([lotse.pk])  # tokens exist

    def compute_during_a_change():
        figures = {"consultations": 1}
        lotse_start.lotsen_changed([lotse.pk])  # another request changes the Lotse's rows meanwhile
        return figures, None

    assert lotse_start.cached(lotse, today, compute_during_a_change) == {"consultations": 1}
    assert lotse_start.cached(lotse, today, lambda: ({"consultations": 2}, None)) == {"consultations": 2}
    assert lotse_start.cached(lotse, today, lambda: ({"consultations": 3}, None)) == {"consultations": 2}


@pytest.mark.usefixtures("redis_away")
def test_nothing_is_cached_while_redis_is_away_nor_soon_after(world):
    """Each process would keep its own entries and miss the others' changes (portal.cache's fallback)."""
    from django.core.cache import cache

    lotse, today = world.lotse_a, timezone.localdate()
    lotse_start.lotsen_changed([lotse.pk])  # reaches only this process's memory
    assert cache.degraded_within(lotse_start.MAX_AGE)
    for n in (1, 2, 3):
        assert lotse_start.cached(lotse, today, lambda n=n: ({"consultations": n}, None)) == {
            "consultations": n
        }
