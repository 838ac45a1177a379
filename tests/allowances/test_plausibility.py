"""Issue #12, point 3: a claim is checked against the month's logged work.

The decision page shows the month's consultations per day, the attended training sessions and the hours
beside what is claimed, with plausibility flags that never block and can be acknowledged with a note.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from allowances import rules
from allowances.models import AllowanceClaim, ClaimFlagAcknowledgement
from allowances.plausibility import FlagCode, flags, month_work
from audit.models import AuditEntry
from events.models import Attendance, Event
from lotsen.models import Lotse, LotseStatusChange
from tests import factories as f
from tests.auth import reauthenticate

MARCH = datetime.date(2025, 3, 1)
Status = AllowanceClaim.Status


def day(number: int) -> datetime.date:
    return MARCH.replace(day=number)


def at(date: datetime.date, hour: int = 18) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def consult(lotse, date, minutes=45, logged=None):
    """A consultation logged the same evening unless ``logged`` (a date) says otherwise."""
    return f.ConsultationFactory(
        lotse=lotse, date=date, duration_minutes=minutes, created_at=at(logged or date)
    )


def training(
    lotse, date, status=Attendance.Status.ATTENDED, hours="3.0", kind=Event.Kind.TRAINING, title=None
):
    event = f.EventFactory(
        region=lotse.region,
        kind=kind,
        title=title or f"Treffen {date:%d.%m.}",
        starts_at=at(date, 10),
        ends_at=at(date, 13),
        hours_credited=Decimal(hours),
    )
    return f.AttendanceFactory(event=event, lotse=lotse, status=status)


@pytest.fixture
def claim(world):
    """Lotse A's claim for March 2025 (submitted, 8 hours claimed unless a test says otherwise)."""
    return f.AllowanceClaimFactory(
        lotse=world.lotse_a, contract=world.contract, month=MARCH, hours=Decimal("8.0")
    )


def codes(claim) -> set[str]:
    claim.refresh_from_db()
    return {flag.code for flag in flags(claim, month_work(claim))}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- the month's work -------------------------------------------------------------------------------
def test_month_work_adds_up_per_day_and_matches_the_prefill(world, claim):
    lotse = world.lotse_a
    consult(lotse, day(3), 45), consult(lotse, day(3), 45), consult(lotse, day(3), 30)
    consult(lotse, day(10), 60)
    consult(lotse, datetime.date(2025, 4, 1), 60)  # next month
    consult(world.lotse_b, day(3), 60)  # another Lotse
    training(lotse, day(12), hours="3.0", title="Anerkennung")
    training(lotse, day(14), status=Attendance.Status.ABSENT)  # not attended: not counted
    training(lotse, day(15), kind=Event.Kind.CONFERENCE)  # not a training: not counted

    work = month_work(claim)

    assert [(d.date, d.consultations, d.minutes, d.hours) for d in work.days] == [
        (day(3), 3, 120, Decimal("2.0")),
        (day(10), 1, 60, Decimal("1.0")),
    ]
    assert [(t.title, t.date, t.hours) for t in work.trainings] == [("Anerkennung", day(12), Decimal("3.0"))]
    assert (work.consultations, work.consultation_hours, work.training_hours, work.total_hours) == (
        4,
        Decimal("3.0"),
        Decimal("3.0"),
        Decimal("6.0"),
    )
    assert work.activity == rules.month_work(lotse=lotse, month=MARCH)


def test_month_work_takes_a_constant_number_of_queries(world, claim, django_assert_max_num_queries):
    consult(world.lotse_a, day(3))
    with django_assert_max_num_queries(6):
        month_work(claim)
    for number in range(60):
        consult(
            world.lotse_a, day(1 + number % 28), logged=day(1 + number % 28) + datetime.timedelta(days=number)
        )
    with django_assert_max_num_queries(6):
        work = month_work(claim)
    assert work.consultations == 61


