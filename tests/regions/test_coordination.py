"""A new coordination sees its region but does not pay: "handles payments" is granted on purpose."""

from django.urls import reverse

from lotsen.validators import format_iban
from tests import factories as f


def test_a_new_coordination_does_not_handle_payments(client, world):
    newcomer = f.UserFactory(email="neu.owl@example.org")
    coordination = f.CoordinationFactory(user=newcomer, region=world.owl)
    assert coordination.handles_payments is False
    client.force_login(newcomer)
    html = client.get(reverse("lotsen:detail", args=[world.lotse_a.pk])).content.decode()
    assert world.lotse_a.iban_masked in html
    assert format_iban(world.lotse_a.iban) not in html
