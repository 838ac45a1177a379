"""Programme staff search the audit trail by person, object, action, date and region, and export it; a
coordinator sees their region's entries only; a Lotse gets 403."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import Action, record
from tests import factories as f

URL = reverse("audit:list")


@pytest.fixture
def trail(world):
    """An OWL entry about Lotse A, a Siegen entry, and a login (no region), at known times."""
    owl = record(Action.VIEW_IBAN, actor=world.coordinator, target=world.lotse_a, page="lotsen:detail")
    siegen = record(Action.STATUS, actor=world.other_coordinator, target=world.lotse_siegen, status="paused")
    login = record(Action.LOGIN, actor=world.staff, target=world.staff)
    return {"owl": owl, "siegen": siegen, "login": login}


def shown(response) -> list[int]:
    assert response.status_code == 200
    return [entry.pk for entry in response.context["entries"]]


def test_staff_see_every_entry_and_a_lotse_gets_403(client, world, trail):
    client.force_login(world.staff)
    assert sorted(shown(client.get(URL))) == sorted(e.pk for e in trail.values())
    client.force_login(world.lotse_a.user)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("audit:export_csv")).status_code == 403


def test_a_coordinator_sees_only_their_regions_entries(client, world, trail):
    client.force_login(world.other_coordinator)
    page = client.get(URL)
    assert shown(page) == [trail["siegen"].pk]
    assert "Güllüoğlu" not in page.content.decode()
    client.force_login(world.coordinator)
    assert shown(client.get(URL)) == [trail["owl"].pk]


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"person": "coordinator.owl"}, ["owl"]),
        ({"person": "Sven Sieg"}, ["siegen"]),
        ({"action": "login"}, ["login"]),
        ({"target_type": "lotsen.lotse"}, ["owl", "siegen"]),
        ({"target_type": "lotsen.lotse", "target_id": "LOTSE_A"}, ["owl"]),
        ({"subject": "LOTSE_A"}, ["owl"]),
        ({"region": "SIEGEN"}, ["siegen"]),
    ],
)
def test_staff_filter_by_person_object_action_subject_and_region(client, world, trail, query, expected):
    replace = {"LOTSE_A": str(world.lotse_a.pk), "SIEGEN": str(world.siegen.pk)}
    query = {key: replace.get(value, value) for key, value in query.items()}
    client.force_login(world.staff)
    assert sorted(shown(client.get(URL, query))) == sorted(trail[name].pk for name in expected)


def test_staff_filter_by_date(client, world):
    client.force_login(world.staff)
    today = timezone.localdate()
    recent = record(Action.LOGIN, actor=world.staff)
    old = AuditEntry.objects.create(
        action=Action.LOGIN, actor=world.staff, at=timezone.now() - datetime.timedelta(days=40)
    )
    since = (today - datetime.timedelta(days=7)).isoformat()
    until = (today - datetime.timedelta(days=30)).isoformat()
    assert shown(client.get(URL, {"date_from": since})) == [recent.pk]
    assert shown(client.get(URL, {"date_to": until})) == [old.pk]


def test_an_unreadable_filter_shows_its_error_and_no_entries(client, world, trail):
    client.force_login(world.staff)
    response = client.get(URL, {"date_from": "9999-01-01", "action": "made_up"})
    assert shown(response) == []
    assert response.context["filter"].form.errors


def test_the_siegen_coordinator_cannot_filter_their_way_to_owl(client, world, trail):
    client.force_login(world.other_coordinator)
    assert shown(client.get(URL, {"subject": world.lotse_a.pk})) == []
    assert shown(client.get(URL, {"target_type": "lotsen.lotse", "target_id": world.lotse_a.pk})) == []


@pytest.mark.parametrize("count", [1, 60])
def test_the_list_runs_constant_queries(client, world, django_assert_max_num_queries, count):
    for _ in range(count):
        record(Action.VIEW_IBAN, actor=world.coordinator, target=f.LotseFactory(region=world.owl))
    client.force_login(world.staff)
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert len(response.context["entries"]) == min(count, 50)


def test_the_export_is_scoped_and_leaves_its_own_entry(client, world, trail):
    client.force_login(world.coordinator)
    response = client.get(reverse("audit:export_csv"), {"action": "view_iban"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("Zeitpunkt;Person;E-Mail;Aktion")
    assert len(lines) == 2 and "coordinator.owl@example.org" in lines[1] and "lotsen.lotse" in lines[1]
    assert "Siegmann" not in text and "Смирнова" not in text
    export = AuditEntry.objects.get(action=Action.EXPORT_PERSONAL)
    assert (export.actor, export.region) == (world.coordinator, world.owl)
    assert export.details == {"export": "audit_trail", "format": "csv", "rows": 1, "full_ibans": 0}


def test_staff_and_coordinators_find_the_trail_in_the_navigation(client, world):
    for user, present in ((world.staff, True), (world.coordinator, True), (world.lotse_a.user, False)):
        client.force_login(user)
        assert (f'href="{URL}"' in client.get(reverse("dashboard")).content.decode()) is present