# -- flags, each at its boundary ------------------------------------------------------------------------
def test_more_hours_claimed_than_logged(world, claim):
    # 195 minutes are 3,3 hours (rounded half up, as the prefill rounds), plus a 3-hour training session
    consult(world.lotse_a, day(3), 100), consult(world.lotse_a, day(4), 95)
    training(world.lotse_a, day(12), hours="3.0")
    for claimed, raised in (("6.3", False), ("6.2", False), ("6.4", True)):
        AllowanceClaim.objects.filter(pk=claim.pk).update(hours=Decimal(claimed))
        assert (FlagCode.HOURS_ABOVE_LOGGED in codes(claim)) is raised, claimed
    AllowanceClaim.objects.filter(pk=claim.pk).update(hours=None)  # no hours claimed: nothing to compare
    assert FlagCode.HOURS_ABOVE_LOGGED not in codes(claim)


def test_hours_flag_names_the_figures(world, claim):
    consult(world.lotse_a, day(3), 438)
    with translation.override("de"):
        (flag,) = flags(claim, month_work(claim))
    assert flag.code == FlagCode.HOURS_ABOVE_LOGGED
    assert flag.detail.startswith("Abgerechnet 8 Std., erfasst 7,3 Std. (Beratungen 7,3 Std.")


@pytest.mark.parametrize(
    ("status", "raised"),
    [
        (Attendance.Status.ABSENT, True),
        (Attendance.Status.EXCUSED, True),
        (Attendance.Status.ATTENDED, False),
        (Attendance.Status.REGISTERED, False),
    ],
)
def test_consultations_on_a_day_marked_absent_at_an_event(world, claim, status, raised):
    AllowanceClaim.objects.filter(pk=claim.pk).update(hours=None)
    training(world.lotse_a, day(5), status=status, title="Qualifizierungstreffen März")
    consult(world.lotse_a, day(6))  # the day after: never flagged
    assert FlagCode.CONSULTATIONS_WHILE_AWAY not in codes(claim)
    consult(world.lotse_a, day(5))
    assert (FlagCode.CONSULTATIONS_WHILE_AWAY in codes(claim)) is raised
    if raised:
        with translation.override("de"):
            (flag,) = flags(claim, month_work(claim))
            label = Attendance.Status(status).label
            assert flag.detail == f"05.03.2025: 1 Beratung, aber „Qualifizierungstreffen März“: {label}"


def test_consultations_while_paused(world, claim):
    AllowanceClaim.objects.filter(pk=claim.pk).update(hours=None)
    lotse = world.lotse_a
    LotseStatusChange.objects.create(
        lotse=lotse, status=Lotse.Status.ACTIVE, effective_on=datetime.date(2014, 3, 1)
    )
    LotseStatusChange.objects.create(lotse=lotse, status=Lotse.Status.PAUSED, effective_on=day(20))
    LotseStatusChange.objects.create(lotse=lotse, status=Lotse.Status.ACTIVE, effective_on=day(25))
    consult(lotse, day(19)), consult(lotse, day(25))  # the day before the pause, the day back
    assert FlagCode.CONSULTATIONS_WHILE_AWAY not in codes(claim)
    consult(lotse, day(20))
    work = month_work(claim)
    assert [d.date for d in work.days if d.away] == [day(20)]
    assert FlagCode.CONSULTATIONS_WHILE_AWAY in codes(claim)


def test_more_than_the_set_number_of_consultations_a_day(world, claim, settings):
    AllowanceClaim.objects.filter(pk=claim.pk).update(hours=None)
    assert settings.CLAIM_FLAG_MAX_CONSULTATIONS_PER_DAY == 8  # the default
    settings.CLAIM_FLAG_MAX_CONSULTATIONS_PER_DAY = 3
    for _ in range(3):
        consult(world.lotse_a, day(7), 20)
    assert FlagCode.MANY_CONSULTATIONS_A_DAY not in codes(claim)
    consult(world.lotse_a, day(7), 20)
    assert FlagCode.MANY_CONSULTATIONS_A_DAY in codes(claim)


