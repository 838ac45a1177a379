"""What a Lotse's monthly allowance claim is prefilled with: the month's logged consultations and attended
training sessions, and the amount the contract suggests for them.

The summary holds figures only (counts and hours), never anything about a client.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import ngettext

from allowances.models import Contract
from allowances.services.claims import contract_for_month
from events.models import Attendance
from lotsen.models import Consultation, Lotse, minutes_as_hours
from portal.dates import first_of_month, last_of_month
from portal.templatetags.portal import hours as format_hours

CENTS = Decimal("0.01")


def _hours_text(hours: Decimal) -> str:
    # "9,5" / "6": the same short form as the |hours template filter, in the active language.
    return format_hours(hours)


@dataclass(frozen=True)
class MonthActivity:
    month: datetime.date
    consultations: int
    consultation_minutes: int
    trainings: int
    training_hours: Decimal

    @property
    def consultation_hours(self) -> Decimal:
        return minutes_as_hours(self.consultation_minutes)

    @property
    def total_hours(self) -> Decimal:
        return self.consultation_hours + self.training_hours

    def summary(self) -> str:
        """E.g. "12 consultations (9.5 h), 2 training sessions (6 h)"."""
        parts = [
            ngettext(
                "%(count)s consultation (%(hours)s h)",
                "%(count)s consultations (%(hours)s h)",
                self.consultations,
            )
            % {"count": self.consultations, "hours": _hours_text(self.consultation_hours)}
        ]
        if self.trainings:
            parts.append(
                ngettext(
                    "%(count)s training session (%(hours)s h)",
                    "%(count)s training sessions (%(hours)s h)",
                    self.trainings,
                )
                % {"count": self.trainings, "hours": _hours_text(self.training_hours)}
            )
        return ", ".join(parts)


def month_activity(*, lotse: Lotse, month: datetime.date) -> MonthActivity:
    """The Lotse's logged consultations and attended training sessions of a calendar month (two queries)."""
    month = first_of_month(month)
    consultations = Consultation.objects.filter(lotse=lotse).in_month(month).totals()
    tz = timezone.get_current_timezone()
    starts = datetime.datetime.combine(month, datetime.time.min, tzinfo=tz)
    ends = datetime.datetime.combine(
        last_of_month(month) + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    trainings = (
        Attendance.objects.attended_trainings()
        .filter(lotse=lotse, event__starts_at__gte=starts, event__starts_at__lt=ends)
        .aggregate(count=Count("pk"), hours=Sum("event__hours_credited"))
    )
    return MonthActivity(
        month=month,
        consultations=consultations["count"],
        consultation_minutes=consultations["minutes"],
        trainings=trainings["count"],
        training_hours=trainings["hours"] or Decimal("0"),
    )


def amount_limit(contract: Contract, *, hours: Decimal | None, consultations: int) -> Decimal:
    """The most the contract allows for a month: the flat rate, rate × hours, or rate × consultations."""
    if contract.allowance_type == Contract.AllowanceType.HOURLY:
        return (contract.rate * (hours or Decimal("0"))).quantize(CENTS, ROUND_HALF_UP)
    if contract.allowance_type == Contract.AllowanceType.PER_CONSULTATION:
        return (contract.rate * consultations).quantize(CENTS, ROUND_HALF_UP)
    return contract.rate


@dataclass(frozen=True)
class ClaimPrefill:
    activity: MonthActivity
    contract: Contract | None
    #: the amount the contract gives for the logged activity (None without a contract)
    suggested_amount: Decimal | None

    @property
    def hours(self) -> Decimal:
        return self.activity.total_hours

    @property
    def activities(self) -> str:
        return self.activity.summary()


def claim_prefill(*, lotse: Lotse, month: datetime.date) -> ClaimPrefill:
    activity = month_activity(lotse=lotse, month=month)
    contract = contract_for_month(lotse, month)
    suggested = None
    if contract is not None:
        suggested = amount_limit(contract, hours=activity.total_hours, consultations=activity.consultations)
    return ClaimPrefill(activity=activity, contract=contract, suggested_amount=suggested)
