"""Role matrix of billing (billing/urls.py): runs and year-end batches are the office's (those who pay the
region act), statements are the Lotse's own and the region's."""

import datetime

from django.utils import timezone

from tests.matrix import CO, COORDINATORS_ONLY, ST, Case, expect

REGION_ONLY = expect(lotse_a=403, lotse_b=403, other_coordinator=404)


def _last_month():
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _run(w) -> dict:
    from billing.models import BillingRun

    run, _created = BillingRun.objects.get_or_create(region=w.owl, month=_last_month())
    return {"pk": run.pk}


def _paid_claim(w) -> dict:
    from allowances.models import AllowanceClaim
    from tests.billing.helpers import approved_claim, pay

    claim = AllowanceClaim.objects.filter(lotse=w.lotse_a, status="paid").first()
    if claim is None:
        claim = approved_claim(w.lotse_a, _last_month())
        pay([claim], w.coordinator)
    return {"pk": claim.pk}


def _last_year() -> int:
    return timezone.localdate().year - 1


def _paid_last_year(w) -> int:
    """A claim of Lotse A paid last year (year-end statements are issued for a year that has ended)."""
    from allowances.models import AllowanceClaim
    from tests.billing.helpers import approved_claim, on_day, pay

    if not AllowanceClaim.objects.filter(lotse=w.lotse_a, status="paid", paid_at__year=_last_year()).exists():
        claim = approved_claim(w.lotse_a, datetime.date(_last_year(), 11, 1))
        with on_day(datetime.date(_last_year(), 12, 10)):
            pay([claim], w.coordinator)
    return _last_year()


def _year_end(w):
    from billing.models import YearEndStatement
    from billing.services import issue_year_end, render_year_end

    _paid_last_year(w)
    statement = YearEndStatement.objects.filter(lotse=w.lotse_a).first()
    if statement is None:
        issue_year_end(region=w.owl, year=_last_year(), acting_user=w.coordinator)
        statement = YearEndStatement.objects.get(lotse=w.lotse_a)
        render_year_end([statement.pk])
    return statement


def _start_data(w) -> dict:
    return {"region": w.owl.pk, "year": _last_month().year, "month": _last_month().month}


def _run_started(w) -> bool:
    from billing.models import BillingRun

    return BillingRun.objects.filter(region=w.owl, month=_last_month()).exists()


def _run_closed(w) -> bool:
    from billing.models import BillingRun

    return BillingRun.objects.filter(region=w.owl, closed_at__isnull=False).exists()


def _remind_kwargs(w) -> dict:
    from allowances.models import AllowanceClaim

    AllowanceClaim.objects.filter(pk=w.claim.pk).update(month=_last_month(), status="draft")
    return {**_run(w), "lotse_pk": w.lotse_a.pk}


def _reminded(w) -> bool:
    from notifications.models import SentReminder

    return SentReminder.objects.filter(key__startswith="billing-remind:").exists()


def _issued(w) -> bool:
    from billing.models import YearEndStatement

    return YearEndStatement.objects.filter(lotse=w.lotse_a).exists()


def _close_data(w) -> dict:
    from allowances.models import AllowanceClaim
    from tests.allowances.payout_helpers import execution_day, paying_account
    from tests.billing.helpers import approved_claim

    paying_account(w.owl)
    # a run is closed only with something to pay
    if not AllowanceClaim.objects.filter(lotse=w.lotse_b, month=_last_month()).exists():
        approved_claim(w.lotse_b, _last_month())
    return {"execution_date": execution_day().isoformat()}


#: a statement: its holder and those who pay the region (not staff, not every coordinator)
HOLDER_OR_PAYER = expect(lotse_b=404, other_coordinator=404, staff=404)
PAYERS_ONLY = expect(lotse_a=403, lotse_b=403, other_coordinator=404, coordinator=302, staff=403)

CASES = [
    Case("billing:runs", COORDINATORS_ONLY),
    Case(
        "billing:run_start",
        # the Siegen coordinator and staff do not pay OWL: OWL is no choice of theirs (a form error, nothing)
        expect(lotse_a=403, lotse_b=403, other_coordinator=302, coordinator=302, staff=302),
        method="post",
        data=_start_data,
        wrote=_run_started,
        writers=frozenset({CO}),
    ),
    Case("billing:run", REGION_ONLY, kwargs=_run),
    Case(
        "billing:run_remind",
        expect(lotse_a=403, lotse_b=403, other_coordinator=404, coordinator=302, staff=302),
        method="post",
        kwargs=_remind_kwargs,
        data=lambda w: {},
        wrote=_reminded,
        writers=frozenset({CO, ST}),
    ),
    Case(
        "billing:run_close",
        PAYERS_ONLY,
        method="post",
        kwargs=_run,
        data=_close_data,
        fresh=True,
        wrote=_run_closed,
        writers=frozenset({CO}),
    ),
    Case("billing:claim_statement", HOLDER_OR_PAYER, kwargs=_paid_claim),
    Case("billing:year_end", expect()),
    Case(
        "billing:year_end_issue",
        expect(lotse_a=403, lotse_b=403, other_coordinator=302, coordinator=302, staff=302),
        method="post",
        data=lambda w: {"region": w.owl.pk, "year": _paid_last_year(w)},
        wrote=_issued,
        writers=frozenset({CO}),
    ),
    Case("billing:year_end_batch", REGION_ONLY, kwargs=lambda w: {"pk": _year_end(w).batch_id}),
    Case(
        "billing:year_end_batch_zip",
        expect(lotse_a=403, lotse_b=403, other_coordinator=404, staff=404),
        kwargs=lambda w: {"pk": _year_end(w).batch_id},
    ),
    Case("billing:year_end_download", HOLDER_OR_PAYER, kwargs=lambda w: {"pk": _year_end(w).pk}),
    Case(
        "billing:year_end_reissue",
        PAYERS_ONLY,
        method="post",
        kwargs=lambda w: {"pk": _year_end(w).pk},
        data=lambda w: {},
    ),
    Case("billing:evaluation", COORDINATORS_ONLY, kwargs=lambda w: {"year": timezone.localdate().year}),
]
