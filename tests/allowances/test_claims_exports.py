"""The export of approved claims, parsed back: figures, German formats, whether each can be paid and why
not, and bank details only for payers. (The bank is paid from a batch's files: test_payouts.py.)"""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from allowances.models import AllowanceClaim
from tests import factories as f
from tests.auth import reauthenticate


@pytest.fixture
def coordinator_client(coordinator_client):
    """The OWL coordinator pays the allowances: an export with bank details needs a fresh re-authentication
    (tests/lotsen/test_sensitive_actions.py checks the stale case)."""
    reauthenticate(coordinator_client)
    return coordinator_client


FULL_IBAN = "DE89 3704 0044 0532 0130 00"
MASKED_IBAN = "DE89 **** **** **** **30 00"


@pytest.fixture
def to_pay(world):
    """Approved claims of March 2025: Lotse A 120,50 €, Lotse B 60 €, and one in Siegen (not OWL's)."""
    march = datetime.date(2025, 3, 1)
    a = f.AllowanceClaimFactory(
        lotse=world.lotse_a,
        contract=world.contract,
        month=march,
        amount=Decimal("120.50"),
        hours=Decimal("8.5"),
        status=AllowanceClaim.Status.APPROVED,
        decided_at=datetime.datetime(2025, 4, 2, 10, 0, tzinfo=datetime.UTC),
    )
    b = f.AllowanceClaimFactory(
        lotse=world.lotse_b, month=march, amount=Decimal("60.00"), status=AllowanceClaim.Status.APPROVED
    )
    siegen = f.AllowanceClaimFactory(
        lotse=world.lotse_siegen, month=march, status=AllowanceClaim.Status.APPROVED
    )
    return a, b, siegen


def read_csv(response):
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for German Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    return [dict(zip(header, row, strict=True)) for row in body]


def read_xlsx(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_csv_figures_and_formats(coordinator_client, world, to_pay):
    a, b, _siegen = to_pay
    response = coordinator_client.get(reverse("claims:export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "genehmigte-abrechnungen-" in response["Content-Disposition"]
    assert ".csv" in response["Content-Disposition"]
    rows = {int(row["Nr."]): row for row in read_csv(response)}
    assert set(rows) == {
        a.pk,
        b.pk,
    }  # approved only (the submitted world claim is not to pay), own region only
    row = rows[a.pk]
    assert row["Nachname"] == "Güllüoğlu" and row["Vorname"] == "Ayşe"
    assert row["Monat"] == "03/2025"  # the month, not its first day (issue #12)
    assert row["Betrag (EUR)"] == "120,50"
    assert row["Stunden"] == "8,5"
    assert row["Genehmigt am"] == "02.04.2025"
    assert row["IBAN"] == FULL_IBAN  # the OWL coordinator pays the allowances
    assert row["Kontoinhaber"] == "Ayşe Güllüoğlu"
    assert row["Selbsterklärung liegt vor"] == "nein"
    # the list names what it holds: approved claims, each with whether the portal pays it now and why not
    assert row["Auszahlbar"] == "keine Selbsterklärung für 2025"
    assert sum(Decimal(r["Betrag (EUR)"].replace(",", ".")) for r in rows.values()) == Decimal("180.50")


def test_csv_follows_the_list_filters(coordinator_client, world, to_pay):
    a, _b, _siegen = to_pay
    response = coordinator_client.get(
        reverse("claims:export_csv"), {"lotse": world.lotse_a.pk, "status": "submitted"}
    )
    assert [int(row["Nr."]) for row in read_csv(response)] == [a.pk]  # status is always "approved"


def test_xlsx_figures_and_number_formats(coordinator_client, world, to_pay):
    a, b, _siegen = to_pay
    response = coordinator_client.get(reverse("claims:export_xlsx"))
    assert response.status_code == 200
    assert ".xlsx" in response["Content-Disposition"]
    rows = {row["Nr."].value: row for row in read_xlsx(response)}
    assert set(rows) == {a.pk, b.pk}
    row = rows[a.pk]
    assert row["Betrag (EUR)"].value == pytest.approx(120.5)
    assert row["Betrag (EUR)"].number_format == "#,##0.00"
    assert row["Monat"].value.date() == datetime.date(2025, 3, 1)
    assert row["Monat"].number_format == "MM/YYYY"
    assert row["IBAN"].value == FULL_IBAN
    assert sum(r["Betrag (EUR)"].value for r in rows.values()) == pytest.approx(180.5)


@pytest.mark.parametrize("url_name", ["claims:export_csv", "claims:export_xlsx"])
def test_bank_details_masked_for_roles_that_do_not_pay(client, world, to_pay, url_name):
    a, _b, _siegen = to_pay
    # programme staff see every region but pay nobody
    client.force_login(world.staff)
    response = client.get(reverse(url_name))
    rows = read_csv(response) if url_name.endswith("csv") else read_xlsx(response)
    values = [{k: (v if isinstance(v, str) else v.value) for k, v in row.items()} for row in rows]
    assert len(values) == 3
    assert {row["IBAN"] for row in values} == {MASKED_IBAN}
    assert {row["Kontoinhaber"] for row in values} == {"***"}
    # a coordinator of OWL who does not handle payments
    world.coordinator.coordinations.update(handles_payments=False)
    client.force_login(world.coordinator)
    response = client.get(reverse(url_name))
    rows = read_csv(response) if url_name.endswith("csv") else read_xlsx(response)
    ibans = {row["IBAN"] if isinstance(row["IBAN"], str) else row["IBAN"].value for row in rows}
    assert ibans == {MASKED_IBAN}
    assert FULL_IBAN.encode() not in response.content


def test_formula_in_a_name_stays_text(coordinator_client, world, to_pay):
    world.lotse_b.last_name = '=HYPERLINK("http://x")'
    world.lotse_b.save()
    rows = read_csv(coordinator_client.get(reverse("claims:export_csv")))
    assert {row["Nachname"] for row in rows} >= {'\'=HYPERLINK("http://x")'}


def test_payable_column_says_ja_for_a_claim_the_portal_pays(coordinator_client, world, to_pay):
    from allowances.models import SelfDeclaration

    a, b, _siegen = to_pay
    SelfDeclaration.objects.create(lotse=world.lotse_a, year=2025, received_on=datetime.date(2025, 2, 1))
    rows = {int(row["Nr."]): row for row in read_csv(coordinator_client.get(reverse("claims:export_csv")))}
    assert rows[a.pk]["Auszahlbar"] == "ja"
    assert rows[b.pk]["Auszahlbar"] == "keine Selbsterklärung für 2025"
