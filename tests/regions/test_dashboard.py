"""The coordinator's and programme staff's start page: figures, their links, a constant number of queries."""

import datetime
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from allowances.models import Contract
from tests import factories as f


def test_coordinator_figures_count_own_region_only(coordinator_client, world):
    today = timezone.localdate()
    f.LotseFactory(region=world.owl, user=None, status="candidate")
    f.LotseFactory(region=world.siegen, user=None)
    Contract.objects.filter(pk=world.contract.pk).update(ends_on=today + datetime.timedelta(days=20))
    f.ContractFactory(lotse=world.lotse_siegen, ends_on=today + datetime.timedelta(days=5))
    f.ConsultationFactory(
        lotse=world.lotse_b, date=today.replace(month=1, day=1) if today.month > 1 else today
    )
    f.ConsultationFactory(lotse=world.lotse_siegen)
    f.OrganisationFactory(region=world.owl, cooperation_status="interested")

    figures = coordinator_client.get("/").context["figures"]
    assert figures.active_lotsen == 2
    assert figures.lotsen_without_login == 1
    assert figures.organisations_involved == 1
    assert figures.claims_waiting == 1
    assert figures.claims_to_pay == 0  # the OWL coordinator pays; nothing approved
    assert figures.consultations_this_year == 2
    assert figures.consultations_this_month == (2 if today.month == 1 else 1)
    assert figures.contracts_ending_soon == 1


def test_staff_sees_all_regions(staff_client, world):
    figures = staff_client.get("/").context["figures"]
    assert figures.active_lotsen == 3
    assert figures.organisations_involved == 2


def test_each_figure_links_to_its_filtered_list(coordinator_client, world):
    response = coordinator_client.get("/")
    html = response.content.decode()
    for link in ("/lotsen/?status=active", "/lotsen/?has_login=no"):
        assert f'href="{link}"' in html
    assert 'href="/organisations/?cooperation_status=active"' in html
    month = urlparse(response.context["consultations_month_url"])
    today = timezone.localdate()
    assert month.path == "/reports/"
    assert parse_qs(month.query) == {"from": [today.replace(day=1).isoformat()], "to": [today.isoformat()]}
    # The figures lead to lists that show the same number.
    figures = response.context["figures"]
    listed = coordinator_client.get("/lotsen/?status=active").context["page_obj"].paginator.count
    assert listed == figures.active_lotsen


@pytest.mark.parametrize("rows", [1, 60])
def test_dashboard_queries_are_constant(coordinator_client, world, django_assert_max_num_queries, rows):
    for _ in range(rows):
        lotse = f.LotseFactory(region=world.owl, user=None)
        f.ContractFactory(lotse=lotse, ends_on=timezone.localdate() + datetime.timedelta(days=3))
        f.ConsultationFactory(lotse=lotse)
        f.EventFactory(region=world.owl)
    # Was 10; the region names in the heading are one more query, whatever the number of regions; the
    # "to do" block's certificates due one more (issue #15).
    with django_assert_max_num_queries(12):
        response = coordinator_client.get("/")
    assert response.status_code == 200
    assert response.context["figures"].contracts_ending_soon == rows


def _heading_and_queries(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1), len(queries)


def test_coordinator_heading_names_the_regions_with_one_query(client, world):
    client.force_login(world.coordinator)
    heading, queries_one_region = _heading_and_queries(client)
    assert "Ostwestfalen-Lippe" in heading

    # A coordinator of several regions sees them all, and the names still come from one query.
    f.CoordinationFactory(user=world.coordinator, region=world.siegen)
    heading, queries_two_regions = _heading_and_queries(client)
    assert "Ostwestfalen-Lippe, Siegen-Wittgenstein/Olpe" in heading
    assert queries_two_regions == queries_one_region
