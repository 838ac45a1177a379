"""Role matrix of the coordinator's Lotsen and contract pages.

These are coordinator / programme-staff pages. Rule: not visible → 404 (another region, another Lotse's
record), visible but not writable → 403 (a Lotse on the coordinator page of their own record; Lotsen have
their own pages). The signed contract PDF is the exception: whoever may see the contract may download it,
the Lotse included (it is their own agreement).
"""

import datetime

from django.utils import timezone

from allowances.models import Contract
from lotsen.models import Lotse
from tests import factories as f
from tests.matrix import CO, COORDINATORS_ONLY, OWN_RECORD, ST, Case, expect

#: The coordinator page of Lotse A's record (or of a record of Lotse A, e.g. the contract).
LOTSE_A_PAGE = expect(lotse_a=403, lotse_b=404, other_coordinator=404)
#: A POST that succeeds (redirect) for the OWL coordinator and staff.
LOTSE_A_WRITE = expect(lotse_a=403, lotse_b=404, other_coordinator=404, coordinator=302, staff=302)


def _today() -> str:
    return timezone.localdate().isoformat()


def _new_lotse_without_login(w):
    return f.LotseFactory(region=w.owl, user=None, email="neu.lotsin@example.org", status="candidate").pk


def _leaver_with_disabled_login(w):
    user = f.UserFactory(email="ausgeschieden@example.org", is_active=False)
    return f.LotseFactory(region=w.owl, user=user, status="left", login_disabled_at=timezone.now()).pk


def _bank_data_changed_by_another_payer(w):
    """Lotse A's bank data was just changed by a second payer of OWL: the OWL coordinator may confirm."""
    payer = f.UserFactory(email="zahlstelle.zwei@example.org")
    f.CoordinationFactory(user=payer, region=w.owl, handles_payments=True)
    Lotse.objects.filter(pk=w.lotse_a.pk).update(
        bank_data_changed_at=timezone.now(), bank_data_changed_by=payer
    )
    return w.lotse_a.pk


def _contract_terms(starts_on: datetime.date) -> dict:
    return {
        "starts_on": starts_on.isoformat(),
        "allowance_type": "monthly",
        "rate": "60.00",
        "tax_allowance": "ehrenamt",
    }


CASES = [
    Case("lotsen:list", COORDINATORS_ONLY),
    Case("lotsen:list", COORDINATORS_ONLY, query="?status=active&has_login=no&ordering=-name&page=2"),
    Case("lotsen:detail", LOTSE_A_PAGE, kwargs=lambda w: {"pk": w.lotse_a.pk}),
    Case(
        "lotsen:detail",
        expect(lotse_a=404, lotse_b=404, coordinator=404),
        kwargs=lambda w: {"pk": w.lotse_siegen.pk},
    ),
    Case("lotsen:create", COORDINATORS_ONLY),
    Case(
        "lotsen:create",
        expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=302, staff=302),
        method="post",
        data=lambda w: {"first_name": "Leyla", "last_name": "Demir", "region": w.owl.pk},
    ),
    Case("lotsen:edit", LOTSE_A_PAGE, kwargs=lambda w: {"pk": w.lotse_a.pk}),
    Case(
        "lotsen:edit",
        LOTSE_A_WRITE,
        kwargs=lambda w: {"pk": w.lotse_a.pk},
        method="post",
        data=lambda w: {"first_name": "Ayşe", "last_name": "Güllüoğlu-Yılmaz"},
    ),
    Case("lotsen:status", LOTSE_A_PAGE, kwargs=lambda w: {"pk": w.lotse_a.pk}),
    Case(
        "lotsen:status",
        LOTSE_A_WRITE,
        kwargs=lambda w: {"pk": w.lotse_a.pk},
        method="post",
        data=lambda w: {"status": "paused", "effective_on": _today()},
        wrote=lambda w: Lotse.objects.get(pk=w.lotse_a.pk).status == "paused",
        writers=frozenset({CO, ST}),
    ),
    Case(
        "lotsen:invite",
        expect(lotse_a=404, lotse_b=404, other_coordinator=404, coordinator=302, staff=302),
        kwargs=lambda w: {"pk": _new_lotse_without_login(w)},
        method="post",
        wrote=lambda w: Lotse.objects.get(email="neu.lotsin@example.org").user_id is not None,
        writers=frozenset({CO, ST}),
    ),
    Case(
        "lotsen:restore_login",
        expect(lotse_a=404, lotse_b=404, other_coordinator=404, coordinator=302, staff=302),
        kwargs=lambda w: {"pk": _leaver_with_disabled_login(w)},
        method="post",
        wrote=lambda w: Lotse.objects.get(user__email="ausgeschieden@example.org").user.is_active,
        writers=frozenset({CO, ST}),
    ),
    # Confirming changed bank data: those who pay the region (the OWL coordinator); staff see the page but do
    # not pay (a message, nothing changes); a fresh login as for every bank-data action.
    Case(
        "lotsen:confirm_bank_data",
        LOTSE_A_WRITE,
        kwargs=lambda w: {"pk": _bank_data_changed_by_another_payer(w)},
        method="post",
        # the change the page showed (a confirmation never covers a later change)
        data=lambda w: {"version": Lotse.objects.get(pk=w.lotse_a.pk).bank_data_version},
        wrote=lambda w: Lotse.objects.get(pk=w.lotse_a.pk).bank_data_confirmed_at is not None,
        writers=frozenset({CO}),
        fresh=True,
    ),
    # contracts
    Case("lotsen:contract_create", LOTSE_A_PAGE, kwargs=lambda w: {"pk": w.lotse_a.pk}),
    Case(
        "lotsen:contract_create",
        expect(lotse_a=404, lotse_b=403, other_coordinator=404, coordinator=302, staff=302),
        kwargs=lambda w: {"pk": w.lotse_b.pk},
        method="post",
        data=lambda w: _contract_terms(timezone.localdate()),
        wrote=lambda w: Contract.objects.filter(lotse=w.lotse_b).exists(),
        writers=frozenset({CO, ST}),
    ),
    Case("lotsen:contract_renew", LOTSE_A_PAGE, kwargs=lambda w: {"pk": w.contract.pk}),
    Case(
        "lotsen:contract_renew",
        LOTSE_A_WRITE,
        kwargs=lambda w: {"pk": w.contract.pk},
        method="post",
        data=lambda w: _contract_terms(w.contract.starts_on + datetime.timedelta(days=365)),
    ),
    Case("lotsen:contract_end", LOTSE_A_PAGE, kwargs=lambda w: {"pk": w.contract.pk}),
    Case(
        "lotsen:contract_end",
        LOTSE_A_WRITE,
        kwargs=lambda w: {"pk": w.contract.pk},
        method="post",
        data=lambda w: {"ended_on": _today()},
        wrote=lambda w: Contract.objects.get(pk=w.contract.pk).ended_on is not None,
        writers=frozenset({CO, ST}),
    ),
    Case("lotsen:contract_upload", LOTSE_A_PAGE, kwargs=lambda w: {"pk": w.contract.pk}),
    Case(
        "lotsen:contract_upload",
        LOTSE_A_WRITE,
        kwargs=lambda w: {"pk": w.contract.pk},
        method="post",
        data=lambda w: {"document": f.pdf_upload()},
        wrote=lambda w: bool(Contract.objects.get(pk=w.contract.pk).signed_document),
        writers=frozenset({CO, ST}),
    ),
    # The Lotse may download their own signed contract.
    Case(
        "lotsen:contract_document",
        OWN_RECORD,
        kwargs=lambda w: {"pk": f.contract_with_document(w.contract).pk},
    ),
]
