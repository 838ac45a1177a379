"""Reads that put several apps' data side by side: the start-page figures and the contract state of
the coordinator's Lotsen list. Every read starts from ``visible_to(user)``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from allowances.models import AllowanceClaim, Contract
from certificates.selectors import batch_candidates, eligible_lotsen
from events.models import Event
from lotsen.models import Consultation, Lotse
from organisations.models import Organisation
from portal.dates import last_of_month, previous_month

#: The dashboard's window for "contracts ending soon".
CONTRACTS_ENDING_WITHIN_DAYS = 30
#: The trends compare this month with the monthly average of this many months before it.
TREND_MONTHS = 12


def with_contract_state(lotsen: QuerySet) -> QuerySet:
    """Annotate whether a Lotse has an active contract and when it ends (for lists and filters)."""
    active = Contract.objects.filter(lotse=OuterRef("pk"), status=Contract.Status.ACTIVE)
    return lotsen.annotate(
        has_active_contract=Exists(active),
        active_contract_ends_on=Subquery(active.values("ends_on")[:1]),
    )


# -- dashboard ---------------------------------------------------------------------------------------
def pending_invitation_q(prefix: str = "") -> Q:
    """A Lotse invited to the portal who has not set a password yet (the Lotsen list's "invited" filter)."""
    return Q(
        **{f"{prefix}user__is_active": True, f"{prefix}user__password__startswith": UNUSABLE_PASSWORD_PREFIX}
    )


@dataclass(frozen=True)
class Trend:
    """This month against the monthly average of the twelve months before it."""

    current: int
    #: the twelve months before this one, oldest first
    history: list[int]

    @property
    def average(self) -> Decimal:
        return (Decimal(sum(self.history)) / len(self.history)).quantize(Decimal("0.1"))

    @property
    def change_percent(self) -> int | None:
        """Percent above (positive) or below the average; None without an average to compare with."""
        if not self.average:
            return None
        return round((self.current - self.average) * 100 / self.average)

    @property
    def change_size(self) -> int | None:
        """The change in percent without its sign (the words say above or below)."""
        change = self.change_percent
        return None if change is None else abs(change)


@dataclass(frozen=True)
class DashboardFigures:
    today: datetime.date
    active_lotsen: int
    lotsen_without_login: int
    organisations_involved: int
    #: submitted claims the user decides (never their own)
    claims_waiting: int
    consultations_this_month: int
    consultations_this_year: int
    contracts_ending_soon: int
    upcoming_events: list
    #: what waits for the coordinator (the "to do" block); claims_to_pay is None for those who do not pay
    claims_to_pay: int | None = None
    invitations_pending: int = 0
    certificates_due: int = 0
    consultations_trend: Trend | None = None
    lotsen_trend: Trend | None = None

    @property
    def month_start(self) -> datetime.date:
        return self.today.replace(day=1)

    @property
    def year_start(self) -> datetime.date:
        return self.today.replace(month=1, day=1)

    @property
    def contracts_ending_within(self) -> int:
        return CONTRACTS_ENDING_WITHIN_DAYS


def _last_months(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the ``count`` months before today's month, oldest first."""
    months = [today.replace(day=1)]
    for _ in range(count):
        months.append(previous_month(months[-1]))
    return months[:0:-1]


def dashboard_figures(user, *, upcoming_events: int = 5) -> DashboardFigures:
    """The coordinator's and programme staff's start page: what waits for them, the figures and two trends,
    in seven queries whatever the data."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    past_months = _last_months(today, TREND_MONTHS)
    lotsen = Lotse.objects.visible_to(user).aggregate(
        active=Count("pk", filter=Q(status=Lotse.Status.ACTIVE)),
        without_login=Count("pk", filter=Q(user__isnull=True)),
        invited=Count("pk", filter=pending_invitation_q()),
        on_roster=Count("pk", filter=Lotse.on_roster_q(this_month, today)),
        **{
            f"roster_{index}": Count("pk", filter=Lotse.on_roster_q(month, last_of_month(month)))
            for index, month in enumerate(past_months)
        },
    )
    consultations = (
        Consultation.objects.visible_to(user)
        .filter(date__gte=min(past_months[0], today.replace(month=1, day=1)), date__lte=today)
        .aggregate(
            year=Count("pk", filter=Q(date__year=today.year)),
            month=Count("pk", filter=Q(date__gte=this_month)),
            **{
                f"month_{index}": Count("pk", filter=Q(date__gte=month, date__lte=last_of_month(month)))
                for index, month in enumerate(past_months)
            },
        )
    )
    # the same rows as the queue's "waiting for my decision / my payment" filter the to-do block links to
    claims = AllowanceClaim.objects.editable_by(user).aggregate(
        to_decide=Count("pk", filter=AllowanceClaim.to_decide_q(user)),
        to_pay=Count("pk", filter=AllowanceClaim.to_pay_q(user)),
    )
    ending_by = today + datetime.timedelta(days=CONTRACTS_ENDING_WITHIN_DAYS)
    return DashboardFigures(
        today=today,
        active_lotsen=lotsen["active"],
        lotsen_without_login=lotsen["without_login"],
        organisations_involved=Organisation.objects.visible_to(user)
        .filter(cooperation_status=Organisation.CooperationStatus.ACTIVE)
        .count(),
        claims_waiting=claims["to_decide"],
        claims_to_pay=claims["to_pay"] if user.paying_region_ids() else None,
        consultations_this_month=consultations["month"],
        consultations_this_year=consultations["year"],
        contracts_ending_soon=Contract.objects.visible_to(user)
        .active()
        .filter(ends_on__gte=today, ends_on__lte=ending_by)
        .count(),
        invitations_pending=lotsen["invited"],
        certificates_due=certificates_due(user, programme_year=today.year),
        upcoming_events=list(
            Event.objects.visible_to(user).upcoming().select_related("region")[:upcoming_events]
        ),
        consultations_trend=Trend(
            consultations["month"], [consultations[f"month_{i}"] for i in range(TREND_MONTHS)]
        ),
        lotsen_trend=Trend(lotsen["on_roster"], [lotsen[f"roster_{i}"] for i in range(TREND_MONTHS)]),
    )


def certificates_due(user, *, programme_year: int) -> int:
    """Lotsen a certificate batch of the user would issue for in the programme year (the batch's own scope
    and rule: never the user themself, nobody anonymised; enough trainings, no valid certificate yet);
    one query."""
    return (
        eligible_lotsen(batch_candidates(acting_user=user), programme_year=programme_year)
        .filter(has_valid_certificate=False)
        .count()
    )
