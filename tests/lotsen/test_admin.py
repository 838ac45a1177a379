"""The Django admin shows the IBAN in full only to those who pay, and warns when a year's cap is exceeded."""

import datetime
from decimal import Decimal

from django.urls import reverse

from accounts.models import User
from allowances.models import AllowanceClaim
from tests import factories as f
from tests.auth import reauthenticate


def test_programme_staff_see_the_iban_masked_in_the_admin(client, world):
    client.force_login(world.staff)
    html = client.get(reverse("admin:lotsen_lotse_change", args=[world.lotse_a.pk])).content.decode()
    assert "DE89 **** **** **** **30 00" in html
    assert "0532013000" not in html and "0532 0130" not in html


def test_the_superuser_sees_and_edits_the_full_iban(client, world):
    client.force_login(User.objects.create_superuser("root@example.org", "a-long-password-2014"))
    url = reverse("admin:lotsen_lotse_change", args=[world.lotse_a.pk])
    # Without a fresh re-authentication even the superuser sees it masked.
    html = client.get(url).content.decode()
    assert 'name="iban"' not in html and "0532" not in html
    reauthenticate(client, password="a-long-password-2014")
    html = client.get(url).content.decode()
    assert 'name="iban"' in html
    assert "DE89370400440532013000" in html


def test_the_admin_warns_when_approved_claims_exceed_the_cap(client, world):
    lotse = f.LotseFactory(region=world.owl)
    contract = f.ContractFactory(lotse=lotse, starts_on=datetime.date(2014, 1, 1), rate=Decimal("100"))
    for month in range(1, 8):
        f.AllowanceClaimFactory(
            lotse=lotse,
            contract=contract,
            month=datetime.date(2014, month, 1),
            amount=Decimal("100"),
            status=AllowanceClaim.Status.APPROVED,
        )
    waiting = f.AllowanceClaimFactory(
        lotse=lotse, contract=contract, month=datetime.date(2014, 8, 1), amount=Decimal("100")
    )
    client.force_login(world.staff)
    response = client.get(reverse("admin:allowances_allowanceclaim_change", args=[waiting.pk]))
    assert response.status_code == 200
    warnings = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "720" in str(warnings[0]) and "800" in str(warnings[0])