def test_entries_logged_long_after_the_fact(world, claim, settings):
    AllowanceClaim.objects.filter(pk=claim.pk).update(hours=None)
    assert settings.CLAIM_FLAG_LATE_ENTRY_DAYS == 14  # the default
    consult(world.lotse_a, day(2), logged=day(2) + datetime.timedelta(days=14))  # just in time
    assert FlagCode.LATE_ENTRIES not in codes(claim)
    consult(world.lotse_a, day(3), logged=day(3) + datetime.timedelta(days=15))
    consult(world.lotse_a, day(3), logged=day(3) + datetime.timedelta(days=20))
    consult(world.lotse_a, day(9), logged=day(9) + datetime.timedelta(days=30))
    with translation.override("en"):
        (flag,) = flags(claim, month_work(claim))
    assert flag.code == FlagCode.LATE_ENTRIES
    assert flag.detail.startswith("3 consultations were logged more than 14 days after")
    assert flag.detail.endswith("after they took place, on: 03/03/2025, 09/03/2025.")
    settings.CLAIM_FLAG_LATE_ENTRY_DAYS = 30
    assert FlagCode.LATE_ENTRIES not in codes(claim)


def test_a_claim_that_fits_raises_no_flag(world, claim):
    consult(world.lotse_a, day(3), 480)
    assert codes(claim) == set()


# -- the decision page ----------------------------------------------------------------------------
def test_the_page_shows_the_work_per_day_and_the_totals(coordinator_client, world, claim):
    consult(world.lotse_a, day(3), 45), consult(world.lotse_a, day(3), 30)
    consult(world.lotse_a, day(10), 60)
    training(world.lotse_a, day(12), hours="3.0", title="Qualifizierungstreffen Anerkennung")
    with translation.override("de"):
        page = coordinator_client.get(reverse("claims:detail", args=[claim.pk]), HTTP_ACCEPT_LANGUAGE="de")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Arbeit des Monats" in html
    assert "03.03.2025" in html and "10.03.2025" in html
    assert "Abgerechnet 8 Std. – erfasst 5,3 Std." in html
    assert "Qualifizierungstreffen Anerkennung" in html
    assert [(d.date, d.consultations, d.minutes) for d in page.context["work"].days] == [
        (day(3), 2, 75),
        (day(10), 1, 60),
    ]
    # 8 h claimed, 5,3 h logged: the flag is shown with its form, in words
    assert 'data-flag="hours_above_logged"' in html
    assert "Prüfen: Mehr Stunden abgerechnet als erfasst" in html
    assert reverse("claims:acknowledge_flag", args=[claim.pk]) in html


