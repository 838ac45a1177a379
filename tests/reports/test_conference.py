"""The conference figures in the programme report (issue #13): public events in the period, registered
(confirmed guests and Lotsen holding a place) and checked in, by kind of institution."""

import datetime

from django.urls import reverse
from django.utils import timezone

from events.models import Attendance
from tests import factories as f
from tests.events.helpers import make_guest

YEAR = 2025


def _conference(client, **params):
    response = client.get(reverse("reports:index"), {"period": "year", "year": YEAR, **params})
    assert response.status_code == 200
    table = response.context["report"].tables["conference"]
    return {row.label: row.values for row in table.all_rows}, response


def _public_event(region, starts_year=YEAR, **extra):
    starts = timezone.make_aware(datetime.datetime(starts_year, 12, 16, 10))
    return f.EventFactory(
        region=region,
        kind="conference",
        is_public=True,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=6),
        **extra,
    )


def test_conference_figures(client, world, django_assert_max_num_queries):
    owl_conference = _public_event(world.owl)
    make_guest(owl_conference, "Jobcenter Eins", kind="jobcenter", checked_in_at=timezone.now())
    make_guest(owl_conference, "Jobcenter Zwei", kind="jobcenter")
    make_guest(owl_conference, "Verein", kind="mo", checked_in_at=timezone.now())
    make_guest(owl_conference, "Wartend", kind="mo", status="waiting")  # no place: not counted
    make_guest(owl_conference, "Abgesagt", kind="ki", status="cancelled", email="x@example.org")
    f.AttendanceFactory(event=owl_conference, lotse=world.lotse_a, status=Attendance.Status.ATTENDED)
    f.AttendanceFactory(event=owl_conference, lotse=world.lotse_b, status=Attendance.Status.EXCUSED)
    # registered and did not come: counted as registered, like a confirmed guest who did not come
    absent = f.LotseFactory(region=world.owl)
    f.AttendanceFactory(event=owl_conference, lotse=absent, status=Attendance.Status.ABSENT)
    # not counted: a non-public event, a public event of another year, another region's public event
    make_guest(
        f.EventFactory(region=world.owl, starts_at=owl_conference.starts_at, ends_at=owl_conference.ends_at),
        "Intern",
    )
    make_guest(_public_event(world.owl), "Noch einer")  # a second OWL conference in the year
    make_guest(_public_event(world.owl, starts_year=YEAR - 1), "Letztes Jahr")
    siegen = _public_event(world.siegen)
    make_guest(siegen, "Siegener Gast", kind="jobcenter")

    client.force_login(world.coordinator)
    rows, response = _conference(client)
    values = list(rows.values())
    # Lotsen first, then the kinds of institution, then the total
    assert values[0] == [2, 1]  # Lotse A attended, one absent; Lotse B excused is no place
    by_kind = dict(zip(list(rows)[1:-1], values[1:-1], strict=True))
    assert list(by_kind.values())[0] == [3, 1]  # Jobcenter: two at the conference + "Noch einer"
    assert list(by_kind.values())[4] == [1, 1]  # the migrant organisation; the waiting guest is no place
    assert values[-1] == [2 + 3 + 1, 3]
    assert "Siegener" not in response.content.decode()

    client.force_login(world.staff)
    rows, _ = _conference(client)
    assert list(rows.values())[1] == [4, 1]  # staff over all regions: the Siegen guest too


def test_conference_figures_in_constant_queries(client, world, django_assert_max_num_queries):
    conference = _public_event(world.owl)
    client.force_login(world.coordinator)
    _conference(client)
    with django_assert_max_num_queries(60) as few:
        _conference(client)
    for i in range(20):
        make_guest(conference, f"Gast {i}", kind="ki", checked_in_at=timezone.now())
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows, _ = _conference(client)
    assert list(rows.values())[-1] == [20, 20]
