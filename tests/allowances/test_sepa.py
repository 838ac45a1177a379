"""The SEPA credit-transfer file: what a bank reads from it, the schema check, and the inputs it refuses."""

import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sepaxml.validation import try_valid_xml

from allowances.sepa import (
    SCHEMA,
    DebtorAccount,
    SepaError,
    Transfer,
    batch_reference,
    credit_transfer_xml,
    iban_is_valid,
    validate_xml,
)

NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}
SEPA_TEXT = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]*$")
DEBTOR = DebtorAccount(
    name="Land NRW – Arbeitsmarktlotsen", iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX"
)
EXECUTION = datetime.date(2026, 11, 5)
CREATED = datetime.datetime(2026, 11, 3, 9, 30, tzinfo=datetime.UTC)
IBANS = ["DE02120300000000202051", "DE02500105170137075030", "AT611904300234573201", "NL91ABNA0417164300"]


@pytest.fixture(autouse=True)
def _enable_db_and_clean_cache():
    """Overrides the suite's autouse fixture of this name: the file builder is pure Python, so these tests
    run without a database (and would fail if it ever reached for one). The messages are checked in
    English (their German translations are checked by tests/portal/test_i18n.py)."""
    with translation.override("en"):
        yield


def transfer(n: int = 0, **changes) -> Transfer:
    values = {
        "name": f"Lotse {n}",
        "iban": IBANS[n % len(IBANS)],
        "bic": None,
        "amount": Decimal("25.00"),
        "purpose": f"Aufwandsentschaedigung Oktober 2026 Nr {n}",
        "end_to_end_id": f"LP-OWL-2026-11-0042-{n}",
    }
    return Transfer(**(values | changes))


def build(transfers, **kwargs) -> bytes:
    options = {"debtor": DEBTOR, "message_id": "LP-OWL-2026-11-0042", "execution_date": EXECUTION}
    return credit_transfer_xml(**(options | kwargs), transfers=transfers)


