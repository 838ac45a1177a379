"""The statement of a paid claim, the year-end statement (figures against the payouts, versions, /verify/),
the annual evaluation and the retention of the new records."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from allowances.models import AllowanceClaim
from audit.models import AuditEntry
from billing import services
from billing.models import BillingRun, ClaimStatement, YearEndStatement
from privacy import retention
from tests import factories as f
from tests.billing.helpers import approved_claim, caps, on_day, pay

LAST_YEAR = timezone.localdate().year - 1


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def download(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def paid_year(world, django_capture_on_commit_callbacks):
    """Lotse A: March, April and May of last year paid in two batches (on 5 May and 5 June of last year),
    June approved (not paid)."""
    caps()
    AllowanceClaim.objects.filter(pk=world.claim.pk).delete()
    contract = world.contract
    contract.starts_on, contract.rate = datetime.date(LAST_YEAR, 1, 1), Decimal("250")
    contract.save(update_fields=["starts_on", "rate"])
    march, april, may = (
        approved_claim(world.lotse_a, datetime.date(LAST_YEAR, m, 1), amount, contract=contract)
        for m, amount in ((3, "250.00"), (4, "200.00"), (5, "250.00"))
    )
    approved_claim(world.lotse_a, datetime.date(LAST_YEAR, 6, 1), "250.00", contract=contract)
    with on_day(datetime.date(LAST_YEAR, 5, 5)), django_capture_on_commit_callbacks(execute=True):
        pay([march, april], world.coordinator)
    with on_day(datetime.date(LAST_YEAR, 6, 5)), django_capture_on_commit_callbacks(execute=True):
        pay([may], world.coordinator)
    return [march, april, may]


@pytest.fixture
def issue(world, django_capture_on_commit_callbacks):
    """Issue OWL's statements of last year as its payer; the worker renders them after the commit."""

    def issue_now():
        with django_capture_on_commit_callbacks(execute=True):
            return services.issue_year_end(region=world.owl, year=LAST_YEAR, acting_user=world.coordinator)

    return issue_now


