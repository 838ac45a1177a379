"""Issue #11, point 2: a change of a Lotse's bank data is protected like a bank protects a new payee.

The Lotse is e-mailed (masked IBAN only), payers see "Bank data changed on …" on the queue, the claim and the
Lotse page, and the Lotse's claims are not paid until a second payer confirms or BANK_DATA_HOLD_DAYS passed.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import User
from allowances.models import AllowanceClaim, SelfDeclaration
from allowances.services import payouts
from audit.models import AuditEntry
from lotsen.models import Lotse
from lotsen.services.bank_data import NOT_A_PAYER, OWN_CHANGE
from portal.access import OWN_RECORD_REFUSED
from tests import factories as f
from tests.allowances.payout_helpers import confirm_latest, execution_day, pay, paying_account, prepare
from tests.allowances.test_separation_of_duties import _edit_data
from tests.auth import reauthenticate

Status = AllowanceClaim.Status
OLD_IBAN = "DE89370400440532013000"  # the factories' IBAN
NEW_IBAN = "DE02120300000000202051"  # a valid German test IBAN (last four: 2051)


def german(message) -> str:
    with translation.override("de"):
        return str(message)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def payable(world):
    """An approved claim of Lotse A (held after a change) and one of Lotse B, both with a declaration."""
    claim_a = f.AllowanceClaimFactory(
        lotse=world.lotse_a, contract=world.contract, month=datetime.date(2025, 3, 1), status=Status.APPROVED
    )
    claim_b = f.AllowanceClaimFactory(
        lotse=world.lotse_b,
        contract=f.ContractFactory(lotse=world.lotse_b),
        month=datetime.date(2025, 3, 1),
        status=Status.APPROVED,
    )
    for lotse in (world.lotse_a, world.lotse_b):
        SelfDeclaration.objects.create(lotse=lotse, year=2025, received_on=datetime.date(2025, 1, 5))
    return claim_a, claim_b


@pytest.fixture
def second_payer(world):
    user = f.UserFactory(email="zweite.zahlstelle@example.org", name="Zweite Zahlstelle")
    f.CoordinationFactory(user=user, region=world.owl, handles_payments=True)
    return user


def change_iban_as(client, user, lotse, iban=NEW_IBAN, **changes):
    """The payer changes the IBAN on the coordinator's edit form, after a fresh re-authentication."""
    client.force_login(user)
    reauthenticate(client)
    response = client.post(reverse("lotsen:edit", args=[lotse.pk]), _edit_data(lotse, iban=iban, **changes))
    assert response.status_code == 302, response.content.decode()[:1000]
    lotse.refresh_from_db()
    return response


def test_a_change_by_a_payer_emails_the_lotse_the_masked_iban_only(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_iban_as(client, world.coordinator, world.lotse_a)
    assert world.lotse_a.iban == NEW_IBAN
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["lotse.owl@example.org"]  # the login's address (no other on file)
    text = notice.subject + notice.body
    assert NEW_IBAN not in text and "DE02 1203 0000 0000 2020 51" not in text and OLD_IBAN not in text
    assert "20 51" in notice.body  # the last four digits, masked as on the pages
    assert "Bankdaten" in notice.subject  # German by default
    with translation.override("de"):
        assert date_format(timezone.localdate(), "DATE_FORMAT") in notice.body  # "30. November 2026"
    assert "Koordinator" in notice.body and world.coordinator.name not in notice.body  # the role, no name
    assert world.owl.coordinating_body in notice.body  # whom to contact
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BANK_DATA_CHANGED)
    assert (entry.actor, entry.subject_id, entry.region_id) == (
        world.coordinator,
        world.lotse_a.pk,
        world.owl.pk,
    )
    assert entry.details == {"fields": ["iban"]}


