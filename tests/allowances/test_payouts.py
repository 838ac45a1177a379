"""Payout batches (issue #12, point 4): one summary message, a batch with reference, date, sum, count and the
region's paying account; its SEPA file valid and matching its CSV/XLSX; paid only when confirmed as sent;
cancelled before that; who may do what; constant queries with 1 and 500 claims (point 6)."""

import csv
import datetime
import io
import threading
import time
import xml.etree.ElementTree as ET
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from allowances import rules, sepa
from allowances.forms.claims import next_business_day
from allowances.models import AllowanceClaim, Contract, PayoutBatch, SelfDeclaration
from allowances.services import payouts
from allowances.views.payouts import summary_message
from audit.models import AuditEntry
from lotsen.models import Lotse
from regions.models import Coordination
from tests import factories as f
from tests.allowances.payout_helpers import OWL_ACCOUNT, execution_day, paying_account, prepare
from tests.auth import reauthenticate
from tests.conftest import requires_postgres

Status = AllowanceClaim.Status
MAY = datetime.date(2025, 5, 1)
JUNE = datetime.date(2025, 6, 1)
NS = {"p": sepa.NAMESPACE}


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def approved(lotse, when=MAY, amount="60.00", contract=None):
    return f.AllowanceClaimFactory(
        lotse=lotse,
        contract=contract or Contract.objects.filter(lotse=lotse).first() or f.ContractFactory(lotse=lotse),
        month=when,
        amount=Decimal(amount),
        status=Status.APPROVED,
    )


def declare(lotse, year=2025):
    SelfDeclaration.objects.get_or_create(
        lotse=lotse, year=year, defaults={"received_on": datetime.date(year, 1, 5)}
    )


@pytest.fixture
def payer(client, world):
    """The OWL coordinator (pays OWL) after a fresh re-authentication; OWL has its paying account."""
    paying_account(world.owl)
    client.force_login(world.coordinator)
    reauthenticate(client)
    return client


@pytest.fixture
def mixed(world):
    """Five approved OWL claims: three payable (120,50 + 60 + 45,25), two of Lotse B without a declaration."""
    a_may = approved(world.lotse_a, MAY, "120.50", world.contract)
    a_june = approved(world.lotse_a, JUNE, "60.00", world.contract)
    other = f.LotseFactory(region=world.owl, first_name="Olena", last_name="Kovalenko")
    o_may = approved(other, MAY, "45.25")
    b_may = approved(world.lotse_b, MAY)
    b_june = approved(world.lotse_b, JUNE)
    declare(world.lotse_a)
    declare(other)
    return {"payable": [a_may, a_june, o_may], "undeclared": [b_may, b_june]}


def _batch_of(claims) -> PayoutBatch:
    (batch_id,) = {c.payout_batch_id for c in AllowanceClaim.objects.filter(pk__in=[c.pk for c in claims])}
    return PayoutBatch.objects.get(pk=batch_id)


# -- one batch, one message -------------------------------------------------------------------------------
def test_mixed_selection_makes_one_batch_and_one_summary_message(payer, world, mixed):
    ids = [c.pk for c in mixed["payable"] + mixed["undeclared"]] + [world.claim.pk]  # + a submitted one
    response = prepare(payer, ids)
    batch = PayoutBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("claims:batch", args=[batch.pk])
    assert messages_of(response) == [
        f"Zahlungslauf {batch.reference} angelegt: 3 Abrechnungen, 225,75 €. "
        "3 nicht aufgenommen: keine Selbsterklärung für 2025 (2); nicht genehmigt (1)."
    ]
    assert set(batch.claims.values_list("pk", flat=True)) == {c.pk for c in mixed["payable"]}
    assert not AllowanceClaim.objects.filter(
        pk__in=[c.pk for c in mixed["undeclared"]], payout_batch__isnull=False
    )


def test_summary_message_plurals_in_english(world, mixed):
    paying_account(world.owl)
    with translation.override("en"):
        result = payouts.create_batch(
            claim_ids=[mixed["payable"][0].pk, *(c.pk for c in mixed["undeclared"])],
            execution_date=execution_day(),
            acting_user=world.coordinator,
        )
        text = summary_message(result)
        # (the reason's own wording comes from allowances.rules; the English catalogue of main has German
        # text for some of those msgids, so only the frame is asserted here)
        assert text.startswith(
            f"Payout batch {result.batch.reference} prepared: 1 claim, 120.50 €. 2 not added: "
        )
        assert text.endswith(" (2).")
        result.batch.count = 2
        result.skipped = result.skipped[:1]
        assert "2 claims" in summary_message(result) and "1 not added" in summary_message(result)
        assert summary_message(payouts.BatchResult(batch=None)) == "No payout batch was prepared."


