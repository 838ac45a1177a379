"""Security issue #10, separation of duties: a person who is both coordinator and Lotse never decides,
pays, marks attendance, records a self-declaration or changes bank details for themself. The refusal is a
message; nothing changes. Certificates: tests/certificates/test_separation_of_duties.py."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from allowances.models import AllowanceClaim, PayoutBatch, SelfDeclaration
from events.models import Attendance
from lotsen.forms.lotsen import BANK_DETAILS_REFUSED
from lotsen.models import Lotse
from portal.access import OWN_RECORD_REFUSED
from regions.models import Coordination
from tests import factories as f
from tests.allowances.payout_helpers import paying_account, prepare
from tests.auth import reauthenticate


def refused() -> str:
    """The refusal as the (German) user reads it."""
    with translation.override("de"):
        return str(OWN_RECORD_REFUSED)


Status = AllowanceClaim.Status


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def dual(client, world):
    """Lotse A also coordinates OWL and pays: everything is allowed except on their own records."""
    f.CoordinationFactory(user=world.lotse_a.user, region=world.owl, handles_payments=True)
    client.force_login(world.lotse_a.user)
    reauthenticate(client)  # paying and bank data ask for a fresh login; here only the person matters
    return client


def test_no_decision_on_the_own_claim(dual, world):
    for url, data in (
        (reverse("claims:approve", args=[world.claim.pk]), {}),
        (reverse("claims:reject", args=[world.claim.pk]), {"reason": "Zu hoch"}),
    ):
        response = dual.post(url, data)
        assert response.status_code == 302
        assert refused() in messages_of(response)
        world.claim.refresh_from_db()
        assert world.claim.status == Status.SUBMITTED and world.claim.decided_by is None
    page = dual.get(reverse("claims:detail", args=[world.claim.pk])).content.decode()
    assert reverse("claims:approve", args=[world.claim.pk]) not in page


def test_the_own_claim_is_never_paid(dual, world):
    own = f.AllowanceClaimFactory(
        lotse=world.lotse_a, contract=world.contract, month=datetime.date(2025, 1, 1), status=Status.APPROVED
    )
    other = f.AllowanceClaimFactory(
        lotse=world.lotse_b,
        contract=f.ContractFactory(lotse=world.lotse_b),
        month=datetime.date(2025, 1, 1),
        status=Status.APPROVED,
    )
    for lotse in (world.lotse_a, world.lotse_b):
        SelfDeclaration.objects.create(lotse=lotse, year=2025, received_on=datetime.date(2025, 1, 5))
    paying_account(world.owl)
    response = prepare(dual, [own.pk, other.pk])
    with translation.override("de"):
        reason = gettext("nobody pays their own claim")
    assert any(f"{reason} (1)" in t for t in messages_of(response))  # the batch's one summary message
    dual.post(reverse("claims:batch_confirm_sent", args=[PayoutBatch.objects.get().pk]))
    statuses = dict(AllowanceClaim.objects.values_list("pk", "status"))
    assert statuses[own.pk] == Status.APPROVED
    assert statuses[other.pk] == Status.PAID  # the colleague's claim is paid as usual


def test_no_attendance_for_oneself(dual, world):
    event = f.EventFactory(region=world.owl, starts_at=timezone.now() - datetime.timedelta(hours=2))
    own = f.AttendanceFactory(event=event, lotse=world.lotse_a)
    other = f.AttendanceFactory(event=event, lotse=world.lotse_b)
    response = dual.post(reverse("events:attendance_set", args=[own.pk]), {"status": "attended"})
    assert refused() in messages_of(response)
    own.refresh_from_db()
    assert own.status == Attendance.Status.REGISTERED
    dual.post(reverse("events:attendance_set", args=[other.pk]), {"status": "attended"})
    other.refresh_from_db()
    assert other.status == Attendance.Status.ATTENDED


def test_no_self_declaration_for_oneself(dual, world):
    response = dual.post(
        reverse("claims:self_declaration_create"),
        {"lotse": world.lotse_a.pk, "year": 2025, "received_on": "10.01.2025"},
    )
    assert response.status_code == 200
    assert escape(refused()) in response.content.decode()
    assert not SelfDeclaration.objects.filter(lotse=world.lotse_a).exists()
    response = dual.post(
        reverse("claims:self_declaration_create"),
        {"lotse": world.lotse_b.pk, "year": 2025, "received_on": "10.01.2025"},
    )
    assert SelfDeclaration.objects.filter(lotse=world.lotse_b, year=2025).exists()


NEW_IBAN = "DE02120300000000202051"


def _edit_data(lotse: Lotse, **changes) -> dict:
    data = {
        "first_name": lotse.first_name,
        "last_name": lotse.last_name,
        "email": lotse.email,
        "phone": lotse.phone,
        "region": lotse.region_id,
        "organisations": [o.pk for o in lotse.organisations.all()],
        "availability": lotse.availability,
        "account_holder": lotse.account_holder,
        "iban": "",
    }
    data.update(changes)
    return data


def test_nobody_changes_their_own_bank_details(dual, world):
    lotse = world.lotse_a
    before = (lotse.iban, lotse.account_holder)
    page = dual.get(reverse("lotsen:edit", args=[lotse.pk])).content.decode()
    with translation.override("de"):
        assert escape(str(BANK_DETAILS_REFUSED)) in page
    dual.post(
        reverse("lotsen:edit", args=[lotse.pk]),
        _edit_data(lotse, iban=NEW_IBAN, account_holder="Jemand Anderes", phone="0521 123456"),
    )
    lotse.refresh_from_db()
    assert (lotse.iban, lotse.account_holder) == before
    assert lotse.phone == "0521 123456"  # the rest of the form is saved


def test_a_coordinator_without_payment_rights_cannot_replace_an_iban(client, world):
    Coordination.objects.filter(user=world.coordinator).update(handles_payments=False)
    client.force_login(world.coordinator)
    lotse = world.lotse_b
    before = lotse.iban
    client.post(reverse("lotsen:edit", args=[lotse.pk]), _edit_data(lotse, iban=NEW_IBAN))
    lotse.refresh_from_db()
    assert lotse.iban == before


def test_a_coordinator_without_payment_rights_cannot_enter_bank_details_for_a_new_lotse(client, world):
    Coordination.objects.filter(user=world.coordinator).update(handles_payments=False)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("lotsen:create"),
        {"first_name": "Neu", "last_name": "Lotsin", "region": world.owl.pk, "iban": NEW_IBAN},
    )
    assert response.status_code == 200
    with translation.override("de"):
        assert escape(str(BANK_DETAILS_REFUSED)) in response.content.decode()
    assert not Lotse.objects.filter(last_name="Lotsin").exists()


def test_the_payer_changes_another_lotses_iban(client, world):
    client.force_login(world.coordinator)
    reauthenticate(client)
    lotse = world.lotse_b
    response = client.post(reverse("lotsen:edit", args=[lotse.pk]), _edit_data(lotse, iban=NEW_IBAN))
    assert response.status_code == 302
    lotse.refresh_from_db()
    assert lotse.iban == NEW_IBAN
