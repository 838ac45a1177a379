"""Every rule about money, in one place.

What may be claimed for a month under a contract, the year's tax-free cap and its use, whether a claim can be
paid and why not. The services enforce these answers under a lock; forms, the prefill, the admin, reports and
exports only ask them. A rule that exists twice drifts: the claim form once refused the hours the prefill
proposed, and the service accepted hours the form refused (issue #12).

Reads only. The functions that query say so; the others are pure and cheap.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from allowances.models import (
    AllowanceClaim,
    Contract,
    RegionAllowancePolicy,
    SelfDeclaration,
    TaxAllowanceCap,
)
from lotsen.models import Consultation, Lotse, minutes_as_hours
from portal.access import acts_for_self
from portal.dates import first_of_month, last_of_month
from portal.numbers import normalise
from regions.models import Region

CENTS = Decimal("0.01")
#: The claim's fields: hours with one decimal (at most 9999,9), amounts with two (at most 99.999,99).
MAX_HOURS = Decimal("9999.9")
MAX_AMOUNT = Decimal("99999.99")

Status = AllowanceClaim.Status


def euros(amount: Decimal) -> str:
    """1.234,50 in German, 1,234.50 in English: how a limit is named in a message."""
    return number_format(amount, 2, force_grouping=True)


# ======================================================================================================
# Which contract a month is claimed under
# ======================================================================================================
def contract_for_month(lotse: Lotse | int, month: datetime.date) -> Contract | None:
    """The contract that covers any day of the month (active, or ended since), or None (no claim without
    one). One query."""
    month = first_of_month(month)
    # Ended contracts count for the months they covered: June is claimed in July under the contract that
    # ended on 30 June (a renewal ends the old one the day before the new one starts). The newest first.
    return (
        Contract.objects.filter(
            lotse=lotse,
            status__in=(Contract.Status.ACTIVE, Contract.Status.ENDED),
            starts_on__lte=last_of_month(month),
        )
        .exclude(ends_on__lt=month)
        .order_by("-starts_on")
        .first()
    )


def lotsen_under_contract(month: datetime.date):
    """Ids of the Lotsen with a contract covering any day of the month, as contract_for_month counts them
    (a values queryset for ``lotse_id__in`` / ``pk__in``; no query of its own)."""
    month = first_of_month(month)
    return (
        Contract.objects.filter(
            status__in=(Contract.Status.ACTIVE, Contract.Status.ENDED), starts_on__lte=last_of_month(month)
        )
        .exclude(ends_on__lt=month)
        .values("lotse_id")
    )


# ======================================================================================================
# Contract terms: the highest rates, a contract alone against the year's cap, the region's cap policy
# ======================================================================================================
#: The setting that holds the programme's limit for each kind of allowance, and the policy field that
#: overrides it for a region.
_RATE_LIMITS = {
    Contract.AllowanceType.HOURLY: ("CONTRACT_MAX_HOURLY_RATE", "max_hourly_rate"),
    Contract.AllowanceType.MONTHLY_FLAT: ("CONTRACT_MAX_MONTHLY_RATE", "max_monthly_rate"),
    Contract.AllowanceType.PER_CONSULTATION: (
        "CONTRACT_MAX_PER_CONSULTATION_RATE",
        "max_per_consultation_rate",
    ),
}


def region_policy(region: Region | int | None) -> RegionAllowancePolicy | None:
    """The region's allowance policy, None where the region has none (one query)."""
    if region is None:
        return None
    return RegionAllowancePolicy.objects.filter(region=region).first()


def rate_limit(
    allowance_type: str, region: Region | int | None, *, policy: RegionAllowancePolicy | None = None
) -> Decimal:
    """The highest rate a contract of this kind may have in the region: the region's own limit if it set
    one (admin: "allowance policies of the regions"), else the programme's setting. One query unless the
    ``policy`` is given."""
    setting, field = _RATE_LIMITS[allowance_type]
    if policy is None:
        policy = region_policy(region)
    own = getattr(policy, field) if policy is not None else None
    return own if own is not None else getattr(settings, setting)


def _rate_too_high(allowance_type: str, region_name: str, limit: Decimal) -> str:
    values = {"region": region_name, "limit": euros(limit)}
    if allowance_type == Contract.AllowanceType.HOURLY:
        return _("The hourly rate in %(region)s can be at most %(limit)s €.") % values
    if allowance_type == Contract.AllowanceType.PER_CONSULTATION:
        return _("The rate per consultation in %(region)s can be at most %(limit)s €.") % values
    return _("The monthly flat rate in %(region)s can be at most %(limit)s €.") % values