def test_nothing_payable_makes_no_batch_and_says_why(payer, world, mixed):
    response = prepare(payer, [c.pk for c in mixed["undeclared"]])
    assert not PayoutBatch.objects.exists()
    assert messages_of(response) == [
        "Es wurde kein Zahlungslauf angelegt. 2 nicht aufgenommen: keine Selbsterklärung für 2025 (2)."
    ]


def test_the_confirmation_page_shows_count_and_sum_without_javascript(payer, world, mixed):
    ids = [c.pk for c in mixed["payable"] + mixed["undeclared"]]
    response = payer.post(reverse("claims:pay"), {"claims": ids})
    assert response.status_code == 200
    assert not PayoutBatch.objects.exists()  # only a look so far
    html = response.content.decode()
    assert "3 Abrechnungen, 225,75 €" in html
    assert html.count("Nein: keine Selbsterklärung für 2025") == 2
    # the next weekday is proposed as the execution date; only the payable claims are carried on
    assert f'value="{next_business_day(timezone.localdate()).isoformat()}"' in html
    assert html.count('type="hidden" name="claims"') == 3


# -- the batch's facts ------------------------------------------------------------------------------------
def test_batch_has_reference_date_sum_count_and_a_copy_of_the_paying_account(world, mixed):
    account = paying_account(world.owl)
    day = execution_day()
    result = payouts.create_batch(
        claim_ids=[c.pk for c in mixed["payable"]], execution_date=day, acting_user=world.coordinator
    )
    batch = result.batch
    assert batch.reference == f"LP-OWL-{day:%Y-%m}-{batch.pk:04d}"
    assert (batch.execution_date, batch.count, batch.total) == (day, 3, Decimal("225.75"))
    assert (batch.status, batch.created_by, batch.region) == ("prepared", world.coordinator, world.owl)
    assert (batch.debtor_name, batch.debtor_iban, batch.debtor_bic) == (
        OWL_ACCOUNT["account_holder"],
        OWL_ACCOUNT["iban"],
        OWL_ACCOUNT["bic"],
    )
    # a later change of the region's account does not rewrite the batch
    account.iban, account.account_holder = "DE89370400440532013000", "Neuer Träger"
    account.save()
    batch.refresh_from_db()
    assert (batch.debtor_iban, batch.debtor_name) == (OWL_ACCOUNT["iban"], OWL_ACCOUNT["account_holder"])


def test_a_region_without_paying_account_gets_a_clear_error(world, mixed):
    with translation.override("en"), pytest.raises(ValidationError, match="no paying account yet"):
        payouts.create_batch(
            claim_ids=[mixed["payable"][0].pk], execution_date=execution_day(), acting_user=world.coordinator
        )
    assert not PayoutBatch.objects.exists()


def test_claims_of_two_regions_need_two_batches(world, mixed):
    paying_account(world.owl)
    paying_account(world.siegen, iban="DE89370400440532013000")
    superuser = f.UserFactory(email="admin@example.org", is_superuser=True)
    siegen = approved(world.lotse_siegen, MAY)
    declare(world.lotse_siegen)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        payouts.create_batch(
            claim_ids=[mixed["payable"][0].pk, siegen.pk],
            execution_date=execution_day(),
            acting_user=superuser,
        )
    assert (
        "belong to 2 regions" in error.value.messages[0] and "one batch per region" in error.value.messages[0]
    )
    for claims in ([mixed["payable"][0]], [siegen]):
        payouts.create_batch(
            claim_ids=[c.pk for c in claims], execution_date=execution_day(), acting_user=superuser
        )
    assert PayoutBatch.objects.count() == 2


def test_an_execution_date_in_the_past_is_refused(payer, world, mixed):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = prepare(payer, [mixed["payable"][0].pk], execution_date=yesterday.isoformat())
    assert response.status_code == 400
    assert "Das Ausführungsdatum kann nicht in der Vergangenheit liegen." in response.content.decode()
    assert not PayoutBatch.objects.exists()


