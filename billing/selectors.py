"""Reads behind billing's pages: the run's table, and the annual evaluation's figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from allowances import rules
from allowances.models import AllowanceClaim
from billing.models import BillingRun
from billing.services import run_lotsen
from lotsen.models import Lotse
from portal.numbers import normalise

Status = AllowanceClaim.Status

#: the run's table: what each Lotse's month stands at
NOT_SUBMITTED, SUBMITTED, APPROVED, REJECTED, PAID = "open", "submitted", "approved", "rejected", "paid"


@dataclass
class RunRow:
    lotse: Lotse
    claim: AllowanceClaim | None
    state: str


def run_rows(run: BillingRun, user) -> list[RunRow]:
    """One row per Lotse with a contract in the run's month (two queries for any number)."""
    lotsen = list(run_lotsen(run).visible_to(user).order_by("last_name", "first_name", "pk"))
    claims = {
        claim.lotse_id: claim
        for claim in AllowanceClaim.objects.visible_to(user)
        .filter(month=run.month, lotse_id__in=[lotse.pk for lotse in lotsen])
        .defer("activities")
    }
    rows = []
    for lotse in lotsen:
        claim = claims.get(lotse.pk)
        status = claim.status if claim else None
        state = {
            Status.SUBMITTED: SUBMITTED,
            Status.APPROVED: APPROVED,
            Status.REJECTED: REJECTED,
            Status.PAID: PAID,
        }.get(status, NOT_SUBMITTED)
        rows.append(RunRow(lotse=lotse, claim=claim, state=state))
    return rows


def counts(rows: list[RunRow]) -> dict[str, int]:
    result = dict.fromkeys((NOT_SUBMITTED, SUBMITTED, APPROVED, REJECTED, PAID), 0)
    for row in rows:
        result[row.state] += 1
    return result


# -- the annual evaluation -------------------------------------------------------------------------------
MONTH_FIGURES = ("submitted", "approved", "rejected", "paid")


def evaluation_months(claims, year: int) -> list[dict]:
    """Per region and month of ``year``: claims and amounts submitted (everything but drafts), approved
    (approved or paid since), rejected and paid. One query. ``claims`` already scoped."""
    decided = {
        "submitted": ~Q(status=Status.DRAFT),
        "approved": Q(status__in=AllowanceClaim.COUNTS_AGAINST_CAP),
        "rejected": Q(status=Status.REJECTED),
        "paid": Q(status=Status.PAID),
    }
    aggregates = {}
    for name, condition in decided.items():
        aggregates[f"{name}_count"] = Count("pk", filter=condition)
        aggregates[f"{name}_amount"] = Sum("amount", filter=condition)
    rows = (
        claims.filter(month__year=year)
        .annotate(m=TruncMonth("month"))
        .values("lotse__region__name", "m")
        .annotate(**aggregates)
        .order_by("lotse__region__name", "m")
    )
    result = []
    for row in rows:
        month = row["m"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        result.append(
            {
                "region": row["lotse__region__name"],
                "month": month,
                **{
                    f"{name}_{part}": (
                        normalise(row[f"{name}_{part}"] or Decimal("0"), "money")
                        if part == "amount"
                        else row[f"{name}_{part}"]
                    )
                    for name in MONTH_FIGURES
                    for part in ("count", "amount")
                },
            }
        )
    return result


def lotsen_near_cap(claims, year: int, caps: rules.CapTable | None = None) -> list[dict]:
    """Lotsen whose approved and paid allowances of ``year`` use more than rules.CAP_SHARE_WATCH per cent
    of the cap of their tax-free allowance (one query; ``claims`` already scoped)."""
    caps = caps or rules.CapTable()
    rows = (
        claims.approved_or_paid()
        .filter(month__year=year)
        .values(
            "lotse_id",
            "lotse__first_name",
            "lotse__last_name",
            "lotse__region__name",
            "contract__tax_allowance",
        )
        .annotate(total=Sum("amount"))
        .order_by("lotse__region__name", "lotse__last_name", "lotse__first_name", "lotse_id")
    )
    result = []
    for row in rows:
        cap = caps.amount_for(row["contract__tax_allowance"], year)
        total = normalise(row["total"], "money")
        if rules.over_cap_share(total, cap):
            result.append(
                {
                    "region": row["lotse__region__name"],
                    "name": f"{row['lotse__first_name']} {row['lotse__last_name']}".strip(),
                    "kind": row["contract__tax_allowance"],
                    "total": total,
                    "cap": cap,
                    "share": rules.cap_share(total, cap),
                }
            )
    return result
