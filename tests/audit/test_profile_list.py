"""A Lotse sees on their profile who accessed their bank data and when."""

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from audit.services import Action, record
from tests.auth import reauthenticate

URL = reverse("me:profile")


def test_the_lotse_sees_who_saw_their_full_iban_with_name_role_and_time(client, world):
    client.force_login(world.coordinator)
    reauthenticate(client)
    client.get(reverse("lotsen:detail", args=[world.lotse_a.pk]))
    client.force_login(world.lotse_a.user)
    response = client.get(URL)
    rows = response.context["bank_data_access"]
    assert [(e.actor, e.action) for e in rows] == [(world.coordinator, Action.VIEW_IBAN)]
    html = response.content.decode()
    assert "<bdi>Claudia Koordinat</bdi> (Koordination)" in html  # German UI by default
    assert formats.date_format(timezone.localtime(rows[0].at), "SHORT_DATETIME_FORMAT") in html


def test_changes_and_exports_are_listed_other_actions_and_other_lotsen_are_not(client, world):
    record(Action.BANK_DATA_CHANGED, actor=world.coordinator, target=world.lotse_a, fields=["iban"])
    record(Action.VIEW_IBAN, actor=world.staff, target=world.lotse_a, page="claims_to_pay", format="csv")
    record(Action.CLAIM_DECIDED, actor=world.coordinator, target=world.claim, decision="approved")
    record(Action.VIEW_IBAN, actor=world.coordinator, target=world.lotse_b, page="lotsen:detail")
    client.force_login(world.lotse_a.user)
    rows = client.get(URL).context["bank_data_access"]
    assert [(e.actor, e.action, str(e.actor_role_label)) for e in rows] == [
        (world.staff, Action.VIEW_IBAN, "Programmbüro"),
        (world.coordinator, Action.BANK_DATA_CHANGED, "Koordination"),
    ]
    client.force_login(world.lotse_b.user)
    rows = client.get(URL).context["bank_data_access"]
    assert [(e.actor, e.subject) for e in rows] == [(world.coordinator, world.lotse_b)]


def test_without_entries_the_profile_says_so(client, world):
    client.force_login(world.lotse_a.user)
    response = client.get(URL)
    assert response.context["bank_data_access"] == []


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_costs_one_query_whatever_its_length(client, world, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(count):
        record(Action.VIEW_IBAN, actor=world.coordinator, target=world.lotse_a, page="lotsen:detail")
    client.force_login(world.lotse_a.user)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    audit_queries = [q for q in queries.captured_queries if "audit_auditentry" in q["sql"]]
    assert len(audit_queries) == 1
