"""The participant list of an event (issue #13): Lotsen and guests together, filters in the URL, constant
queries, CSV/XLSX with the same filters and an audit entry per export."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import Action
from events.models import Attendance, EventSession
from tests import factories as f
from tests.events.helpers import make_guest


@pytest.fixture
def door(world):
    """The OWL event with two workshops, Lotse A and B registered, and guests of several kinds."""
    event = world.event
    start = event.starts_at
    ws1 = EventSession.objects.create(
        event=event,
        number=1,
        title="Anerkennung",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=1),
    )
    ws2 = EventSession.objects.create(
        event=event,
        number=2,
        title="Migrantenorganisationen",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=1),
    )
    Attendance.objects.filter(pk=world.attendance.pk).update(session=ws1)
    f.AttendanceFactory(event=event, lotse=world.lotse_b, session=ws2)
    guests = {
        "gulcan": make_guest(event, "Gülcan Yıldız", session=ws1, kind="jobcenter"),
        "boris": make_guest(event, "Boris Ivanov", session=ws2, kind="mo", organisation="Verein Dialog e.V."),
        "waiting": make_guest(event, "Wanda Wartend", status="waiting", kind="ki"),
        "formula": make_guest(event, "=HYPERLINK(1)", kind="counselling"),
    }
    return world, event, ws1, ws2, guests


def _names(response):
    return [row.name for row in response.context["participants"]]


def test_lotsen_and_guests_in_one_list_sorted_by_name(coordinator_client, door):
    world, event, *_ = door
    response = coordinator_client.get(reverse("events:participants", args=[event.pk]))
    assert response.status_code == 200
    names = _names(response)
    assert names == sorted(names, key=str.casefold)
    assert {"Ayşe Güllüoğlu", "Mehmet Şahin", "Gülcan Yıldız", "Boris Ivanov", "Wanda Wartend"} <= set(names)
    html = response.content.decode()
    assert "Ostwestfalen-Lippe" in html  # a Lotse's region in the organisation column
    assert "Verein Dialog e.V." in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "gül"}, {"Ayşe Güllüoğlu", "Gülcan Yıldız"}),
        ({"kind": "lotse"}, {"Ayşe Güllüoğlu", "Mehmet Şahin"}),
        ({"kind": "mo"}, {"Boris Ivanov"}),
        ({"status": "guest:waiting"}, {"Wanda Wartend"}),
        ({"status": "lotse:registered"}, {"Ayşe Güllüoğlu", "Mehmet Şahin"}),
    ],
)
def test_filters_in_the_url(coordinator_client, door, query, expected):
    world, event, *_ = door
    response = coordinator_client.get(reverse("events:participants", args=[event.pk]), query)
    assert set(_names(response)) == expected


def test_workshop_and_checked_in_filters(coordinator_client, door):
    world, event, ws1, ws2, guests = door
    url = reverse("events:participants", args=[event.pk])
    assert set(_names(coordinator_client.get(url, {"workshop": ws2.pk}))) == {"Mehmet Şahin", "Boris Ivanov"}
    guests["gulcan"].checked_in_at = timezone.now()
    guests["gulcan"].save()
    assert _names(coordinator_client.get(url, {"checked_in": "yes"})) == ["Gülcan Yıldız"]
    assert "Gülcan Yıldız" not in _names(coordinator_client.get(url, {"checked_in": "no"}))


def test_an_unreadable_filter_shows_nothing_and_the_error(coordinator_client, door):
    world, event, *_ = door
    response = coordinator_client.get(reverse("events:participants", args=[event.pk]), {"kind": "nonsense"})
    assert _names(response) == []
    assert response.context["filter"].form.errors


def test_constant_queries(coordinator_client, door, django_assert_max_num_queries):
    world, event, ws1, *_ = door
    url = reverse("events:participants", args=[event.pk])
    coordinator_client.get(url)
    with django_assert_max_num_queries(16) as few:
        coordinator_client.get(url)
    for i in range(30):
        make_guest(event, f"Gast {i}", session=ws1)
        f.AttendanceFactory(event=event, lotse=f.LotseFactory(region=world.owl), session=ws1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = coordinator_client.get(url)
    assert len(response.context["participants"]) == 50  # a page


def test_guests_of_another_region_are_not_listed(other_coordinator_client, door):
    world, event, *_ = door
    assert other_coordinator_client.get(reverse("events:participants", args=[event.pk])).status_code == 404


def test_csv_export_with_filters_and_audit_entry(coordinator_client, door):
    world, event, *_ = door
    response = coordinator_client.get(
        reverse("events:participants_csv", args=[event.pk]), {"kind": "jobcenter"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="teilnehmende-{event.pk}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    text = response.content.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0] == (
        "Name;Organisation / Region;Art der Einrichtung;Workshop;Status;Eingecheckt;"
        "Barrierefreiheit / Ernährung"
    )
    row = "Gülcan Yıldız;Jobcenter Bielefeld;Jobcenter;Workshop 1: Anerkennung;{};nein;"
    assert lines[1:] in ([row.format("bestätigt")], [row.format("confirmed")])
    entry = AuditEntry.objects.get(action=Action.EXPORT_PERSONAL)
    assert entry.actor == world.coordinator
    assert entry.details["export"] == "event_participants"
    assert entry.details["rows"] == 1
    assert entry.region_id == world.owl.pk


def test_csv_export_guards_formulas(coordinator_client, door):
    world, event, *_ = door
    response = coordinator_client.get(
        reverse("events:participants_csv", args=[event.pk]), {"kind": "counselling"}
    )
    assert "\n'=HYPERLINK(1);" in response.content.decode("utf-8-sig")


def test_xlsx_export(coordinator_client, door):
    from openpyxl import load_workbook

    world, event, *_ = door
    response = coordinator_client.get(reverse("events:participants_xlsx", args=[event.pk]), {"kind": "lotse"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Name"
    assert [row[0] for row in rows[1:]] == ["Ayşe Güllüoğlu", "Mehmet Şahin"]
    assert rows[1][1] == "Ostwestfalen-Lippe"
    entry = AuditEntry.objects.get(action=Action.EXPORT_PERSONAL)
    assert (entry.details["format"], entry.details["rows"]) == ("xlsx", 2)


def test_programme_wide_event_is_for_staff(client, world):
    make_guest(world.programme_event, "Gast Landesweit")
    url = reverse("events:participants", args=[world.programme_event.pk])
    client.force_login(world.coordinator)
    assert client.get(url).status_code == 403
    client.force_login(world.staff)
    assert _names(client.get(url)) == ["Gast Landesweit"]


def test_the_guests_needs_are_in_the_list_and_the_exports(coordinator_client, door):
    """A guest's accessibility or dietary needs were asked for; those who run the event see them."""
    from openpyxl import load_workbook

    world, event, ws1, ws2, guests = door
    guests["boris"].needs = "Rollstuhl; vegetarisches Essen"
    guests["boris"].save(update_fields=["needs"])
    html = coordinator_client.get(reverse("events:participants", args=[event.pk])).content.decode()
    assert "Rollstuhl; vegetarisches Essen" in html
    csv_text = coordinator_client.get(
        reverse("events:participants_csv", args=[event.pk]), {"kind": "mo"}
    ).content.decode("utf-8-sig")
    assert csv_text.strip().split("\r\n")[1].endswith(';"Rollstuhl; vegetarisches Essen"')
    response = coordinator_client.get(reverse("events:participants_xlsx", args=[event.pk]), {"kind": "mo"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][6] == "Barrierefreiheit / Ernährung"
    assert rows[1][6] == "Rollstuhl; vegetarisches Essen"
