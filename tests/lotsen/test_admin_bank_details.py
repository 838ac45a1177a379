"""Security issue #10: the admin never lists, searches, filters, sorts or shows a Lotse's bank details to
anyone without payment rights; a URL lookup on them is refused (400) instead of answering row / no row."""

import pytest
from django.urls import reverse

from accounts.models import User

IBAN = "DE89370400440532013000"  # the factories' IBAN of every Lotse


def _refused(response, caplog) -> bool:
    refused = response.status_code == 400 and any(
        r.name == "django.security.DisallowedModelAdminLookup" for r in caplog.records
    )
    caplog.clear()  # the refusal is logged as a security error on purpose
    return refused


@pytest.mark.parametrize(
    "lookup",
    ["iban__startswith", "iban", "iban__contains", "iban__regex", "account_holder__startswith"],
)
def test_staff_cannot_probe_the_iban_through_a_url_lookup(client, world, caplog, lookup):
    client.force_login(world.staff)
    url = reverse("admin:lotsen_lotse_changelist")
    response = client.get(url, {"id__exact": world.lotse_a.pk, lookup: IBAN[:6]})
    assert _refused(response, caplog)
    # The wrong prefix gets the same answer: nothing to learn from the difference.
    response = client.get(url, {"id__exact": world.lotse_a.pk, lookup: "XX"})
    assert _refused(response, caplog)


@pytest.mark.parametrize(
    "admin_url", ["admin:allowances_contract_changelist", "admin:allowances_allowanceclaim_changelist"]
)
def test_staff_cannot_probe_the_iban_through_a_related_admin(client, world, caplog, admin_url):
    client.force_login(world.staff)
    response = client.get(reverse(admin_url), {"lotse__iban__startswith": "DE89"})
    assert _refused(response, caplog)


def test_staff_never_see_bank_details_in_the_lotse_admin(client, world):
    world.lotse_a.account_holder = "Ayşe Güllüoğlu Kontoinhaberin"
    world.lotse_a.save()
    client.force_login(world.staff)
    listing = client.get(reverse("admin:lotsen_lotse_changelist"), {"q": "DE89"}).content.decode()
    assert "0532013000" not in listing and "Kontoinhaberin" not in listing
    change = client.get(reverse("admin:lotsen_lotse_change", args=[world.lotse_a.pk])).content.decode()
    assert "0532013000" not in change and "0532 0130" not in change
    assert "Kontoinhaberin" not in change
    assert 'name="iban"' not in change and 'name="account_holder"' not in change


def test_the_superuser_may_filter_on_the_iban(client, world):
    client.force_login(User.objects.create_superuser("root@example.org", "a-long-password-2014"))
    response = client.get(reverse("admin:lotsen_lotse_changelist"), {"iban__startswith": "DE89"})
    assert response.status_code == 200
