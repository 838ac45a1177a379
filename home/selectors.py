"""Reads that put several apps' data side by side: the start-page figures and the contract state of
the coordinator's Lotsen list. Every read starts from ``visible_to(user)``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from allowances.models import AllowanceClaim, Contract
from events.models import Event
from lotsen.models import Consultation, Lotse
from organisations.models import Organisation

#: The dashboard's window for "contracts ending soon".
CONTRACTS_ENDING_WITHIN_DAYS = 30


def with_contract_state(lotsen: QuerySet) -> QuerySet:
    """Annotate whether a Lotse has an active contract and when it ends (for lists and filters)."""
    active = Contract.objects.filter(lotse=OuterRef("pk"), status=Contract.Status.ACTIVE)
    return lotsen.annotate(
        has_active_contract=Exists(active),
        active_contract_ends_on=Subquery(active.values("ends_on")[:1]),
    )


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