# -- the files --------------------------------------------------------------------------------------------
def _csv_rows(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


def test_sepa_file_validates_and_matches_batch_csv_and_xlsx(payer, world, mixed):
    prepare(payer, [c.pk for c in mixed["payable"]])
    batch = PayoutBatch.objects.get()

    response = payer.get(reverse("claims:batch_sepa", args=[batch.pk]))
    assert response.status_code == 200
    assert f'filename="{batch.reference}.xml"' in response["Content-Disposition"]
    sepa.validate_xml(response.content)  # pain.001.001.09 schema
    document = ET.fromstring(response.content)  # noqa: S314 - our own file
    header = document.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header.find("p:MsgId", NS).text == batch.reference
    assert Decimal(header.find("p:CtrlSum", NS).text) == batch.total == Decimal("225.75")
    assert int(header.find("p:NbOfTxs", NS).text) == batch.count == 3
    info = document.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info.find("p:ReqdExctnDt/p:Dt", NS).text == batch.execution_date.isoformat()
    assert info.find("p:DbtrAcct/p:Id/p:IBAN", NS).text == OWL_ACCOUNT["iban"]
    xml_amounts = sorted(Decimal(a.text) for a in document.iterfind(".//p:InstdAmt", NS))

    header_row, rows = _csv_rows(payer.get(reverse("claims:batch_csv", args=[batch.pk])))
    assert header_row[:5] == ["Nr.", "Nachname", "Vorname", "Monat", "Betrag (EUR)"]
    *transfers, total_row = rows
    csv_amounts = sorted(Decimal(r[4].replace(",", ".")) for r in transfers)
    assert csv_amounts == xml_amounts
    assert Decimal(total_row[4].replace(",", ".")) == batch.total and total_row[1] == "Summe"
    months = {r[0]: r[3] for r in transfers}
    assert months[str(mixed["payable"][1].pk)] == "06/2025"  # the month, never 01.06.2025
    assert {r[6] for r in transfers} >= {"DE89 3704 0044 0532 0130 00"}  # full IBANs for the payer

    sheet = openpyxl.load_workbook(
        io.BytesIO(payer.get(reverse("claims:batch_xlsx", args=[batch.pk])).content)
    ).active
    body = [row for row in sheet.iter_rows(min_row=2) if isinstance(row[0].value, int)]
    assert sorted(Decimal(str(row[4].value)) for row in body) == xml_amounts
    assert {row[3].number_format for row in body} == {"MM/YYYY"}
    summe = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "Summe")
    assert Decimal(str(summe[4].value)) == batch.total

    # every file with full IBANs is one export entry, and one "IBAN seen" per payee
    exports = AuditEntry.objects.filter(action="export_personal", details__export="payout_batch")
    assert sorted(e.details["format"] for e in exports) == ["csv", "xlsx", "xml"]
    assert {e.details["full_ibans"] for e in exports} == {2}  # Lotse A (two claims) and Olena


def test_files_for_someone_who_sees_but_does_not_pay_have_masked_ibans(client, world, mixed):
    paying_account(world.owl)
    result = payouts.create_batch(
        claim_ids=[c.pk for c in mixed["payable"]],
        execution_date=execution_day(),
        acting_user=world.coordinator,
    )
    client.force_login(world.staff)
    response = client.get(reverse("claims:batch_csv", args=[result.batch.pk]))
    assert response.status_code == 200
    assert b"DE89 3704 0044 0532 0130 00" not in response.content and b"DE89 **** " in response.content
    assert client.get(reverse("claims:batch_sepa", args=[result.batch.pk])).status_code == 403
    page = client.get(reverse("claims:batch", args=[result.batch.pk])).content.decode()
    assert (
        OWL_ACCOUNT["iban"] not in page
        and reverse("claims:batch_confirm_sent", args=[result.batch.pk]) not in page
    )


