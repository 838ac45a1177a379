"""Reads about Lotsen that are more than one queryset line: the coordinator dashboard, activity figures,
the consultation summary of one Lotse. Every read starts from ``visible_to(user)``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from allowances.models import AllowanceClaim, Contract
from events.models import Attendance, Event
from events.selectors import training_hours_subquery
from lotsen.models import TOPIC_FIELDS, Consultation, Lotse, Topic
from organisations.models import Organisation
from portal.dates import previous_month

#: The dashboard's window for "contracts ending soon".
CONTRACTS_ENDING_WITHIN_DAYS = 30


# -- Lotsen with their activity ----------------------------------------------------------------------
def _count_subquery(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of a per-Lotse subquery, 0 when there is no row (no join, so no row multiplication)."""
    counted = queryset.order_by().values("lotse").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_activity(lotsen: QuerySet, *, user) -> QuerySet:
    """Annotate consultations, trainings attended and training hours per Lotse in the same query.

    Correlated subqueries instead of joins: two joined aggregates would multiply each other's rows.
    Consultations are counted as the user may see them (they are scoped by the region they were logged in).
    """
    consultations = Consultation.objects.visible_to(user).filter(lotse=OuterRef("pk"))
    trainings = Attendance.objects.attended_trainings().filter(lotse=OuterRef("pk"))
    return lotsen.annotate(
        consultations_count=_count_subquery(consultations),
        trainings_attended=_count_subquery(trainings),
        training_hours=training_hours_subquery("pk"),
    )


def with_contract_state(lotsen: QuerySet) -> QuerySet:
    """Annotate whether a Lotse has an active contract and when it ends (for lists and filters)."""
    active = Contract.objects.filter(lotse=OuterRef("pk"), status=Contract.Status.ACTIVE)
    return lotsen.annotate(
        has_active_contract=Exists(active),
        active_contract_ends_on=Subquery(active.values("ends_on")[:1]),
    )


# -- one Lotse's consultations (counts only: need to know) -------------------------------------------
def consultations_by_month(lotse: Lotse, *, user, months: int = 12) -> list[dict]:
    """Counts per calendar month for the last ``months`` months, newest first, of the consultations ``user``
    may see (they are scoped by the region they were logged in): in total, minutes, and per mode and topic.

    One query (conditional aggregation). Never a client profile: the record-level list is shown only for the
    plausibility check of a claim (``claims:consultations``), where a task needs it, and recorded there.
    """
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = previous_month(first)
    per_category = {f"n_mode_{mode}": Count("pk", filter=Q(mode=mode)) for mode in Consultation.Mode.values}
    per_category |= {
        f"n_topic_{topic}": Count("pk", filter=Q(**{field: True})) for topic, field in TOPIC_FIELDS.items()
    }
    rows = (
        Consultation.objects.visible_to(user)
        .filter(lotse=lotse, date__gte=first)
        .order_by()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(count=Count("pk"), minutes=Sum("duration_minutes"), **per_category)
        .order_by("-month")
    )
    return [
        {
            "month": row["month"],
            "count": row["count"],
            "minutes": row["minutes"],
            "modes": [
                (label, row[f"n_mode_{mode}"])
                for mode, label in Consultation.Mode.choices
                if row[f"n_mode_{mode}"]
            ],
            "topics": [
                (label, row[f"n_topic_{topic}"]) for topic, label in Topic.choices if row[f"n_topic_{topic}"]
            ],
        }
        for row in rows
    ]


# -- dashboard ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DashboardFigures:
    today: datetime.date
    active_lotsen: int
    lotsen_without_login: int
    organisations_involved: int
    claims_waiting: int
    consultations_this_month: int
    consultations_this_year: int
    contracts_ending_soon: int
    upcoming_events: list

    @property
    def month_start(self) -> datetime.date:
        return self.today.replace(day=1)

    @property
    def year_start(self) -> datetime.date:
        return self.today.replace(month=1, day=1)

    @property
    def contracts_ending_within(self) -> int:
        return CONTRACTS_ENDING_WITHIN_DAYS


def dashboard_figures(user, *, upcoming_events: int = 5) -> DashboardFigures:
    """The coordinator's and programme staff's start-page figures: six queries whatever the data."""
    today = timezone.localdate()
    lotsen = Lotse.objects.visible_to(user).aggregate(
        active=Count("pk", filter=Q(status=Lotse.Status.ACTIVE)),
        without_login=Count("pk", filter=Q(user__isnull=True)),
    )
    consultations = (
        Consultation.objects.visible_to(user)
        .filter(date__year=today.year, date__lte=today)
        .aggregate(year=Count("pk"), month=Count("pk", filter=Q(date__month=today.month)))
    )
    ending_by = today + datetime.timedelta(days=CONTRACTS_ENDING_WITHIN_DAYS)
    return DashboardFigures(
        today=today,
        active_lotsen=lotsen["active"],
        lotsen_without_login=lotsen["without_login"],
        organisations_involved=Organisation.objects.visible_to(user)
        .filter(cooperation_status=Organisation.CooperationStatus.ACTIVE)
        .count(),
        claims_waiting=AllowanceClaim.objects.visible_to(user)
        .filter(status=AllowanceClaim.Status.SUBMITTED)
        .count(),
        consultations_this_month=consultations["month"],
        consultations_this_year=consultations["year"],
        contracts_ending_soon=Contract.objects.visible_to(user)
        .active()
        .filter(ends_on__gte=today, ends_on__lte=ending_by)
        .count(),
        upcoming_events=list(
            Event.objects.visible_to(user).upcoming().select_related("region")[:upcoming_events]
        ),
    )