def contract_problems(*, allowance_type: str, rate: Decimal | None, region: Region) -> dict[str, str]:
    """Why a contract cannot have these terms in the region, by field ({} when it can).

    The one check behind the contract form and the contract services. A rate of 0 € is allowed: a Lotse may
    volunteer under a contract without an allowance (the contract still makes them an active Lotse)."""
    if allowance_type not in _RATE_LIMITS:
        return {"allowance_type": _("Please choose how the allowance is paid.")}
    if rate is None:
        return {"rate": _("Please enter the rate in euros.")}
    if not rate.is_finite():
        return {"rate": _("Please enter the rate as an amount in euros, such as 12,50.")}
    if rate < 0:
        return {"rate": _("The rate cannot be negative.")}
    limit = rate_limit(allowance_type, region)
    if rate > limit:
        return {"rate": _rate_too_high(allowance_type, region.name, limit)}
    if rate.normalize().as_tuple().exponent < -2:
        return {
            "rate": _("Please enter the rate in euros and cents, with at most two digits after the comma.")
        }
    return {}


def months_covered(contract: Contract, year: int) -> int:
    """The calendar months of the year in which the contract covers at least one day (as claims count)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    starts = max(contract.starts_on, first)
    ends = min(contract.ends_on or last, last)
    if ends < starts:
        return 0
    return (ends.year - starts.year) * 12 + ends.month - starts.month + 1


def contract_cap_warning(contract_terms: Contract, year: int, *, caps: CapTable | None = None) -> str | None:
    """A warning when the contract alone would pay more in the year than the year's tax-free cap, or None.

    Only for the monthly flat rate: it is what the contract pays in any month with a claim. An hourly or a
    per-consultation contract pays what is logged; any rate could pass the cap with enough hours, so a
    warning from the contract alone would be a guess. The claims themselves are checked against the cap
    when they are decided (cap_use, approval_problem). No query when ``caps`` is given."""
    if contract_terms.allowance_type != Contract.AllowanceType.MONTHLY_FLAT:
        return None
    cap = (caps or CapTable()).amount_for(contract_terms.tax_allowance, year)
    if cap is None or contract_terms.rate is None:
        return None
    total = contract_terms.rate * months_covered(contract_terms, year)
    if total <= cap:
        return None
    return _(
        "This contract alone would pay %(total)s € in %(year)s and so more than the tax-free allowance of "
        "%(cap)s €."
    ) % {"total": euros(total), "year": year, "cap": euros(cap)}


def first_contract_cap_warning(contract: Contract, *, caps: CapTable | None = None) -> str | None:
    """The cap warning for the year the contract starts in or, if that year stays below the cap, for the
    next year it covers (a contract starting in November passes the cap only in the following full year).
    One warning at most. No query when ``caps`` is given."""
    caps = caps or CapTable()
    years = [contract.starts_on.year]
    if contract.ends_on is None or contract.ends_on.year > contract.starts_on.year:
        years.append(contract.starts_on.year + 1)
    return next(
        (warning for year in years if (warning := contract_cap_warning(contract, year, caps=caps))), None
    )


def approval_problem(
    claim: AllowanceClaim, cap_use: CapUse, region_policy: RegionAllowancePolicy | None
) -> str | None:
    """Why the claim cannot be approved under the region's policy, or None.

    Only a region that chose "the cap blocks approval" refuses a claim that would take the year's approved
    total above the cap; everywhere else the claim page warns and the coordinator decides. No query."""
    if region_policy is None or not region_policy.cap_blocks_approval or not cap_use.exceeded:
        return None
    return _(
        "This claim cannot be approved: with it, the approved allowances of %(year)s would come to "
        "%(total)s €, more than the tax-free allowance of %(cap)s €, and this region does not approve "
        "claims above it. Please reject the claim with the amount that can still be paid (%(remaining)s €)."
    ) % {
        "year": cap_use.year,
        "total": euros(cap_use.total_with_claim),
        "cap": euros(cap_use.cap),
        "remaining": euros(max(cap_use.remaining, Decimal("0"))),
    }


# ======================================================================================================
# The work of a month: what a claim is measured against
# ======================================================================================================
@dataclass(frozen=True)
class MonthWork:
    """The Lotse's logged consultations and attended training sessions of one calendar month."""

    month: datetime.date
    consultations: int
    consultation_minutes: int
    trainings: int
    training_hours: Decimal

    @property
    def consultation_hours(self) -> Decimal:
        return minutes_as_hours(self.consultation_minutes)

    @property
    def logged_hours(self) -> Decimal:
        """The hours a claim may name at most: consultations (rounded like everywhere) plus trainings."""
        return self.consultation_hours + self.training_hours