def parsed(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 - the file under test


def texts(root: ET.Element, path: str) -> list[str]:
    return [node.text for node in root.findall(path, NS)]


def test_the_file_holds_what_the_bank_needs():
    transfers = [
        transfer(0, amount=Decimal("12.50"), purpose="Aufwand September"),
        transfer(1, amount=Decimal("100.00"), purpose="Aufwand Oktober", bic="BYLADEM1001"),
        transfer(2, amount=Decimal("0.01"), purpose="Fahrtkosten"),
    ]
    root = parsed(build(transfers))

    assert root.tag == f"{{{NS['p']}}}Document"
    assert texts(root, ".//p:GrpHdr/p:NbOfTxs") == ["3"]
    assert texts(root, ".//p:PmtInf/p:NbOfTxs") == ["3"]
    assert len(root.findall(".//p:CdtTrfTxInf", NS)) == 3
    assert Decimal(texts(root, ".//p:GrpHdr/p:CtrlSum")[0]) == Decimal("112.51")
    assert Decimal(texts(root, ".//p:PmtInf/p:CtrlSum")[0]) == Decimal("112.51")
    assert texts(root, ".//p:InstdAmt") == ["12.50", "100.00", "0.01"]
    assert {node.get("Ccy") for node in root.findall(".//p:InstdAmt", NS)} == {"EUR"}
    assert texts(root, ".//p:DbtrAcct/p:Id/p:IBAN") == ["DE89370400440532013000"]
    assert texts(root, ".//p:DbtrAgt/p:FinInstnId/p:BICFI") == ["COBADEFFXXX"]
    assert texts(root, ".//p:ReqdExctnDt/p:Dt") == ["2026-11-05"]
    assert texts(root, ".//p:RmtInf/p:Ustrd") == ["Aufwand September", "Aufwand Oktober", "Fahrtkosten"]
    assert texts(root, ".//p:CdtrAcct/p:Id/p:IBAN") == IBANS[:3]
    assert texts(root, ".//p:EndToEndId") == [t.end_to_end_id for t in transfers]
    assert texts(root, ".//p:SvcLvl/p:Cd") == ["SEPA"]
    assert texts(root, ".//p:ChrgBr") == ["SLEV"]


def test_the_file_is_valid_under_the_schema():
    xml = build([transfer(0), transfer(1, bic="BYLADEM1001")])
    validate_xml(xml)
    try_valid_xml(xml, SCHEMA)  # the library's own check, called directly


def test_an_invalid_document_is_refused_with_a_clear_error():
    xml = build([transfer(0)]).replace(b"<CtrlSum>25.00</CtrlSum>", b"<CtrlSum>zwanzig</CtrlSum>", 1)
    with pytest.raises(SepaError, match="does not match the SEPA schema at .*CtrlSum") as caught:
        validate_xml(xml)
    assert "zwanzig" not in str(caught.value)


def test_the_bic_of_a_payee_is_optional():
    root = parsed(build([transfer(0, bic=None), transfer(1, bic="byla dem1 001")]))
    agents = [tx.find("p:CdtrAgt/p:FinInstnId/p:BICFI", NS) for tx in root.findall(".//p:CdtTrfTxInf", NS)]
    assert agents[0] is None
    assert agents[1].text == "BYLADEM1001"


def test_text_is_normalised_to_the_sepa_character_set():
    root = parsed(
        build(
            [
                transfer(
                    0, name="Jürgen Müßig-Öztürk", purpose="Aufwandsentschädigung März & April – 50 € (Größe)"
                ),
                transfer(1, name="Ayşe Güllüoğlu"),
                transfer(2, name="Наталья Смирнова"),
                transfer(3, name="  Anna   <Maria>_Schmidt@  "),
            ],
            debtor=DebtorAccount(name="Ministerium für Arbeit", iban=DEBTOR.iban, bic=DEBTOR.bic),
        )
    )
    names = texts(root, ".//p:Cdtr/p:Nm")
    assert names == ["Juergen Muessig-Oeztuerk", "Ayse Guellueoglu", "Natal'ia Smirnova", "Anna MariaSchmidt"]
    assert texts(root, ".//p:RmtInf/p:Ustrd")[0] == "Aufwandsentschaedigung Maerz + April - 50 EUR (Groesse)"
    assert texts(root, ".//p:Dbtr/p:Nm") == ["Ministerium fuer Arbeit"]
    assert texts(root, ".//p:InitgPty/p:Nm") == ["Ministerium fuer Arbeit"]
    for text in texts(root, ".//p:Nm") + texts(root, ".//p:Ustrd"):
        assert SEPA_TEXT.match(text), text


def test_name_and_purpose_are_cut_to_70_and_140_characters_after_spelling_out_umlauts():
    root = parsed(build([transfer(0, name="Ü" * 40, purpose="ä" * 100)]))
    assert texts(root, ".//p:Cdtr/p:Nm") == ["Ue" * 35]
    assert texts(root, ".//p:Ustrd") == ["ae" * 70]


def test_ibans_are_written_upper_case_without_spaces():
    root = parsed(build([transfer(0, iban=" de02 1203 0000 0000 2020 51 ")]))
    assert texts(root, ".//p:CdtrAcct/p:Id/p:IBAN") == ["DE02120300000000202051"]


@pytest.mark.parametrize(
    "iban", ["DE02120300000000202052", "DE0212030000000020205", "XX", "", "DE02-1203-0000-0000-2020-51"]
)
def test_a_bad_iban_is_refused_naming_the_transfer(iban):
    with pytest.raises(SepaError, match="Transfer 2: the IBAN is not valid") as caught:
        build([transfer(0), transfer(1, iban=iban), transfer(2)])
    assert caught.value.index == 1


def test_an_account_outside_the_sepa_area_is_refused():
    turkish = "TR330006100519786457841326"
    assert iban_is_valid(turkish)
    with pytest.raises(SepaError, match="Transfer 1: the account is outside the SEPA area") as caught:
        build([transfer(0, iban=turkish)])
    assert caught.value.index == 0


def test_an_error_names_no_iban_and_no_person():
    with pytest.raises(SepaError) as caught:
        build([transfer(0, name="Ayşe Güllüoğlu", iban="DE02120300000000202052")])
    assert "DE02" not in str(caught.value)
    assert "Ay" not in str(caught.value)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("0"), "more than zero"),
        (Decimal("0.00"), "more than zero"),
        (Decimal("-5.00"), "more than zero"),
        (Decimal("1.005"), "whole cents"),
        (Decimal("NaN"), "whole cents"),
        (Decimal("Infinity"), "whole cents"),
        (Decimal("1000000000.00"), "SEPA limit"),
        (12.5, "decimal number"),
        (12, "decimal number"),
    ],
)
def test_an_amount_that_is_not_positive_whole_cents_is_refused(amount, message):
    with pytest.raises(SepaError, match=message) as caught:
        build([transfer(0), transfer(1), transfer(2, amount=amount)])
    assert caught.value.index == 2


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (Decimal("7"), "7.00"),
        (Decimal("7.5"), "7.50"),
        (Decimal("0.10"), "0.10"),
        (Decimal("9999.99"), "9999.99"),
    ],
)
def test_amounts_are_converted_to_cents_exactly(amount, written):
    assert texts(parsed(build([transfer(0, amount=amount)])), ".//p:InstdAmt") == [written]


