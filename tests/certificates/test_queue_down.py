"""Redis down: issuing says so clearly and leaves nothing half-done.

These tests commit for real (transactional), because the tasks are published only after the commit and the
view must see the failure of that publication."""

import pytest
from django.urls import reverse
from django.utils import translation

from certificates.models import Certificate, CertificateBatch
from tests.certificates.conftest import celery_publishing_to

pytestmark = pytest.mark.django_db(transaction=True)

#: Nothing listens on port 1: publishing fails exactly as with Redis down.
CLOSED_PORT = "redis://127.0.0.1:1/0"


def test_batch_with_redis_down_issues_nothing_and_says_so(coordinator_client, world, trained):
    with celery_publishing_to(CLOSED_PORT):
        response = coordinator_client.post(reverse("certificates:batch_create"), {"region": world.owl.pk})

    assert response.status_code == 200
    (error,) = response.context["form"].errors.as_data()["__all__"]
    with translation.override("en"):
        assert "not reachable right now, so nothing was issued" in str(error.message)
    assert not CertificateBatch.objects.exists()
    assert not Certificate.objects.filter(lotse__in=[trained.fatima, trained.natalya]).exists()


def test_single_issue_with_redis_down_issues_nothing(coordinator_client, trained):
    with celery_publishing_to(CLOSED_PORT):
        response = coordinator_client.post(reverse("certificates:issue_for_lotse", args=[trained.natalya.pk]))

    assert response.status_code == 302
    assert not Certificate.objects.filter(lotse=trained.natalya).exists()
    # Once Redis is back, issuing works (nothing is left blocking the one-valid-certificate rule).
    coordinator_client.post(reverse("certificates:issue_for_lotse", args=[trained.natalya.pk]))
    assert Certificate.objects.get(lotse=trained.natalya).status == Certificate.Status.ISSUED


def test_reissue_with_redis_down_keeps_the_old_certificate_valid(coordinator_client, world):
    with celery_publishing_to(CLOSED_PORT):
        response = coordinator_client.post(
            reverse("certificates:reissue", args=[world.certificate.pk]), {"reason": "Name korrigiert"}
        )

    assert response.status_code == 302
    world.certificate.refresh_from_db()
    assert world.certificate.status == Certificate.Status.ISSUED
    assert world.certificate.revocation_reason == ""
    assert world.lotse_a.certificates.count() == 1