def test_a_change_of_the_address_and_the_bank_data_warns_the_old_address_too(
    client, world, django_capture_on_commit_callbacks
):
    """A Lotse without a login: whoever changes the e-mail address and the IBAN at once cannot keep the
    warning from the address on file before."""
    lotse = f.LotseFactory(region=world.owl, user=None, email="alt@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        change_iban_as(client, world.coordinator, lotse, email="neu@example.org")
    assert sorted(mail.outbox[0].to) == ["alt@example.org", "neu@example.org"]


def test_saving_without_a_bank_data_change_holds_nothing_and_sends_nothing(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_iban_as(client, world.coordinator, world.lotse_a, iban="", phone="0521 123456")
        change_iban_as(client, world.coordinator, world.lotse_a, iban=OLD_IBAN.lower())  # same IBAN
    assert world.lotse_a.phone == "0521 123456"
    assert not world.lotse_a.bank_data_on_hold() and world.lotse_a.bank_data_changed_at is None
    assert mail.outbox == [] and not AuditEntry.objects.filter(action="bank_data_changed").exists()


def test_queue_claim_page_and_lotse_page_show_the_change(client, world, payable):
    claim_a, claim_b = payable
    change_iban_as(client, world.coordinator, world.lotse_a)
    changed_on = timezone.localdate().strftime("%d.%m.%Y")
    with translation.override("de"):
        banner = gettext("Bank data changed on %(date)s") % {"date": changed_on}
    queue = client.get(reverse("claims:list"), {"status": "approved"}).content.decode()
    row_a = queue.split(f'id="claim-{claim_a.pk}"')[1].split("</tr>")[0]
    row_b = queue.split(f'id="claim-{claim_b.pk}"')[1].split("</tr>")[0]
    assert "Bankdaten geändert am " + changed_on in row_a and "data-bank-data-hold" not in row_b
    for url in (
        reverse("claims:detail", args=[claim_a.pk]),
        reverse("lotsen:detail", args=[world.lotse_a.pk]),
    ):
        page = client.get(url).content.decode()
        assert banner in page and "data-bank-data-hold" in page, url
    # the payer who made the change is not offered the confirmation
    assert reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk]) not in page
    assert (
        "data-bank-data-hold" not in client.get(reverse("claims:detail", args=[claim_b.pk])).content.decode()
    )


def test_a_held_claim_is_not_paid_and_the_rest_of_the_batch_is(client, world, payable):
    claim_a, claim_b = payable
    change_iban_as(client, world.coordinator, world.lotse_a)
    paying_account(world.owl)
    response = prepare(client, [claim_a.pk, claim_b.pk])
    changed_on = timezone.localdate().strftime("%d.%m.%Y")
    assert any(f"Bankdaten am {changed_on} geändert" in text for text in messages_of(response)), messages_of(
        response
    )
    confirm_latest(client)
    statuses = dict(AllowanceClaim.objects.values_list("pk", "status"))
    assert (statuses[claim_a.pk], statuses[claim_b.pk]) == (Status.APPROVED, Status.PAID)


def test_the_payer_who_changed_the_data_cannot_confirm_it(client, world, payable):
    change_iban_as(client, world.coordinator, world.lotse_a)
    response = client.post(reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk]))
    assert response.status_code == 302
    assert german(OWN_CHANGE) in messages_of(response)
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.bank_data_on_hold() and world.lotse_a.bank_data_confirmed_at is None
    assert not AuditEntry.objects.filter(action="bank_data_confirmed").exists()


def test_a_second_payer_confirms_and_the_claim_can_be_paid(client, world, payable, second_payer):
    claim_a, _claim_b = payable
    change_iban_as(client, world.coordinator, world.lotse_a)
    client.force_login(second_payer)
    page = client.get(reverse("lotsen:detail", args=[world.lotse_a.pk])).content.decode()
    assert reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk]) in page
    url = reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk])
    seen = {"version": world.lotse_a.bank_data_version}  # the change the page showed
    stale = client.post(url, seen)  # like the other bank-data actions: a fresh login first
    assert stale.status_code == 302 and "reauthenticate" in stale["Location"]
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.bank_data_on_hold()
    reauthenticate(client)
    assert client.post(url, seen).status_code == 302
    world.lotse_a.refresh_from_db()
    assert not world.lotse_a.bank_data_on_hold() and world.lotse_a.bank_data_confirmed_by == second_payer
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BANK_DATA_CONFIRMED)
    assert (entry.actor, entry.subject_id) == (second_payer, world.lotse_a.pk)
    # the payer who made the change pays now
    client.force_login(world.coordinator)
    reauthenticate(client)
    paying_account(world.owl)
    pay(client, [claim_a.pk])
    assert AllowanceClaim.objects.get(pk=claim_a.pk).status == Status.PAID