def test_the_same_inputs_give_the_same_file_but_for_the_creation_time():
    transfers = [transfer(n, name=f"Güllüoğlu {n}") for n in range(4)]
    first, second = parsed(build(transfers)), parsed(build(transfers))
    for root in (first, second):
        root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm", NS).text = ""
    assert ET.tostring(first) == ET.tostring(second)


def test_with_a_creation_time_the_file_is_the_same_byte_for_byte():
    transfers = [transfer(n) for n in range(4)]
    assert build(transfers, created_at=CREATED) == build(transfers, created_at=CREATED)
    assert texts(parsed(build(transfers, created_at=CREATED)), ".//p:CreDtTm") == [
        "2026-11-03T09:30:00+00:00"
    ]


def test_the_ids_come_from_the_inputs_not_from_chance():
    root = parsed(build([transfer(0), transfer(1)], message_id="LP-SW-2026-11-0007"))
    assert texts(root, ".//p:GrpHdr/p:MsgId") == ["LP-SW-2026-11-0007"]
    assert texts(root, ".//p:PmtInf/p:PmtInfId") == ["LP-SW-2026-11-0007"]
    assert texts(root, ".//p:EndToEndId") == ["LP-OWL-2026-11-0042-0", "LP-OWL-2026-11-0042-1"]


def test_a_naive_creation_time_is_refused():
    with pytest.raises(SepaError, match="time zone"):
        build([transfer(0)], created_at=datetime.datetime(2026, 11, 3, 9, 30))


@pytest.mark.parametrize("message_id", ["", "A" * 36, "LP OWL", "/LP-OWL", "LP//OWL", "LP-ÖWL"])
def test_a_message_id_outside_the_sepa_id_set_is_refused(message_id):
    with pytest.raises(SepaError, match="message id") as caught:
        build([transfer(0)], message_id=message_id)
    assert caught.value.index is None


def test_a_bad_or_repeated_end_to_end_id_is_refused_naming_the_transfer():
    with pytest.raises(SepaError, match="Transfer 2: the end-to-end id") as caught:
        build([transfer(0), transfer(1, end_to_end_id="A" * 36)])
    assert caught.value.index == 1
    with pytest.raises(SepaError, match="used twice") as caught:
        build([transfer(0), transfer(1), transfer(2, end_to_end_id=transfer(0).end_to_end_id)])
    assert caught.value.index == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "☺ ☺"}, "no name in SEPA characters"),
        ({"purpose": "☺ ✓"}, "purpose is empty"),
        ({"bic": "NOTABIC"}, "BIC is not valid"),
    ],
)
def test_a_transfer_with_nothing_usable_is_refused(changes, message):
    with pytest.raises(SepaError, match=message) as caught:
        build([transfer(0, **changes)])
    assert caught.value.index == 0


