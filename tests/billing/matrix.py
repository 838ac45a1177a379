"""Role matrix of billing (billing/urls.py): runs and year-end batches are the office's (those who pay the
region act), statements are the Lotse's own and the region's."""

import datetime

from django.utils import timezone

from tests.matrix import CO, COORDINATORS_ONLY, OWN_RECORD, ST, Case, expect

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


def _year_end(w):
    from billing.models import YearEndStatement
    from billing.services import issue_year_end, render_year_end

    _paid_claim(w)
    statement = YearEndStatement.objects.filter(lotse=w.lotse_a).first()
    if statement is None:
        issue_year_end(region=w.owl, year=_last_month().year, acting_user=w.coordinator)
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
    from tests.allowances.payout_helpers import execution_day, paying_account

    paying_account(w.owl)
    return {"execution_date": execution_day().isoformat()}


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
    Case("billing:claim_statement", OWN_RECORD, kwargs=_paid_claim),
    Case("billing:year_end", expect()),
    Case(
        "billing:year_end_issue",
        expect(lotse_a=403, lotse_b=403, other_coordinator=302, coordinator=302, staff=302),
        method="post",
        data=lambda w: {"region": w.owl.pk, "year": _paid_claim(w) and _last_month().year},
        wrote=_issued,
        writers=frozenset({CO}),
    ),
    Case("billing:year_end_batch", REGION_ONLY, kwargs=lambda w: {"pk": _year_end(w).batch_id}),
    Case("billing:year_end_batch_zip", REGION_ONLY, kwargs=lambda w: {"pk": _year_end(w).batch_id}),
    Case("billing:year_end_download", OWN_RECORD, kwargs=lambda w: {"pk": _year_end(w).pk}),
    Case(
        "billing:year_end_reissue",
        PAYERS_ONLY,
        method="post",
        kwargs=lambda w: {"pk": _year_end(w).pk},
        data=lambda w: {},
    ),
    Case("billing:evaluation", COORDINATORS_ONLY, kwargs=lambda w: {"year": timezone.localdate().year}),
]