def month_work(*, lotse: Lotse, month: datetime.date) -> MonthWork:
    """The month's logged work (two queries). Trainings count by the day they start on."""
    from events.models import Attendance  # the money layer sits above events; imported where used

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
    return MonthWork(
        month=month,
        consultations=consultations["count"],
        consultation_minutes=consultations["minutes"],
        trainings=trainings["count"],
        # hours_credited has one decimal; SQLite sums it as a float (0.1000000000000000055…)
        training_hours=normalise(trainings["hours"] or Decimal("0"), "hours"),
    )


# ======================================================================================================
# What may be claimed for a month under a contract
# ======================================================================================================
def max_hours(work: MonthWork) -> Decimal:
    """The most hours a claim may name: what was logged, within the field's range."""
    return min(work.logged_hours, MAX_HOURS)


def max_amount(contract: Contract, *, hours: Decimal | None, consultations: int) -> Decimal:
    """The most the contract allows for a month: the flat rate, rate × hours or rate × consultations.

    Rounded down to the cent, so that a proposal made from it is never a cent above what is checked."""
    kind = contract.allowance_type
    if kind == Contract.AllowanceType.HOURLY:
        limit = contract.rate * (hours or Decimal("0"))
    elif kind == Contract.AllowanceType.PER_CONSULTATION:
        limit = contract.rate * consultations
    else:
        limit = contract.rate
    return min(limit.quantize(CENTS, ROUND_DOWN), MAX_AMOUNT)


def claim_problems(
    contract: Contract | None, *, amount: Decimal | None, hours: Decimal | None, work: MonthWork
) -> dict[str, str]:
    """Why these figures cannot be claimed for the month, by field ({} when they can).

    The one check behind the Lotse's form and the service that saves the claim."""
    if contract is None:
        return {"__all__": _("There is no active contract for this month, so no allowance can be claimed.")}
    problems: dict[str, str] = {}
    if hours is None:
        if contract.allowance_type == Contract.AllowanceType.HOURLY:
            problems["hours"] = _("Please enter the hours for an hourly allowance.")
    elif hours < 0:
        problems["hours"] = _("The hours cannot be negative.")
    elif hours > max_hours(work):
        problems["hours"] = _(
            "You logged %(hours)s hours this month. Please log missing consultations first."
        ) % {"hours": number_format(max_hours(work), 1)}
    if amount is None:
        problems["amount"] = _("Please enter the amount.")
    elif amount < 0:
        problems["amount"] = _("The amount cannot be negative.")
    elif "hours" not in problems:
        limit = max_amount(contract, hours=hours, consultations=work.consultations)
        if amount > limit:
            problems["amount"] = _("The most your contract allows for this month is %(limit)s €.") % {
                "limit": euros(limit)
            }
    return problems


@dataclass(frozen=True)
class Proposal:
    hours: Decimal
    amount: Decimal


def proposal(contract: Contract, work: MonthWork) -> Proposal:
    """What the claim form proposes: the logged hours and the most the contract gives for them.
    claim_problems accepts it by construction (tests/allowances/test_rules.py tries random months)."""
    hours = max_hours(work)
    return Proposal(hours=hours, amount=max_amount(contract, hours=hours, consultations=work.consultations))


# ======================================================================================================
# The year's tax-free cap and its use
# ======================================================================================================
class CapTable:
    """All yearly caps, loaded once (one query): a list of claims gets its cap without a query per row.

    A cap is valid from its date until the next row of the same kind (a dated table)."""

    def __init__(self, rows: Iterable[tuple[str, datetime.date, Decimal]] | None = None):
        if rows is None:
            rows = TaxAllowanceCap.objects.values_list("kind", "valid_from", "amount")
        self._rows = sorted(rows, key=lambda row: row[1])

    def amount_for(self, kind: str, year: int) -> Decimal | None:
        amount = None
        for row_kind, valid_from, row_amount in self._rows:
            if row_kind == kind and valid_from <= datetime.date(year, 12, 31):
                amount = row_amount
        return amount


def cap_amount(kind: str, year: int) -> Decimal | None:
    """The yearly cap of a kind of tax-free allowance in a year (one query), None if none is known."""
    return CapTable().amount_for(kind, year)