@pytest.mark.parametrize(
    ("debtor", "message"),
    [
        (
            DebtorAccount(name="Land NRW", iban="DE89370400440532013001", bic="COBADEFFXXX"),
            "IBAN of the paying",
        ),
        (DebtorAccount(name="Land NRW", iban=DEBTOR.iban, bic=""), "BIC of the paying"),
        (DebtorAccount(name="Land NRW", iban=DEBTOR.iban, bic="COBA"), "BIC of the paying"),
        (DebtorAccount(name="★", iban=DEBTOR.iban, bic="COBADEFF"), "paying account has no name"),
    ],
)
def test_a_bad_debtor_account_is_refused(debtor, message):
    with pytest.raises(SepaError, match=message) as caught:
        build([transfer(0)], debtor=debtor)
    assert caught.value.index is None


def test_no_transfers_and_a_date_with_time_are_refused():
    with pytest.raises(SepaError, match="at least one transfer"):
        build([])
    with pytest.raises(SepaError, match="without a time"):
        build([transfer(0)], execution_date=datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC))


def test_batch_reference_is_short_and_fit_for_a_message_id():
    assert batch_reference("owl", 42, datetime.date(2026, 11, 3)) == "LP-OWL-2026-11-0042"
    assert batch_reference("köln", 7, datetime.date(2027, 1, 31)) == "LP-KOELN-2027-01-0007"
    long = batch_reference("siegen-wittgenstein-olpe", 123456, datetime.date(2026, 11, 3))
    assert long == "LP-SIEGEN-WITTGENSTE-2026-11-123456"
    assert len(long) <= 35
    assert batch_reference("", 1, datetime.date(2026, 1, 1)) == "LP-X-2026-01-0001"
    build([transfer(0)], message_id=long)  # accepted as a message id


@pytest.mark.parametrize("batch_id", [0, -1, True, 10**25])
def test_batch_reference_refuses_a_batch_number_that_does_not_fit(batch_id):
    with pytest.raises(SepaError):
        batch_reference("owl", batch_id, datetime.date(2026, 11, 3))


NAMES = st.text(alphabet="abcdeäöüÄÖÜßğşçıАБВ Müller-Öztürk'&.", min_size=1, max_size=90).filter(
    lambda name: any(ch.isalpha() for ch in name)
)
AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)


@settings(
    max_examples=60,
    deadline=None,  # the schema check takes tens of milliseconds
    database=None,  # no .hypothesis folder in the project
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the suite's autouse fixtures hold no state
)
@given(payees=st.lists(st.tuples(NAMES, AMOUNTS), min_size=1, max_size=12))
def test_any_amounts_and_names_give_an_exact_control_sum_and_a_valid_file(payees):
    transfers = [
        transfer(n, name=name, amount=amount, purpose=f"Aufwand für {name}")
        for n, (name, amount) in enumerate(payees)
    ]
    xml = build(transfers)
    try_valid_xml(xml, SCHEMA)
    root = parsed(xml)
    assert Decimal(texts(root, ".//p:GrpHdr/p:CtrlSum")[0]) == sum(amount for _, amount in payees)
    assert [Decimal(text) for text in texts(root, ".//p:InstdAmt")] == [amount for _, amount in payees]
    assert texts(root, ".//p:GrpHdr/p:NbOfTxs") == [str(len(payees))]
    for name in texts(root, ".//p:Cdtr/p:Nm"):
        assert 1 <= len(name) <= 70
        assert SEPA_TEXT.match(name), name
    for purpose in texts(root, ".//p:Ustrd"):
        assert 1 <= len(purpose) <= 140
        assert SEPA_TEXT.match(purpose), purpose