def test_the_page_takes_the_same_queries_with_1_or_60_consultations(
    coordinator_client, world, claim, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("claims:detail", args=[claim.pk])
    consult(world.lotse_a, day(3))
    with CaptureQueriesContext(connection) as one:
        assert coordinator_client.get(url).status_code == 200
    for number in range(59):
        consult(
            world.lotse_a,
            day(1 + number % 28),
            20,
            logged=day(1 + number % 28) + datetime.timedelta(days=number),
        )
    training(world.lotse_a, day(5), status=Attendance.Status.ABSENT)
    AllowanceClaim.objects.filter(pk=claim.pk).update(hours=Decimal("99.0"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = coordinator_client.get(url)
    assert page.context["work"].consultations == 60
    assert {item["flag"].code for item in page.context["flags"]} == {
        FlagCode.HOURS_ABOVE_LOGGED,
        FlagCode.CONSULTATIONS_WHILE_AWAY,
        FlagCode.LATE_ENTRIES,
    }


def test_approve_still_works_with_flags(coordinator_client, world, claim):
    consult(world.lotse_a, day(3), 30)  # 0,5 h logged, 8 h claimed
    assert FlagCode.HOURS_ABOVE_LOGGED in codes(claim)
    response = coordinator_client.post(reverse("claims:approve", args=[claim.pk]))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


# -- acknowledging a flag ---------------------------------------------------------------------------
def _acknowledge(client, claim, code=FlagCode.HOURS_ABOVE_LOGGED, note="Stunden mit der Lotsin besprochen."):
    return client.post(reverse("claims:acknowledge_flag", args=[claim.pk]), {"code": code, "note": note})


def test_the_coordinator_acknowledges_a_flag_with_a_note(coordinator_client, world, claim):
    response = _acknowledge(coordinator_client, claim)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("claims:detail", args=[claim.pk]))
    (ack,) = ClaimFlagAcknowledgement.objects.filter(claim=claim)
    assert (ack.code, ack.note, ack.acknowledged_by) == (
        FlagCode.HOURS_ABOVE_LOGGED,
        "Stunden mit der Lotsin besprochen.",
        world.coordinator,
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CLAIM_FLAG_ACKNOWLEDGED)
    assert entry.actor == world.coordinator and entry.target_id == str(claim.pk)
    assert entry.details == {"flag": "hours_above_logged"}  # the code, never the note
    html = coordinator_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Stunden mit der Lotsin besprochen." in html and "data-acknowledged" in html
    # once is enough: a second note is refused, the first stays
    _acknowledge(coordinator_client, claim, note="Noch einmal.")
    assert ClaimFlagAcknowledgement.objects.get(claim=claim).note == "Stunden mit der Lotsin besprochen."
    # the flag does not block the decision
    coordinator_client.post(reverse("claims:approve", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


def test_another_regions_coordinator_gets_404(other_coordinator_client, claim):
    assert _acknowledge(other_coordinator_client, claim).status_code == 404
    assert not ClaimFlagAcknowledgement.objects.exists()


def test_the_lotse_gets_403(lotse_client, claim):
    assert _acknowledge(lotse_client, claim).status_code == 403
    assert not ClaimFlagAcknowledgement.objects.exists()


def test_a_coordinator_never_acknowledges_on_their_own_claim(client, world, claim):
    f.CoordinationFactory(user=world.lotse_a.user, region=world.owl, handles_payments=True)
    client.force_login(world.lotse_a.user)
    reauthenticate(client)
    assert _acknowledge(client, claim).status_code == 403
    assert not ClaimFlagAcknowledgement.objects.exists()
    assert 'name="note"' not in client.get(reverse("claims:detail", args=[claim.pk])).content.decode()


def test_a_flag_the_claim_does_not_raise_cannot_be_acknowledged(coordinator_client, world, claim):
    consult(world.lotse_a, day(3), 480)  # 8 h logged, 8 h claimed: no flag
    for code in (FlagCode.HOURS_ABOVE_LOGGED, FlagCode.LATE_ENTRIES, "made_up"):
        response = _acknowledge(coordinator_client, claim, code=code)
        assert response.status_code == 302
        assert messages_of(response)
    assert not ClaimFlagAcknowledgement.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CLAIM_FLAG_ACKNOWLEDGED).exists()


@pytest.mark.parametrize("note", ["", "   ", "<b>ok</b>", "x" * 501])
def test_the_note_is_required_plain_and_short(coordinator_client, claim, note):
    response = _acknowledge(coordinator_client, claim, note=note)
    assert response.status_code == 200
    assert response.context["flags"][0]["form"].errors["note"]
    assert 'class="error"' in response.content.decode()
    assert not ClaimFlagAcknowledgement.objects.exists()


def test_the_acknowledgement_goes_with_the_claim(coordinator_client, claim):
    _acknowledge(coordinator_client, claim)
    assert ClaimFlagAcknowledgement.objects.count() == 1
    AllowanceClaim.objects.filter(pk=claim.pk).delete()
    assert not ClaimFlagAcknowledgement.objects.exists()