# -- sent, cancelled ---------------------------------------------------------------------------------------
def test_confirm_sent_pays_the_claims_and_records_each(payer, world, mixed):
    prepare(payer, [c.pk for c in mixed["payable"]])
    batch = PayoutBatch.objects.get()
    assert set(AllowanceClaim.objects.filter(payout_batch=batch).values_list("status", flat=True)) == {
        "approved"
    }
    response = payer.post(reverse("claims:batch_confirm_sent", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.sent_by) == ("sent", world.coordinator) and batch.sent_at
    claims = AllowanceClaim.objects.filter(payout_batch=batch)
    assert {(c.status, c.paid_by_id) for c in claims} == {("paid", world.coordinator.pk)}
    entries = AuditEntry.objects.filter(action="claim_paid")
    assert sorted(int(e.target_id) for e in entries) == sorted(c.pk for c in mixed["payable"])
    assert {e.details["batch"] for e in entries} == {batch.reference}
    # a second confirmation changes nothing
    response = payer.post(reverse("claims:batch_confirm_sent", args=[batch.pk]))
    assert "nicht mehr offen" in messages_of(response)[-1]


def test_cancel_frees_the_claims_for_a_new_batch(payer, world, mixed):
    prepare(payer, [c.pk for c in mixed["payable"]])
    batch = PayoutBatch.objects.get()
    # while in the batch a claim cannot go into another one
    with translation.override("en"):
        again = payouts.create_batch(
            claim_ids=[mixed["payable"][0].pk], execution_date=execution_day(), acting_user=world.coordinator
        )
    assert again.batch is None and again.skipped[0][1] == "already in a payout batch"
    payer.post(reverse("claims:batch_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.cancelled_by) == ("cancelled", world.coordinator)
    assert (batch.count, batch.total) == (3, Decimal("225.75"))  # what it was, for the record
    claims = list(
        rules.with_cap_figures(AllowanceClaim.objects.filter(pk__in=[c.pk for c in mixed["payable"]]))
    )
    assert {(c.status, c.payout_batch_id) for c in claims} == {("approved", None)}
    assert all(
        rules.why_not_payable(c, user=world.coordinator, declaration_on_file=c.declaration_on_file) is None
        for c in claims
    )
    prepare(payer, [c.pk for c in mixed["payable"]])
    assert PayoutBatch.objects.filter(status="prepared").count() == 1
    # a cancelled batch has no file
    response = payer.get(reverse("claims:batch_sepa", args=[batch.pk]))
    assert response.status_code == 302 and "storniert" in messages_of(response)[-1]


def test_a_sent_batch_cannot_be_cancelled(payer, world, mixed):
    prepare(payer, [c.pk for c in mixed["payable"]])
    batch = PayoutBatch.objects.get()
    payer.post(reverse("claims:batch_confirm_sent", args=[batch.pk]))
    response = payer.post(reverse("claims:batch_cancel", args=[batch.pk]))
    assert messages_of(response)[-1] == (
        "Dieser Zahlungslauf wurde an die Bank übermittelt und kann nicht mehr storniert werden."
    )
    batch.refresh_from_db()
    assert batch.status == "sent"
    assert set(AllowanceClaim.objects.filter(payout_batch=batch).values_list("status", flat=True)) == {"paid"}


def test_bank_data_changed_after_preparing_stops_file_and_confirmation(payer, world, mixed):
    prepare(payer, [c.pk for c in mixed["payable"]])
    batch = PayoutBatch.objects.get()
    lotse = Lotse.objects.get(pk=world.lotse_a.pk)
    lotse.iban = "DE02120300000000202051"
    lotse.save(acting_user=world.staff)
    # confirmed by a second payer at once: no hold any more, but not the account the file was made for
    Lotse.objects.filter(pk=lotse.pk).update(bank_data_confirmed_at=timezone.now())
    assert payer.get(reverse("claims:batch_sepa", args=[batch.pk])).status_code == 302
    response = payer.post(reverse("claims:batch_confirm_sent", args=[batch.pk]))
    assert "Bankdaten von Ayşe Güllüoğlu wurden nach der Vorbereitung" in messages_of(response)[-1]
    assert not AllowanceClaim.objects.filter(status="paid").exists()
    page = payer.get(reverse("claims:batch", args=[batch.pk])).content.decode()
    assert "Bitte stornieren Sie den Zahlungslauf" in page


# -- who may ------------------------------------------------------------------------------------------------
def test_another_regions_batch_is_404_and_lotsen_get_403(client, world, mixed):
    paying_account(world.owl)
    result = payouts.create_batch(
        claim_ids=[mixed["payable"][0].pk], execution_date=execution_day(), acting_user=world.coordinator
    )
    pk = result.batch.pk
    client.force_login(world.other_coordinator)
    reauthenticate(client)
    for name in ("claims:batch", "claims:batch_sepa", "claims:batch_csv", "claims:batch_xlsx"):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("claims:batch_cancel", args=[pk])).status_code == 404
    assert pk not in [b.pk for b in client.get(reverse("claims:batches")).context["batches"]]
    client.force_login(world.lotse_a.user)
    reauthenticate(client)
    for name in ("claims:batch", "claims:batch_sepa", "claims:batch_csv"):
        assert client.get(reverse(name, args=[pk])).status_code == 403, name
    assert client.get(reverse("claims:batches")).status_code == 403
    assert client.post(reverse("claims:batch_confirm_sent", args=[pk])).status_code == 403
    assert PayoutBatch.objects.get(pk=pk).status == "prepared"


def test_the_payer_who_is_the_lotse_never_batches_or_confirms_their_own_claim(client, world, mixed):
    paying_account(world.owl)
    f.CoordinationFactory(user=world.lotse_a.user, region=world.owl, handles_payments=True)
    dual = world.lotse_a.user
    own, other = mixed["payable"][0], mixed["payable"][2]
    result = payouts.create_batch(
        claim_ids=[own.pk, other.pk], execution_date=execution_day(), acting_user=dual
    )
    assert [c.pk for c in result.batch.claims.all()] == [other.pk]
    assert [c.pk for c, _reason in result.skipped] == [own.pk]
    payouts.cancel_batch(batch=result.batch, acting_user=dual)
    # a colleague batches Lotse A's claim: Lotse A may not confirm that batch
    result = payouts.create_batch(
        claim_ids=[own.pk], execution_date=execution_day(), acting_user=world.coordinator
    )
    with pytest.raises(ValidationError):
        payouts.confirm_sent(batch=result.batch, acting_user=dual)
    assert AllowanceClaim.objects.get(pk=own.pk).status == "approved"


def test_a_coordinator_who_does_not_pay_can_neither_batch_nor_confirm(client, world, mixed):
    paying_account(world.owl)
    result = payouts.create_batch(
        claim_ids=[mixed["payable"][0].pk], execution_date=execution_day(), acting_user=world.coordinator
    )
    Coordination.objects.filter(user=world.coordinator).update(handles_payments=False)
    client.force_login(world.coordinator)
    reauthenticate(client)
    response = prepare(client, [mixed["payable"][1].pk])
    assert PayoutBatch.objects.count() == 1
    assert messages_of(response) == [
        "Es wurde kein Zahlungslauf angelegt. "
        "1 nicht aufgenommen: Sie sind für die Auszahlungen dieser Region nicht zuständig (1)."
    ]
    assert client.post(reverse("claims:batch_confirm_sent", args=[result.batch.pk])).status_code == 403
    assert client.post(reverse("claims:batch_cancel", args=[result.batch.pk])).status_code == 403
    assert client.get(reverse("claims:batch_sepa", args=[result.batch.pk])).status_code == 403
    from accounts.models import User

    with pytest.raises(PermissionDenied):
        payouts.confirm_sent(batch=result.batch, acting_user=User.objects.get(pk=world.coordinator.pk))
    assert PayoutBatch.objects.get(pk=result.batch.pk).status == "prepared"


# -- the pay page -----------------------------------------------------------------------------------------
def test_pay_page_rows_select_all_and_running_total_markup(payer, world, mixed):
    html = payer.get(reverse("claims:list"), {"status": "approved"}).content.decode()
    for claim in mixed["payable"]:
        assert f'value="{claim.pk}" id="pay-{claim.pk}" data-pay-claim data-amount="{claim.amount}"' in html
    for claim in mixed["undeclared"]:
        assert f'id="pay-{claim.pk}" disabled' in html
    assert html.count("Nicht auszahlbar: keine Selbsterklärung für 2025") == 2
    assert "data-select-all" in html and "data-pay-total" in html and "js/payouts.js" in html


def test_pay_page_names_a_region_without_paying_account(client, world, mixed):
    client.force_login(world.coordinator)
    html = client.get(reverse("claims:list"), {"status": "approved"}).content.decode()
    assert "Für Ostwestfalen-Lippe ist noch kein Auszahlungskonto hinterlegt" in html


# -- constant queries (issue #12, point 6) -----------------------------------------------------------------
def _bulk_claims(world, count) -> list[int]:
    """``count`` payable OWL claims of as many Lotsen, inserted in bulk."""
    lotsen = Lotse.objects.bulk_create(
        [
            Lotse(
                region=world.owl,
                first_name=f"Vorname{i}",
                last_name=f"Nachname{i}",
                status=Lotse.Status.ACTIVE,
                iban="DE89370400440532013000",
                account_holder=f"Vorname{i} Nachname{i}",
            )
            for i in range(count)
        ]
    )
    contracts = Contract.objects.bulk_create(
        [Contract(lotse=lotse, starts_on=datetime.date(2025, 1, 1), rate=Decimal("60")) for lotse in lotsen]
    )
    SelfDeclaration.objects.bulk_create(
        [SelfDeclaration(lotse=lotse, year=2025, received_on=datetime.date(2025, 1, 2)) for lotse in lotsen]
    )
    claims = AllowanceClaim.objects.bulk_create(
        [
            AllowanceClaim(
                lotse=lotse, contract=contract, month=MAY, amount=Decimal("60.00"), status=Status.APPROVED
            )
            for lotse, contract in zip(lotsen, contracts, strict=True)
        ]
    )
    return [claim.pk for claim in claims]


def _batch_in_bulk(world, ids) -> PayoutBatch:
    batch = PayoutBatch.objects.create(
        region=world.owl,
        reference=f"LP-OWL-TEST-{len(ids)}",
        execution_date=execution_day(),
        total=Decimal("60.00") * len(ids),
        count=len(ids),
        debtor_name=OWL_ACCOUNT["account_holder"],
        debtor_iban=OWL_ACCOUNT["iban"],
        debtor_bic=OWL_ACCOUNT["bic"],
    )
    AllowanceClaim.objects.filter(pk__in=ids).update(payout_batch=batch)
    return batch


PAGES = ["pay_page", "confirmation", "batch_page", "batch_list"]


@pytest.mark.parametrize("page", PAGES)
def test_pages_run_the_same_queries_with_1_and_500_claims(payer, world, page):
    counts = []
    for count in (1, 500):
        AllowanceClaim.objects.exclude(pk=world.claim.pk).update(payout_batch=None)
        PayoutBatch.objects.all().delete()
        AllowanceClaim.objects.exclude(pk=world.claim.pk).delete()
        ids = _bulk_claims(world, count)
        if page in ("batch_page", "batch_list"):
            batch = _batch_in_bulk(world, ids)
        with CaptureQueriesContext(connection) as queries:
            if page == "pay_page":
                response = payer.get(reverse("claims:list"), {"status": "approved"})
            elif page == "confirmation":
                response = payer.post(reverse("claims:pay"), {"claims": ids})
            elif page == "batch_page":
                response = payer.get(reverse("claims:batch", args=[batch.pk]))
            else:
                response = payer.get(reverse("claims:batches"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(("page", "limit"), [("pay_page", 7), ("batch_page", 8)])
def test_pay_page_and_batch_page_query_budget(payer, world, django_assert_max_num_queries, page, limit):
    ids = _bulk_claims(world, 500)
    batch = _batch_in_bulk(world, ids[:250])
    with django_assert_max_num_queries(limit):
        if page == "pay_page":
            response = payer.get(reverse("claims:list"), {"status": "approved"})
        else:
            response = payer.get(reverse("claims:batch", args=[batch.pk]))
    assert response.status_code == 200


# -- two payers at once (PostgreSQL) -------------------------------------------------------------------------
@requires_postgres
def test_two_payers_batching_the_same_claims_at_once(transactional_db, world):
    paying_account(world.owl)
    second_payer = f.UserFactory(email="kasse.owl@example.org")
    f.CoordinationFactory(user=second_payer, region=world.owl, handles_payments=True)
    claims = [approved(world.lotse_b, MAY), approved(world.lotse_b, JUNE)]
    declare(world.lotse_b)
    ids = [c.pk for c in claims]
    first_holds_lock = threading.Event()
    outcomes: dict[str, object] = {}

    def first():
        try:
            with translation.override("en"), transaction.atomic():
                outcomes["first"] = payouts.create_batch(
                    claim_ids=ids, execution_date=execution_day(), acting_user=world.coordinator
                )
                first_holds_lock.set()
                time.sleep(0.6)  # still inside the transaction: the claim rows stay locked
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes["first"] = exc
        finally:
            first_holds_lock.set()
            connection.close()

    def second():
        first_holds_lock.wait(5)
        started = time.monotonic()
        try:
            translation.activate("en")
            outcomes["second"] = payouts.create_batch(
                claim_ids=ids, execution_date=execution_day(), acting_user=second_payer
            )
        except Exception as exc:  # noqa: BLE001
            outcomes["second"] = exc
        finally:
            outcomes["waited"] = time.monotonic() - started
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert outcomes["first"].batch is not None
    assert outcomes["second"].batch is None  # it waited, then found the claims taken
    assert {reason for _c, reason in outcomes["second"].skipped} == {"already in a payout batch"}
    assert outcomes["waited"] >= 0.3
    assert PayoutBatch.objects.count() == 1
    assert set(AllowanceClaim.objects.filter(pk__in=ids).values_list("payout_batch", flat=True)) == {
        outcomes["first"].batch.pk
    }