def test_paying_renders_each_claims_statement_once(world, paid_year, lotse_client):
    assert ClaimStatement.objects.exclude(file="").count() == 3
    assert services.render_claim_statements([c.pk for c in paid_year]) == 0  # idempotent
    response = lotse_client.get(reverse("billing:claim_statement", args=[paid_year[1].pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    batch = AllowanceClaim.objects.get(pk=paid_year[1].pk).payout_batch
    assert "Ayşe Güllüoğlu" in text and "April" in text and "200,00 €" in text
    assert batch.reference in text and "Regionalagentur OWL" in text
    # the year's use so far: March and April, 450 € of the 840 € Ehrenamtspauschale (53,6 %)
    assert "450,00 €" in text and "53,6 %" in text
    # the account masked, never in full
    assert "DE89 **** **** **** **30 00" in text and "DE89370400440532013000" not in text.replace(" ", "")


def test_a_missing_statement_file_is_made_for_the_download_and_stored_by_the_sweep(
    world, paid_year, coordinator_client
):
    from billing.tasks import render_missing_statements

    statement = ClaimStatement.objects.get(claim=paid_year[0])
    statement.file.delete(save=False)
    response = coordinator_client.get(reverse("billing:claim_statement", args=[paid_year[0].pk]))
    assert response.status_code == 200 and "März" in pdf_text(response.content)
    assert AuditEntry.objects.filter(action="export_personal", details__export="claim_statement").exists()
    assert render_missing_statements.delay().get() == 1
    statement.refresh_from_db()
    assert statement.file.storage.exists(statement.file.name)


def test_the_nightly_sweep_renders_statements_whose_task_was_lost(world, paid_year):
    from billing.tasks import render_missing_statements

    ClaimStatement.objects.all().delete()
    assert render_missing_statements.delay().get() == 3
    assert render_missing_statements.delay().get() == 0


def test_an_unpaid_claim_has_no_statement(world, lotse_client):
    assert lotse_client.get(reverse("billing:claim_statement", args=[world.claim.pk])).status_code == 404


def test_the_year_end_statement_adds_up_the_payouts(world, paid_year, issue, lotse_client):
    result = issue()
    assert (result.new, result.reissued) == (1, 0)
    statement = YearEndStatement.objects.get()
    assert statement.status == "issued"  # rendered by the worker (eager here) after the commit
    paid = sum(
        (
            Decimal(t["amount"])
            for c in paid_year
            for t in AllowanceClaim.objects.get(pk=c.pk).payout_batch.transfers
            if t["claim"] == c.pk
        ),
        Decimal("0"),
    )
    assert statement.total == paid == Decimal("700.00")
    text = pdf_text(download(lotse_client.get(reverse("billing:year_end_download", args=[statement.pk]))))
    for month in ("März", "April", "Mai"):
        assert f"{month} {LAST_YEAR}" in text
    assert "Juni" not in text  # approved, not paid
    assert "700,00 €" in text and "Ehrenamtspauschale" in text and "83,3 %" in text
    assert "Claudia Koordinat" in text and "Regionalagentur OWL" in text
    assert statement.verification_code in text


def test_the_year_end_statement_holds_the_payments_received_in_the_year(
    world, paid_year, issue, django_capture_on_commit_callbacks
):
    """§ 11 EStG: the year of payment counts, not the month claimed. A December claim of the year before,
    paid at 00:30 on 1 January of last year (still 31 December in UTC), is on last year's statement."""
    world.contract.starts_on = datetime.date(LAST_YEAR - 1, 1, 1)
    world.contract.save(update_fields=["starts_on"])
    december = approved_claim(world.lotse_a, datetime.date(LAST_YEAR - 1, 12, 1), "100.00", world.contract)
    with on_day(datetime.date(LAST_YEAR, 1, 1), 0, 30), django_capture_on_commit_callbacks(execute=True):
        pay([december], world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        before = services.issue_year_end(region=world.owl, year=LAST_YEAR - 1, acting_user=world.coordinator)
    assert before.batch is None and not YearEndStatement.objects.exists()
    issue()
    statement = YearEndStatement.objects.get()
    assert (statement.year, statement.total) == (LAST_YEAR, Decimal("800.00"))
    text = pdf_text(statement.file.read())
    assert f"Dezember {LAST_YEAR - 1}" in text and f"01.01.{LAST_YEAR}" in text
    # the cap use counts the same payments: 800 € of 840 €
    assert "800,00 €" in text and "95,2 %" in text and "Zuflussprinzip" in text


def test_money_above_the_cap_is_printed_as_not_covered(world, paid_year, issue):
    june = AllowanceClaim.objects.get(month=datetime.date(LAST_YEAR, 6, 1))
    with on_day(datetime.date(LAST_YEAR, 7, 6)):
        pay([june], world.coordinator)
    issue()
    text = " ".join(pdf_text(YearEndStatement.objects.get().file.read()).split())
    # 950 € paid under the 840 € Ehrenamtspauschale: 110 € are not covered by it
    assert "950,00 €" in text and "113,1 %" in text
    assert "nicht durch den Freibetrag gedeckt: 110,00 €" in text
    assert "im Rahmen des genannten Freibetrags gezahlt" not in text


def test_issuing_again_issues_nothing_new_and_a_changed_payment_makes_version_two(
    world, paid_year, issue, client
):
    issue()
    again = issue()
    assert (again.batch, again.unchanged) == (None, 1)
    first = YearEndStatement.objects.get()
    # a correction: June paid later that year
    june = AllowanceClaim.objects.get(month=datetime.date(LAST_YEAR, 6, 1))
    with on_day(datetime.date(LAST_YEAR, 12, 18)):
        pay([june], world.coordinator)
    result = issue()
    assert result.reissued == 1
    first.refresh_from_db()
    second = YearEndStatement.objects.get(version=2)
    assert first.status == "superseded" and second.status == "issued" and second.total == Decimal("950.00")
    old = client.get(reverse("verify:code", args=[first.verification_code]))
    assert old.status_code == 200 and 'data-status="superseded"' in old.content.decode()
    new = client.get(reverse("verify:code", args=[second.verification_code]))
    assert 'data-status="valid"' in new.content.decode()
    assert "950" not in new.content.decode()  # no amounts on the public page


def test_the_old_version_stays_valid_until_the_new_one_is_issued(
    world, paid_year, issue, client, monkeypatch, caplog
):
    issue()
    first = YearEndStatement.objects.get()
    june = AllowanceClaim.objects.get(month=datetime.date(LAST_YEAR, 6, 1))
    with on_day(datetime.date(LAST_YEAR, 12, 18)):
        pay([june], world.coordinator)
    verify = reverse("verify:code", args=[first.verification_code])

    # version 2 fails to render: version 1 is still the valid one
    def broken(statements):
        raise RuntimeError("font missing")

    monkeypatch.setattr("billing.statements.year_end_pdfs", broken)
    issue()
    assert "rendering year-end statement" in caplog.text
    caplog.clear()  # the expected error of the broken renderer
    second = YearEndStatement.objects.get(version=2)
    first.refresh_from_db()
    assert (first.status, second.status) == ("issued", "failed")
    assert 'data-status="valid"' in client.get(verify).content.decode()
    monkeypatch.undo()

    # version 3 waits for the nightly sweep (queue down): still version 1 is valid
    with transaction.atomic():
        result = services.issue_year_end(region=world.owl, year=LAST_YEAR, acting_user=world.coordinator)
    third = YearEndStatement.objects.get(version=3)
    assert result.reissued == 1 and third.status == "pending"
    assert 'data-status="valid"' in client.get(verify).content.decode()
    # rendered: now version 1 is superseded, in the same step
    assert services.render_year_end([third.pk]) == {"issued": 1, "failed": 0}
    first.refresh_from_db()
    assert first.status == "superseded" and first.superseded_at is not None
    assert 'data-status="superseded"' in client.get(verify).content.decode()


def test_the_verify_page_checks_an_uploaded_statement(world, paid_year, issue, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    issue()
    statement = YearEndStatement.objects.get()
    data = statement.file.read()
    url = reverse("verify:code", args=[statement.verification_code])
    response = client.post(url, {"file": SimpleUploadedFile("s.pdf", data, content_type="application/pdf")})
    assert 'data-result="matches"' in response.content.decode()


def test_the_january_task_issues_every_region_once(world, paid_year):
    from billing.tasks import issue_year_end_statements

    assert issue_year_end_statements.delay().get() == 1
    assert issue_year_end_statements.delay().get() == 0
    statement = YearEndStatement.objects.get()
    # issued by the worker: signed by the region's payer
    assert statement.signer_name == "Claudia Koordinat" and statement.issued_by is None


def test_no_one_signs_their_own_year_end_statement(world, paid_year, django_capture_on_commit_callbacks):
    """The OWL payer is also a Lotse, paid by a second payer: the worker's statement of the payer is signed
    by the second payer, the others by the first payer by name; the role is the payer's."""
    from billing.tasks import issue_year_end_statements

    second = f.UserFactory(email="zweite.zahlerin@example.org", name="Zoe Zahlerin")
    f.CoordinationFactory(user=second, region=world.owl, handles_payments=True)
    payer_lotse = f.LotseFactory(region=world.owl, first_name="Claudia", user=world.coordinator)
    claim = approved_claim(
        payer_lotse, datetime.date(LAST_YEAR, 3, 1), "100.00", f.ContractFactory(lotse=payer_lotse)
    )
    with on_day(datetime.date(LAST_YEAR, 4, 2)), django_capture_on_commit_callbacks(execute=True):
        pay([claim], second)
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_year_end_statements.delay().get() == 1
    signers = {s.lotse_id: (s.signer_name, s.signer_role) for s in YearEndStatement.objects.all()}
    assert signers[payer_lotse.pk][0] == "Zoe Zahlerin"
    assert signers[world.lotse_a.pk][0] == "Claudia Koordinat"
    assert all(
        role.startswith("Koordination, Auszahlung der Aufwandsentschädigungen")
        for _, role in signers.values()
    )
    text = pdf_text(YearEndStatement.objects.get(lotse=payer_lotse).file.read())
    assert "Zoe Zahlerin" in text and "Claudia Koordinat" not in text


def test_the_batch_zip_holds_the_statements_and_is_audited(world, paid_year, issue, coordinator_client):
    import zipfile

    result = issue()
    page = coordinator_client.get(reverse("billing:year_end_batch", args=[result.batch.pk]))
    assert page.context["progress"] == {"done": 1, "failed": 0, "total": 1, "finished": True}
    response = coordinator_client.get(reverse("billing:year_end_batch_zip", args=[result.batch.pk]))
    archive = zipfile.ZipFile(io.BytesIO(download(response)))
    assert len(archive.namelist()) == 1
    assert AuditEntry.objects.filter(details__export="year_end_statements_zip", details__rows=1).exists()


def test_the_annual_evaluation_counts_per_region_and_month(world, paid_year, client):
    siegen = approved_claim(world.lotse_siegen, datetime.date(LAST_YEAR, 3, 1), "100.00")
    AllowanceClaim.objects.filter(pk=siegen.pk).update(status="rejected")
    client.force_login(world.staff)
    response = client.get(reverse("billing:evaluation", args=[LAST_YEAR]))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    by_key = {(r[0], r[1].month): r for r in rows}
    march = by_key[("Ostwestfalen-Lippe", 3)]
    assert march[2:] == (1, 250, 1, 250, 0, 0, 1, 250)
    assert by_key[("Siegen-Wittgenstein/Olpe", 3)][6:8] == (1, 100)
    june = by_key[("Ostwestfalen-Lippe", 6)]
    assert june[4:6] == (1, 250) and june[8:] == (0, 0)
    # approved and paid: 950 € of 840 € (113,1 %) → over 80 %
    near = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[5]) for r in near] == [("Ostwestfalen-Lippe", "Ayşe Güllüoğlu", 113.1)]
    # a coordinator sees their region only
    client.force_login(world.coordinator)
    book = load_workbook(io.BytesIO(client.get(reverse("billing:evaluation", args=[LAST_YEAR])).content))
    assert {r[0] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)} == {"Ostwestfalen-Lippe"}
    assert AuditEntry.objects.filter(details__export="annual_evaluation").count() == 2


def test_statements_and_runs_go_with_the_tax_records(world, paid_year, issue):
    issue()
    BillingRun.objects.create(region=world.owl, month=datetime.date(LAST_YEAR, 3, 1))
    statement_file = YearEndStatement.objects.get().file
    claim_file = ClaimStatement.objects.first().file
    kept = datetime.date(LAST_YEAR + 10, 12, 31)
    due = datetime.date(LAST_YEAR + 11, 1, 1)
    names = ("claim_statements", "billing_runs", "year_end_statements")
    rules = {r.name: r for r in retention.RULES}
    assert all(rules[n].due(kept).count() == 0 for n in names)
    # runs and year-end statements by their month and year; a claim's statement with its claim, which
    # is kept by the later of month and payment (both last year here)
    assert [rules[n].due(due).count() for n in names] == [3, 1, 1]
    retention.apply_rules(due)
    assert not ClaimStatement.objects.exists() and not YearEndStatement.objects.exists()
    assert not BillingRun.objects.exists()
    assert not statement_file.storage.exists(statement_file.name)
    assert not claim_file.storage.exists(claim_file.name)


def test_statements_go_to_their_holder_and_the_payers_only(world, paid_year, issue, client):
    import zipfile  # noqa: F401

    result = issue()
    statement = YearEndStatement.objects.get()
    urls = [
        reverse("billing:claim_statement", args=[paid_year[0].pk]),
        reverse("billing:year_end_download", args=[statement.pk]),
        reverse("billing:year_end_batch_zip", args=[result.batch.pk]),
    ]
    # an OWL coordinator who does not pay, and programme staff: as if there were none
    non_payer = f.UserFactory(email="nicht.zahlend@example.org")
    f.CoordinationFactory(user=non_payer, region=world.owl, handles_payments=False)
    for user in (non_payer, world.staff):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(world.coordinator)  # pays OWL
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    client.force_login(world.lotse_a.user)  # the holder (the ZIP is the office's)
    assert [client.get(url).status_code for url in urls[:2]] == [200, 200]


def test_year_end_statements_wait_until_the_year_has_ended(world, paid_year):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.issue_year_end(region=world.owl, year=LAST_YEAR + 1, acting_user=world.coordinator)
    assert not YearEndStatement.objects.exists()


def test_the_nightly_sweep_renders_in_chunks_and_one_error_fails_one_statement(
    world, settings, monkeypatch, caplog
):
    from billing import statements
    from billing.tasks import render_missing_statements

    settings.CERTIFICATE_CHUNK_SIZE = 2
    for lotse in (world.lotse_a, world.lotse_b, world.lotse_siegen):
        YearEndStatement.objects.create(lotse=lotse, year=LAST_YEAR, payments_digest="x", total=0)
    real = statements.year_end_context

    def broken_for_b(statement, claims, caps):
        if statement.lotse_id == world.lotse_b.pk:
            raise RuntimeError("a glyph the font does not have")
        return real(statement, claims, caps)

    monkeypatch.setattr(statements, "year_end_context", broken_for_b)
    render_missing_statements.delay().get()
    caplog.clear()  # the expected error of Lotse B's statement
    status = dict(YearEndStatement.objects.values_list("lotse_id", "status"))
    assert status == {world.lotse_a.pk: "issued", world.lotse_b.pk: "failed", world.lotse_siegen.pk: "issued"}


def test_the_statements_of_an_anonymised_lotse_do_not_come_back(world, paid_year):
    from billing.tasks import render_missing_statements
    from lotsen.models import Lotse
    from privacy.services import anonymise_lotse

    AllowanceClaim.objects.filter(lotse=world.lotse_a).exclude(status="paid").delete()
    Lotse.objects.filter(pk=world.lotse_a.pk).update(status="left", left_on=datetime.date(LAST_YEAR, 7, 31))
    world.lotse_a.refresh_from_db()
    anonymise_lotse(lotse=world.lotse_a, acting_user=world.staff)
    assert render_missing_statements.delay().get() == 0
    assert not ClaimStatement.objects.exclude(file="").exists()


def test_a_year_of_monthly_payments_with_the_excess_note_fits_on_one_page():
    """Twelve monthly payments, the previous December's and a correction (14 rows), an amount above the cap
    and a right-to-left name: the year-end statement is still one page (the renderer refuses a second one,
    which would fail the statement of everyone paid every month)."""
    from billing.statements import YEAR_END_TEMPLATE
    from certificates.documents import qr_data_uri, render_pages

    url = "https://lotsenportal.example.org/verify/ABCD-EFGH-JKLM/"
    document = {
        "programme_name": "Interkulturelle Arbeitsmarktlotsen NRW",
        "region": "Ostwestfalen-Lippe",
        "coordinating_body": "Regionalagentur OWL",
        "place": "Bielefeld",
        "holder_name": "فاطمة الزهراء",
        "holder_dir": "rtl",
        "year": 2025,
        "version": 2,
        "rows": [("Dezember 2025", "250,00 €", "05.12.2025", "LP-OWL-2025-12-0001")] * 14,
        "total": "3.500,00 €",
        "caps": [("Ehrenamtspauschale (§ 3 Nr. 26a EStG)", "3.500,00 €", "840,00 €", "416,7 %", "2.660 €")],
        "not_covered": "2.660,00 €",
        "issued_on": "10.01.2026",
        "signer_name": "Claudia Koordinat",
        "signer_role": "Koordination, Auszahlung der Aufwandsentschädigungen, Regionalagentur OWL",
        "verification_code": "ABCD-EFGH-JKLM",
        "verify_url": url,
        "qr_data_uri": qr_data_uri(url),
    }

    (pdf,) = render_pages(YEAR_END_TEMPLATE, [document], ["Jahresbescheinigung"])

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