@pytest.mark.parametrize("hold_days", [7, 2])
def test_after_the_hold_days_the_claim_is_paid_without_confirmation(
    client, world, payable, settings, hold_days
):
    settings.BANK_DATA_HOLD_DAYS = hold_days
    claim_a, _claim_b = payable
    change_iban_as(client, world.coordinator, world.lotse_a)
    changed_at = world.lotse_a.bank_data_changed_at
    just_before = changed_at + datetime.timedelta(days=hold_days) - datetime.timedelta(minutes=1)
    just_after = changed_at + datetime.timedelta(days=hold_days)
    for now, held in ((just_before, True), (just_after, False)):
        assert world.lotse_a.bank_data_on_hold(now) is held
        # the query the lists use agrees with the method the pages and the pay service use
        assert Lotse.objects.bank_data_on_hold(now).filter(pk=world.lotse_a.pk).exists() is held
    paying_account(world.owl)
    result = payouts.create_batch(
        claim_ids=[claim_a.pk], execution_date=execution_day(), acting_user=world.coordinator
    )
    assert result.batch is None  # today: still held
    # the calendar moves on without anybody confirming
    Lotse.objects.filter(pk=world.lotse_a.pk).update(
        bank_data_changed_at=timezone.now() - (just_after - changed_at)
    )
    result = payouts.create_batch(
        claim_ids=[claim_a.pk], execution_date=execution_day(), acting_user=world.coordinator
    )
    assert list(result.batch.claims.values_list("pk", flat=True)) == [claim_a.pk]


def test_the_lotse_cannot_confirm_their_own_new_bank_data(client, world, payable):
    """Lotse A also pays OWL (as a coordinator): the change a colleague made to A's bank data still waits."""
    change_iban_as(client, world.coordinator, world.lotse_a)
    f.CoordinationFactory(user=world.lotse_a.user, region=world.owl, handles_payments=True)
    client.force_login(world.lotse_a.user)
    reauthenticate(client)
    response = client.post(reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk]))
    assert german(OWN_RECORD_REFUSED) in messages_of(response)
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.bank_data_on_hold()


def test_a_lotse_without_rights_gets_403(client, world):
    change_iban_as(client, world.coordinator, world.lotse_a)
    client.force_login(world.lotse_a.user)
    reauthenticate(client)
    assert client.post(reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk])).status_code == 403
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.bank_data_on_hold()


def test_staff_without_payment_rights_cannot_confirm(client, world):
    change_iban_as(client, world.coordinator, world.lotse_a)
    client.force_login(world.staff)
    reauthenticate(client)
    page = client.get(reverse("lotsen:detail", args=[world.lotse_a.pk])).content.decode()
    assert "data-bank-data-hold" in page
    assert reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk]) not in page
    response = client.post(reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk]))
    assert german(NOT_A_PAYER) in messages_of(response)
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.bank_data_on_hold() and world.lotse_a.bank_data_confirmed_at is None


def test_nothing_to_confirm_says_so(client, world, second_payer):
    client.force_login(second_payer)
    reauthenticate(client)
    response = client.post(reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk]))
    with translation.override("de"):
        assert gettext("There are no new bank details waiting for confirmation.") in messages_of(response)
    assert Lotse.objects.get(pk=world.lotse_a.pk).bank_data_confirmed_at is None


def test_a_change_in_the_admin_holds_the_payments_and_notifies(
    client, world, django_capture_on_commit_callbacks
):
    root = User.objects.create_superuser("root@example.org", "a-long-password-2014")
    lotse = world.lotse_b
    client.force_login(root)
    reauthenticate(client, password="a-long-password-2014")
    data = {
        "user": lotse.user_id,
        "first_name": lotse.first_name,
        "last_name": lotse.last_name,
        "email": lotse.email,
        "region": lotse.region_id,
        "organisations": [o.pk for o in lotse.organisations.all()],
        "expertise": "[]",
        "address_form": lotse.address_form,
        "status": lotse.status,
        "status_since": lotse.status_since.isoformat(),
        "joined_on": lotse.joined_on.isoformat(),
        "account_holder": "Jemand Anderes",
        "iban": lotse.iban,
        "contracts-TOTAL_FORMS": "0",
        "contracts-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:lotsen_lotse_change", args=[lotse.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    lotse.refresh_from_db()
    assert lotse.account_holder == "Jemand Anderes"
    assert lotse.bank_data_on_hold() and lotse.bank_data_changed_by == root
    assert mail.outbox[0].to == ["lotse.b@example.org"]
    assert "Jemand Anderes" not in mail.outbox[0].body
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BANK_DATA_CHANGED)
    assert entry.details == {"fields": ["account_holder"]}


def test_a_change_by_any_code_path_holds_the_payments(world, django_capture_on_commit_callbacks):
    """A service or a script that saves the model: held (changed by nobody known), recorded, e-mailed."""
    lotse = Lotse.objects.get(pk=world.lotse_a.pk)
    lotse.iban = NEW_IBAN
    with django_capture_on_commit_callbacks(execute=True):
        lotse.save(update_fields=["iban"])
    lotse.refresh_from_db()
    assert lotse.bank_data_on_hold() and lotse.bank_data_changed_by is None
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="bank_data_changed", subject=lotse).count() == 1


