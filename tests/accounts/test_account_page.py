"""Every role finds "Change password": the navigation leads to the account page; the Lotse profile has it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse


@pytest.mark.parametrize("role", ["lotse_a", "coordinator", "staff", "superuser"])
def test_every_role_reaches_the_password_change_from_the_navigation(client, world, role):
    if role == "superuser":
        user = get_user_model().objects.create_superuser("root@example.org", "a-long-password-2014")
    else:
        user = world.user_for(role)
    client.force_login(user)
    start = client.get(reverse("dashboard")).content.decode()
    assert f'<a href="{reverse("account_email")}">' in start.split('class="main-nav"')[1].split("</nav>")[0]
    account = client.get(reverse("account_email"))
    html = account.content.decode()
    assert "Mein Konto" in html
    assert f'href="{reverse("account_change_password")}"' in html
    assert client.get(reverse("account_change_password")).status_code == 200


def test_the_lotse_profile_offers_the_password_change(lotse_client):
    html = lotse_client.get(reverse("me:profile")).content.decode()
    assert f'href="{reverse("account_change_password")}"' in html
    assert "Passwort ändern" in html
