"""The Lotse's start page and navigation."""

from django.urls import reverse

from tests import factories as f


def test_dashboard_puts_logging_first_and_shows_month_claim_and_certificates(lotse_client, world):
    f.ConsultationFactory(lotse=world.lotse_a, duration_minutes=45)
    f.ConsultationFactory(lotse=world.lotse_b)
    response = lotse_client.get(reverse("dashboard"))
    html = response.content.decode()
    assert 'data-testid="consultations-this-month">2<' in html
    claim = world.claim
    claim_url = reverse("me:claim_month", args=[claim.month.year, claim.month.month])
    assert f'<a href="{claim_url}"><span class="figure figure--text">eingereicht</span>' in html
    assert 'data-testid="certificates-count">1<' in html
    main = html[html.index('id="main"') :]
    first_link = main[main.index("<a ") :]
    assert first_link.split(">")[0].endswith(f'href="{reverse("me:consultation_create")}"')
    assert reverse("certificates:list") in html


def test_lotse_navigation_points_to_the_self_service(lotse_client):
    urls = [item["url"] for item in lotse_client.get(reverse("dashboard")).context["nav_items"]]
    for name in ("me:consultations", "me:claims", "me:events", "me:profile", "certificates:list"):
        assert reverse(name) in urls
    assert reverse("events:list") not in urls


def test_coordinators_keep_the_general_events_list(coordinator_client):
    urls = [item["url"] for item in coordinator_client.get(reverse("dashboard")).context["nav_items"]]
    assert reverse("events:list") in urls
    assert reverse("me:consultations") not in urls
