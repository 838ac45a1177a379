"""What a claim can be checked against: the Lotse's logged work of the claim's month, and plausibility flags.

A selector module (reads only). The coordinator who decides a claim sees, beside what is claimed, the
month's consultations per day (count and minutes, never a client's profile: that is the audited
``claims:consultations`` page), the attended training sessions and the hours, and flags where the two do not
fit together:

* more hours claimed than logged (consultations and attended training sessions, as ``allowances.rules``
  counts and rounds them for the prefill and the claim form: ``rules.month_work``, ``rules.max_hours``);
* consultations on a day the Lotse was away: marked absent or excused at an event that day, or paused (or
  left) according to their status history (``LotseStatusChange``) – either means "not working that day";
* more than ``CLAIM_FLAG_MAX_CONSULTATIONS_PER_DAY`` consultations on one day;
* consultations logged more than ``CLAIM_FLAG_LATE_ENTRY_DAYS`` days after the day they took place
  (local calendar days between the consultation's date and the day it was logged).

Flags never block a decision: they are shown, and a coordinator can acknowledge one with a note
(``allowances.services.flags.acknowledge_flag``). The figures are the Lotse's, whichever region a
consultation was logged in, as in the claim's prefill: counts and minutes only, nothing about a client.
Queries: a constant handful, whatever the number of consultations (they are aggregated per day in the
database).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from allowances import rules
from allowances.models import AllowanceClaim, ClaimFlagAcknowledgement
from events.models import Attendance
from lotsen.models import Consultation, Lotse, LotseStatusChange, minutes_as_hours
from portal.dates import first_of_month, last_of_month
from portal.templatetags.portal import hours as format_hours

#: Status-history states in which a Lotse does not work: consultations on such a day are flagged.
AWAY_STATUSES = (Lotse.Status.PAUSED, Lotse.Status.LEFT)
#: Event attendance states that say the Lotse was not there that day.
AWAY_ATTENDANCE = (Attendance.Status.ABSENT, Attendance.Status.EXCUSED)


class FlagCode(models.TextChoices):
    HOURS_ABOVE_LOGGED = "hours_above_logged", gettext_lazy("More hours claimed than logged")
    CONSULTATIONS_WHILE_AWAY = (
        "consultations_while_away",
        gettext_lazy("Consultations on a day marked absent"),
    )
    MANY_CONSULTATIONS_A_DAY = "many_consultations_a_day", gettext_lazy("Many consultations on one day")
    LATE_ENTRIES = "late_entries", gettext_lazy("Consultations logged long after the fact")


@dataclass(frozen=True)
class Flag:
    code: str
    #: what is odd, in a few words (the flag's title)
    message: str
    #: the figures and days behind it
    detail: str


@dataclass(frozen=True)
class DayWork:
    date: datetime.date
    consultations: int
    minutes: int
    #: consultations of this day logged more than CLAIM_FLAG_LATE_ENTRY_DAYS later
    late: int = 0
    #: why the Lotse counts as away that day (absent/excused at an event, paused); empty if not away
    away: tuple[str, ...] = ()

    @property
    def hours(self) -> Decimal:
        return minutes_as_hours(self.minutes)


@dataclass(frozen=True)
class TrainingWork:
    title: str
    date: datetime.date
    hours: Decimal


@dataclass(frozen=True)
class ClaimWork:
    """The month's logged work as the decision page shows it: per day, per training, and the totals."""

    month: datetime.date
    #: days with at least one consultation, in date order
    days: list[DayWork]
    trainings: list[TrainingWork]
    #: the totals, exactly as the rules (and so the claim's prefill and form) count and round them
    activity: rules.MonthWork
    late_entry_days: int = field(default=0)

    @property
    def consultations(self) -> int:
        return self.activity.consultations

    @property
    def consultation_hours(self) -> Decimal:
        return self.activity.consultation_hours

    @property
    def training_hours(self) -> Decimal:
        return self.activity.training_hours

    @property
    def total_hours(self) -> Decimal:
        return self.activity.logged_hours


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    starts = datetime.datetime.combine(month, datetime.time.min, tzinfo=tz)
    ends = datetime.datetime.combine(
        last_of_month(month) + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return starts, ends


def _status_on(history: list[tuple[datetime.date, str]], day: datetime.date) -> str | None:
    """The status in force on ``day`` (the last change effective on or before it), None before the first."""
    status = None
    for effective_on, changed_to in history:
        if effective_on > day:
            break
        status = changed_to
    return status


def _away_reasons(lotse_id: int, month: datetime.date, days: set[datetime.date]) -> dict:
    """For the given days of the month: why the Lotse was away, as short texts per day (two queries)."""
    reasons: dict[datetime.date, list[str]] = defaultdict(list)
    if not days:
        return reasons
    starts, ends = _month_bounds(month)
    absences = (
        Attendance.objects.filter(
            lotse_id=lotse_id,
            status__in=AWAY_ATTENDANCE,
            event__starts_at__lt=ends,
            event__ends_at__gt=starts,
        )
        .order_by("event__starts_at")
        .values_list("status", "event__title", "event__starts_at", "event__ends_at")
    )
    for status, title, event_starts, event_ends in absences:
        first_day = timezone.localdate(event_starts)
        last_day = timezone.localdate(event_ends - datetime.timedelta(microseconds=1))
        label = Attendance.Status(status).label
        for day in days:
            if first_day <= day <= last_day:
                reasons[day].append(_("%(status)s at “%(event)s”") % {"status": label, "event": title})
    history = list(
        LotseStatusChange.objects.filter(lotse_id=lotse_id, effective_on__lte=last_of_month(month))
        .order_by("effective_on", "changed_at", "pk")
        .values_list("effective_on", "status")
    )
    for day in days:
        status = _status_on(history, day)
        if status in AWAY_STATUSES:
            reasons[day].append(_("status: %(status)s") % {"status": Lotse.Status(status).label})
    return reasons


def month_work(claim: AllowanceClaim) -> ClaimWork:
    """The Lotse's logged work in the claim's month: consultations per day, attended training sessions and
    the totals (six queries, whatever the number of consultations)."""
    month = first_of_month(claim.month)
    late_after = datetime.timedelta(days=settings.CLAIM_FLAG_LATE_ENTRY_DAYS)
    # Grouped by the day of the consultation and the (local) day it was logged: the database adds up, and
    # the few groups tell how many entries of a day came late.
    groups = (
        Consultation.objects.filter(lotse_id=claim.lotse_id)
        .in_month(month)
        .annotate(logged_on=TruncDate("created_at"))
        .order_by()
        .values("date", "logged_on")
        .annotate(count=Count("pk"), minutes=Sum("duration_minutes"))
    )
    per_day: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for group in groups:
        figures = per_day[group["date"]]
        figures[0] += group["count"]
        figures[1] += group["minutes"] or 0
        if group["logged_on"] is not None and group["logged_on"] - group["date"] > late_after:
            figures[2] += group["count"]
    away = _away_reasons(claim.lotse_id, month, set(per_day))
    days = [
        DayWork(
            date=day,
            consultations=count,
            minutes=minutes,
            late=late,
            away=tuple(away.get(day, ())),
        )
        for day, (count, minutes, late) in sorted(per_day.items())
    ]
    starts, ends = _month_bounds(month)
    trainings = [
        TrainingWork(title=title, date=timezone.localdate(event_starts), hours=hours or Decimal("0"))
        for title, event_starts, hours in Attendance.objects.attended_trainings()
        .filter(lotse_id=claim.lotse_id, event__starts_at__gte=starts, event__starts_at__lt=ends)
        .order_by("event__starts_at", "pk")
        .values_list("event__title", "event__starts_at", "event__hours_credited")
    ]
    return ClaimWork(
        month=month,
        days=days,
        trainings=trainings,
        activity=rules.month_work(lotse=claim.lotse, month=month),
        late_entry_days=settings.CLAIM_FLAG_LATE_ENTRY_DAYS,
    )


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _hours(value: Decimal) -> str:
    # "7,3" / "8": the short form of the |hours filter, in the active language
    return format_hours(value)


def flags(claim: AllowanceClaim, work: ClaimWork) -> list[Flag]:
    """The plausibility flags of the claim against the month's logged work (no query)."""
    found = []
    # The claim form refuses more hours than logged (rules.max_hours); a submitted claim can still end up
    # above them when consultations are changed or deleted afterwards, or for claims from before the rule.
    if claim.hours is not None and claim.hours > rules.max_hours(work.activity):
        found.append(
            Flag(
                FlagCode.HOURS_ABOVE_LOGGED,
                str(FlagCode.HOURS_ABOVE_LOGGED.label),
                _(
                    "Claimed %(claimed)s h, logged %(logged)s h (consultations %(consultations)s h, "
                    "training sessions %(trainings)s h)."
                )
                % {
                    "claimed": _hours(claim.hours),
                    "logged": _hours(work.total_hours),
                    "consultations": _hours(work.consultation_hours),
                    "trainings": _hours(work.training_hours),
                },
            )
        )
    away = [day for day in work.days if day.away]
    if away:
        found.append(
            Flag(
                FlagCode.CONSULTATIONS_WHILE_AWAY,
                str(FlagCode.CONSULTATIONS_WHILE_AWAY.label),
                "; ".join(
                    ngettext(
                        "%(day)s: %(count)s consultation, but %(reasons)s",
                        "%(day)s: %(count)s consultations, but %(reasons)s",
                        day.consultations,
                    )
                    % {"day": _day(day.date), "count": day.consultations, "reasons": ", ".join(day.away)}
                    for day in away
                ),
            )
        )
    limit = settings.CLAIM_FLAG_MAX_CONSULTATIONS_PER_DAY
    busy = [day for day in work.days if day.consultations > limit]
    if busy:
        found.append(
            Flag(
                FlagCode.MANY_CONSULTATIONS_A_DAY,
                str(FlagCode.MANY_CONSULTATIONS_A_DAY.label),
                _("More than %(limit)s consultations a day: %(days)s.")
                % {
                    "limit": limit,
                    "days": ", ".join(f"{_day(day.date)} ({day.consultations})" for day in busy),
                },
            )
        )
    late = [day for day in work.days if day.late]
    if late:
        count = sum(day.late for day in late)
        found.append(
            Flag(
                FlagCode.LATE_ENTRIES,
                str(FlagCode.LATE_ENTRIES.label),
                ngettext(
                    "%(count)s consultation was logged more than %(days)s days after it took place, on: "
                    "%(dates)s.",
                    "%(count)s consultations were logged more than %(days)s days after they took place, on: "
                    "%(dates)s.",
                    count,
                )
                % {
                    "count": count,
                    "days": work.late_entry_days,
                    "dates": ", ".join(_day(day.date) for day in late),
                },
            )
        )
    return found


@dataclass(frozen=True)
class FlagView:
    """A raised flag and, once a coordinator has acknowledged it, the acknowledgement."""

    flag: Flag
    acknowledgement: ClaimFlagAcknowledgement | None


def flags_with_acknowledgements(claim: AllowanceClaim, raised: list[Flag]) -> list[FlagView]:
    """Pair the raised flags with their acknowledgements (one query)."""
    acknowledged = {
        ack.code: ack
        for ack in ClaimFlagAcknowledgement.objects.filter(claim_id=claim.pk).select_related(
            "acknowledged_by"
        )
    }
    return [FlagView(flag=flag, acknowledgement=acknowledged.get(flag.code)) for flag in raised]


def raised_codes(claim: AllowanceClaim) -> set[str]:
    """The codes of the flags the claim raises now (for the acknowledgement service)."""
    return {flag.code for flag in flags(claim, month_work(claim))}
