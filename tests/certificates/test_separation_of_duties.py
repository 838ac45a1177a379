"""Security issue #10: nobody issues a certificate for themself, alone or in a batch."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from certificates import services
from certificates.models import Certificate
from portal.access import OWN_RECORD_REFUSED
from tests import factories as f


def test_no_certificate_for_oneself(client, world, trained):
    dual_user = f.UserFactory(email="fatima@example.org")
    trained.fatima.user = dual_user
    trained.fatima.save()
    f.CoordinationFactory(user=dual_user, region=world.owl)
    client.force_login(dual_user)
    response = client.post(
        reverse("certificates:issue_for_lotse", args=[trained.fatima.pk]), {"programme_year": trained.year}
    )
    with translation.override("de"):
        refused = str(OWN_RECORD_REFUSED)
    assert refused in [str(m) for m in get_messages(response.wsgi_request)]
    assert not Certificate.objects.filter(lotse=trained.fatima).exists()
    with pytest.raises(ValidationError):
        services.issue_certificate(lotse=trained.fatima, programme_year=trained.year, acting_user=dual_user)
    # A batch for the region leaves the issuer out and issues for the colleague.
    services.issue_batch(programme_year=trained.year, region=world.owl, acting_user=dual_user)
    assert not Certificate.objects.filter(lotse=trained.fatima).exists()
    assert Certificate.objects.filter(lotse=trained.natalya, programme_year=trained.year).exists()