def test_existing_and_new_lotsen_are_not_on_hold(world):
    assert not Lotse.objects.bank_data_on_hold().exists()
    assert not world.lotse_a.bank_data_on_hold()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_transfer_file_marks_the_held_lotse(client, world, payable, fmt):
    """The claims to pay go to the bank from the export: a held Lotse's row says until when it waits."""
    from tests.allowances.test_claims_exports import read_csv, read_xlsx

    claim_a, claim_b = payable
    change_iban_as(client, world.coordinator, world.lotse_a)
    response = client.get(reverse(f"claims:export_{fmt}"))
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)

    def value(cell):
        return cell if fmt == "csv" else (cell.value or "")

    held = {int(value(row["Nr."])): value(row["Neue Bankdaten, gesperrt bis"]) for row in rows}
    until = timezone.localtime(world.lotse_a.bank_data_hold_until).strftime("%d.%m.%Y %H:%M")
    assert held[claim_a.pk] == until and held[claim_b.pk] == ""
    # the file the transfer is made from has no new bank details to transfer to while they are held
    bank = {int(value(row["Nr."])): (value(row["Kontoinhaber"]), value(row["IBAN"])) for row in rows}
    assert "gesperrt" in bank[claim_a.pk][1] and "gesperrt" in bank[claim_a.pk][0]
    assert NEW_IBAN not in str(bank) and "0202051" not in str(bank[claim_a.pk])
    assert "DE" in bank[claim_b.pk][1]  # the others are paid as usual


def test_whoever_changed_the_data_since_the_last_confirmation_cannot_confirm(
    client, world, payable, second_payer
):
    """Payer A sets an IBAN, payer B then corrects the holder: A cannot confirm (B's change made B the last
    one to change it, but A's IBAN is still unconfirmed), and neither can B."""
    change_iban_as(client, world.coordinator, world.lotse_a)
    change_iban_as(client, second_payer, world.lotse_a, account_holder="Korrigierte Inhaberin")
    url = reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk])
    for payer in (world.coordinator, second_payer):
        client.force_login(payer)
        reauthenticate(client)
        client.post(url, {"version": world.lotse_a.bank_data_version})
        world.lotse_a.refresh_from_db()
        assert world.lotse_a.bank_data_on_hold(), payer


def test_a_confirmation_is_for_the_details_the_payer_saw(client, world, payable, second_payer):
    change_iban_as(client, world.coordinator, world.lotse_a)
    seen = world.lotse_a.bank_data_version  # the second payer opens the page ...
    third = f.UserFactory(email="dritte.zahlstelle@example.org")
    f.CoordinationFactory(user=third, region=world.owl, handles_payments=True)
    change_iban_as(client, third, world.lotse_a, iban="DE75512108001245126199")  # ... someone changes it
    client.force_login(second_payer)
    reauthenticate(client)
    response = client.post(reverse("lotsen:confirm_bank_data", args=[world.lotse_a.pk]), {"version": seen})
    assert response.status_code == 302
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.bank_data_on_hold() and world.lotse_a.bank_data_confirmed_at is None


def test_bank_data_entered_with_a_new_lotse_is_in_the_audit_trail(client, world):
    client.force_login(world.coordinator)
    reauthenticate(client)
    response = client.post(
        reverse("lotsen:create"),
        {"first_name": "Neu", "last_name": "Lotsin", "region": world.owl.pk, "iban": NEW_IBAN},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    lotse = Lotse.objects.get(last_name="Lotsin")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BANK_DATA_CHANGED, subject=lotse)
    assert entry.actor == world.coordinator and entry.details == {"fields": ["iban"]}