def year_total(lotse_id: int, year: int) -> Decimal:
    """What counts against the Lotse's cap in a calendar year: approved and paid claims (one query)."""
    return AllowanceClaim.objects.total_for_year(lotse_id, year)


@dataclass(frozen=True)
class CapUse:
    year: int
    cap: Decimal | None
    #: approved and paid claims of the year (the claim itself included once it is approved)
    approved_total: Decimal
    #: what the total would be with the claim under decision added
    total_with_claim: Decimal

    @property
    def exceeded(self) -> bool:
        return self.cap is not None and self.total_with_claim > self.cap

    @property
    def remaining(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.approved_total

    @property
    def share(self) -> Decimal | None:
        """The part of the cap used with the claim, in per cent (None without a cap)."""
        if not self.cap:
            return None
        return (self.total_with_claim * 100 / self.cap).quantize(Decimal("0.1"))


def _counts_against_cap(claim: AllowanceClaim) -> bool:
    return claim.status in AllowanceClaim.COUNTS_AGAINST_CAP


def monthly_share_of_cap(cap: Decimal) -> Decimal:
    """What one claimed month may use of a yearly cap, for figures over many months: a twelfth."""
    return cap / 12


def cap_use(claim: AllowanceClaim, *, caps: CapTable | None = None, total: Decimal | None = None) -> CapUse:
    """How the Lotse's approved allowances of the claim's year stand against that year's cap, with the
    claim. ``total`` (the year's approved total) and ``caps`` save their queries where they are known."""
    year = claim.month.year
    if total is None:
        total = year_total(claim.lotse_id, year)
    cap = (caps or CapTable()).amount_for(claim.contract.tax_allowance, year)
    return CapUse(
        year=year,
        cap=cap,
        approved_total=total,
        total_with_claim=total if _counts_against_cap(claim) else total + claim.amount,
    )


DECIMAL = models.DecimalField(max_digits=9, decimal_places=2)


def with_cap_figures(queryset):
    """Annotate claims with what cap_use and payability need, in the same query: ``year_total`` (the
    Lotse's approved and paid total in the claim's calendar year) and ``declaration_on_file``."""
    total = (
        AllowanceClaim.objects.approved_or_paid()
        .filter(lotse_id=OuterRef("lotse_id"), month__year=ExtractYear(OuterRef("month")))
        .order_by()
        .values("lotse_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    declaration = SelfDeclaration.objects.filter(
        lotse_id=OuterRef("lotse_id"), year=ExtractYear(OuterRef("month"))
    )
    return queryset.annotate(
        year_total=Coalesce(Subquery(total, output_field=DECIMAL), Decimal("0"), output_field=DECIMAL),
        declaration_on_file=Exists(declaration),
    )


def attach_cap_use(claims, caps: CapTable | None = None) -> list[AllowanceClaim]:
    """Set ``claim.cap`` (a CapUse) on claims annotated by with_cap_figures (contract selected)."""
    caps = caps or CapTable()
    claims = list(claims)
    for claim in claims:
        claim.cap = cap_use(claim, caps=caps, total=claim.year_total)
    return claims


# ======================================================================================================
# Whether a claim can be paid, and why not
# ======================================================================================================
def has_self_declaration(lotse_id: int, year: int) -> bool:
    return SelfDeclaration.objects.filter(lotse_id=lotse_id, year=year).exists()


def why_not_payable(
    claim: AllowanceClaim,
    *,
    user,
    declaration_on_file: bool,
    now: datetime.datetime | None = None,
    in_batch: int | None = None,
) -> str | None:
    """Why ``user`` cannot pay the claim now (a sentence for the payer), or None when they can.

    Needs the claim's Lotse loaded; no query of its own. ``declaration_on_file``: a self-declaration for the
    claim's year exists (with_cap_figures annotates it). ``in_batch``: the id of the payout batch asked
    about, when the question is whether a claim of that batch can still be paid by it. ``user`` None:
    whether anyone who pays the region could pay it (a batch's files are the same for every viewer)."""
    from lotsen.services.bank_data import bank_data_hold_reason

    lotse = claim.lotse
    # user None: whether the claim can be paid at all, by whoever pays the region (a batch's files)
    if user is not None and acts_for_self(user, lotse):
        return _("nobody pays their own claim")
    if user is not None and not lotse.can_see_payment_details(user):
        return _("you do not handle the payments of this region")
    if claim.status != Status.APPROVED:
        return _("not approved")
    if claim.amount <= 0:
        return _("nothing to pay (0 €)")
    if claim.payout_batch_id is not None and claim.payout_batch_id != in_batch:
        return _("already in a payout batch")
    if lotse.bank_data_on_hold(now):
        return bank_data_hold_reason(lotse)
    if not lotse.iban:
        return _("no bank details on file")
    if not declaration_on_file:
        return _("no self-declaration for %(year)s on file") % {"year": claim.month.year}
    return None


def pays_region(user, region_id: int) -> bool:
    """Whether ``user`` pays the allowances of the region (prepares, sends and cancels its payout batches):
    a superuser, or a coordinator of the region who handles its payments. No query of its own."""
    return bool(user.is_active and (user.is_superuser or region_id in user.paying_region_ids()))


# ======================================================================================================
# Paid allowances of a year: the statements' figures (billing)
# ======================================================================================================
#: Lotsen above this share of their year's cap are named in the annual evaluation.
CAP_SHARE_WATCH = Decimal("80")


def paid_in_year(year: int) -> Q:
    """Claims paid in a calendar year, by the local (Europe/Berlin) day of payment ``paid_at``: the year the
    money was received (§ 11 EStG, Zuflussprinzip), not the month claimed. A December claim paid in January
    belongs to the new year. The year-end statement and its cap use both count these payments."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=zone)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=zone)
    return Q(status=Status.PAID, paid_at__gte=start, paid_at__lt=end)


def payment_year(claim: AllowanceClaim) -> int:
    """The local calendar year in which a paid claim was paid (the year ``paid_in_year`` puts it in)."""
    return timezone.localtime(claim.paid_at, timezone.get_default_timezone()).year


def paid_claims_of_year(lotse_id: int, year: int, *, through: AllowanceClaim | None = None):
    """The Lotse's claims paid in a calendar year (``paid_in_year``: by the day of payment), in the order
    paid, with their contracts and batches; with ``through`` (a paid claim) only the payments up to and
    including that one. One query."""
    claims = AllowanceClaim.objects.filter(paid_in_year(year), lotse_id=lotse_id)
    if through is not None:
        claims = claims.filter(
            Q(paid_at__lt=through.paid_at) | Q(paid_at=through.paid_at, month__lte=through.month)
        )
    return claims.select_related("contract", "payout_batch").order_by("paid_at", "month", "pk")


@dataclass(frozen=True)
class PaidYear:
    """What the year-end statement prints: the paid months, the total, and per tax-free allowance the
    year's cap and how much of it the payments use."""

    year: int
    claims: list
    total: Decimal
    #: (kind, paid under it, the year's cap or None, share of the cap in per cent or None, the part paid
    #: above the cap: not covered by the tax-free allowance, 0 when within it)
    caps: list[tuple[str, Decimal, Decimal | None, Decimal | None, Decimal]]

    @property
    def not_covered(self) -> Decimal:
        """What was paid above the caps in total (not tax-free under these allowances)."""
        return sum((row[4] for row in self.caps), Decimal("0"))


def cap_share(amount: Decimal, cap: Decimal | None) -> Decimal | None:
    """``amount`` as a share of the cap in per cent, one decimal (None without a cap)."""
    if not cap:
        return None
    return (amount * 100 / cap).quantize(Decimal("0.1"))


def above_cap(amount: Decimal, cap: Decimal | None) -> Decimal:
    """The part of ``amount`` above the cap (0 within it or without a known cap)."""
    return max(amount - cap, Decimal("0")) if cap is not None else Decimal("0")


def over_cap_share(amount: Decimal, cap: Decimal | None, share: Decimal = CAP_SHARE_WATCH) -> bool:
    """Whether ``amount`` uses more than ``share`` per cent of the cap."""
    used = cap_share(amount, cap)
    return used is not None and used > share


def paid_year(claims, year: int, *, caps: CapTable | None = None) -> PaidYear:
    """The figures of a year from its paid claims (paid_claims_of_year, contracts loaded). No query when
    ``caps`` is given."""
    caps = caps or CapTable()
    claims = list(claims)
    by_kind: dict[str, Decimal] = {}
    for claim in claims:
        kind = claim.contract.tax_allowance
        by_kind[kind] = by_kind.get(kind, Decimal("0")) + claim.amount
    rows = []
    for kind, paid in sorted(by_kind.items()):
        cap = caps.amount_for(kind, year)
        rows.append((kind, paid, cap, cap_share(paid, cap), above_cap(paid, cap)))
    return PaidYear(
        year=year, claims=claims, total=sum((claim.amount for claim in claims), Decimal("0")), caps=rows
    )
