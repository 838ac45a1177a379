"""SEPA credit-transfer files (pain.001) for paying allowances, built by sepaxml, checked against the schema.

Pure Python over plain values: no models, no request. The caller (a payout service) passes the programme's
account, the batch's reference and one :class:`Transfer` per payee; it gets the file's bytes or a
:class:`SepaError` that says which transfer is wrong, without repeating its IBAN or name (messages end up in
logs).

Schema: ``pain.001.001.09``, the version of the German banks' DFÜ agreement (Anlage 3) since the ISO 20022
migration of November 2023; ``pain.001.001.03`` is being phased out. sepaxml writes and ships the schema for
both; its schema is the plain ISO one, which does not restrict the character set, require positive amounts
or check IBAN digits, so this module does.

Deterministic: the same inputs give the same file. sepaxml draws a random message id and random
payment-information ids; both are replaced here by the caller's ``message_id`` (so a re-exported batch keeps
its id, and a bank refuses a second upload of the same message as a duplicate). The one thing that changes
between calls is the creation timestamp (``CreDtTm``), unless the caller passes ``created_at``.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaxmlValidationError
from sepaxml.validation import try_valid_xml
from text_unidecode import unidecode

SCHEMA = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
CURRENCY = "EUR"

NAME_MAX = 70
PURPOSE_MAX = 140
ID_MAX = 35
#: the EPC's upper limit for one SEPA credit transfer
AMOUNT_MAX = Decimal("999999999.99")
CENT = Decimal("0.01")

# The Latin character set every SEPA bank accepts (EPC implementation guidelines, "SEPA character set").
_NOT_SEPA_TEXT = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
# References (message id, end-to-end id): the same set without spaces; no "/" at either end, no "//".
_SEPA_ID = re.compile(r"^[A-Za-z0-9/\-?:().,'+]{1,35}$")
# German letters spelt out as Germans do, before the generic transliteration (which makes "ä" an "a");
# "&", common in names of organisations, is not in the set: "+" is.
_SPELT_OUT = str.maketrans(
    {"Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "SS", "&": "+"}
)
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
# Countries whose accounts a SEPA credit transfer reaches (EPC list of the SEPA schemes' geographical scope:
# EU, EEA, CH, GB, the microstates and the countries admitted since 2022); a Turkish account, say, is not.
_EU = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT"}
_EU |= {"LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
_EEA_AND_FURTHER = {"IS", "LI", "NO", "CH", "GB", "GI", "SM", "VA", "AD", "MC"}
# admitted since 2022; kept rather than refuse a payment a bank may carry
_ADMITTED_SINCE_2022 = {"AL", "MD", "ME", "MK", "RS"}
SEPA_COUNTRIES = frozenset(_EU | _EEA_AND_FURTHER | _ADMITTED_SINCE_2022)
_BIC_SHAPE = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


class SepaError(ValueError):
    """The file cannot be built from these inputs. ``index`` is the position (from 0) of the transfer at
    fault in ``transfers``, or None when the debtor, the message or the file as a whole is wrong."""

    def __init__(self, message: str, *, index: int | None = None):
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class DebtorAccount:
    """The account the allowances are paid from."""

    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Transfer:
    """One payment to one payee. ``amount`` in euros with at most two decimals; ``bic`` may be None, as
    within SEPA the IBAN alone identifies the account."""

    name: str
    iban: str
    bic: str | None
    amount: Decimal
    purpose: str
    end_to_end_id: str


def sepa_text(value: str, *, max_length: int) -> str:
    """``value`` in the SEPA character set: German umlauts and ß spelt out (ä → ae, ß → ss), other letters
    transliterated to Latin (ğ → g, Cyrillic → Latin), "&" as "+", anything else dropped, runs of spaces
    collapsed, then cut to ``max_length``."""
    latin = unidecode(value.translate(_SPELT_OUT))
    cleaned = " ".join(_NOT_SEPA_TEXT.sub("", latin).split())
    return cleaned[:max_length].rstrip()


def normalize_iban(value: str) -> str:
    return "".join(value.split()).upper()


def iban_is_valid(iban: str) -> bool:
    """Shape and ISO 7064 mod 97-10 check digits of an IBAN already normalised."""
    if not _IBAN_SHAPE.match(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def batch_reference(region_slug: str, batch_id: int, day: datetime.date) -> str:
    """A message id for a payout batch, e.g. ``LP-OWL-2026-11-0042``: programme, region, month, batch.

    At most 35 characters of the SEPA id set. A long region slug is shortened to fit; the batch id, unique
    on its own, is never shortened, so two references never collide."""
    if isinstance(batch_id, bool) or not isinstance(batch_id, int) or batch_id < 1:
        raise SepaError(_("A batch reference needs a positive batch number."))
    tail = f"-{day:%Y-%m}-{batch_id:04d}"
    region = re.sub(r"[^A-Z0-9]+", "-", sepa_text(region_slug, max_length=ID_MAX).upper()).strip("-")
    room = ID_MAX - len("LP-") - len(tail)
    if room < 1:
        raise SepaError(_("The batch number is too long for a SEPA reference."))
    region = region[:room].strip("-") or "X"
    return f"LP-{region}{tail}"


def credit_transfer_xml(
    *,
    debtor: DebtorAccount,
    message_id: str,
    execution_date: datetime.date,
    transfers: Sequence[Transfer],
    created_at: datetime.datetime | None = None,
) -> bytes:
    """The pain.001.001.09 file (UTF-8 bytes) paying ``transfers`` from ``debtor`` on ``execution_date``,
    validated against the schema. One payment-information block (one execution date, batch booking).

    ``created_at`` (aware) fixes the creation timestamp, e.g. to the batch's export time, so a re-export is
    byte for byte the same; without it the file carries the current local time, as sepaxml writes it."""
    _check_id(message_id, what=_("The message id"), index=None)
    if isinstance(execution_date, datetime.datetime) or not isinstance(execution_date, datetime.date):
        raise SepaError(_("The execution date must be a date without a time."))
    if created_at is not None and created_at.utcoffset() is None:
        raise SepaError(_("The creation time must carry its time zone."))
    if not transfers:
        raise SepaError(_("A transfer file needs at least one transfer."))

    debtor_name = sepa_text(debtor.name, max_length=NAME_MAX)
    if not debtor_name:
        raise SepaError(_("The account holder of the paying account has no name in SEPA characters."))
    debtor_iban = normalize_iban(debtor.iban)
    if not iban_is_valid(debtor_iban):
        raise SepaError(_("The IBAN of the paying account is not valid."))
    debtor_bic = _normalize_bic(debtor.bic)
    if not debtor_bic:
        raise SepaError(_("The BIC of the paying account is not valid."))

    sepa = SepaTransfer(
        {"name": debtor_name, "IBAN": debtor_iban, "BIC": debtor_bic, "batch": True, "currency": CURRENCY},
        schema=SCHEMA,
        clean=False,  # cleaned above and below: sepaxml's own cleaning turns "ä" into "a", not "ae"
    )
    seen_ids: set[str] = set()
    for index, transfer in enumerate(transfers):
        sepa.add_payment(_payment(transfer, index=index, execution_date=execution_date, seen_ids=seen_ids))

    document = ET.fromstring(sepa.export(validate=False))  # noqa: S314 - sepaxml's output, not user input
    _set_all(document, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", message_id)
    _set_all(document, "p:CstmrCdtTrfInitn/p:PmtInf/p:PmtInfId", message_id)
    if created_at is not None:
        _set_all(document, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm", created_at.isoformat(timespec="seconds"))
    # The schema's namespace as the default one, without a prefix. sepaxml registers it globally as well;
    # said here so the output does not hang on that (default_namespace= refuses the unqualified Ccy).
    ET.register_namespace("", NAMESPACE)
    xml = ET.tostring(document, encoding="UTF-8", xml_declaration=True)
    validate_xml(xml)
    return xml


def validate_xml(xml: bytes) -> None:
    """Raises :class:`SepaError` unless ``xml`` is valid under the pain.001.001.09 schema (sepaxml's
    check)."""
    try:
        try_valid_xml(xml, SCHEMA)
    except SepaxmlValidationError as error:
        # Names the element, not its value (which may be an IBAN or a name); the cause keeps the detail.
        raise SepaError(
            _("The transfer file does not match the SEPA schema at %(element)s.")
            % {"element": getattr(error.__cause__, "path", None) or "?"}
        ) from error


def _amount_in_cents(amount: Decimal, *, index: int) -> int:
    """Euros as whole cents, exactly: more than two decimals, zero, negative or not a Decimal is an error."""
    if not isinstance(amount, Decimal):
        raise SepaError(
            _("Transfer %(number)s: the amount must be a decimal number.") % _number(index), index=index
        )
    try:
        exact = amount.is_finite() and amount == amount.quantize(CENT)
    except InvalidOperation:
        exact = False
    if not exact:
        raise SepaError(
            _("Transfer %(number)s: the amount must be in euros and whole cents.") % _number(index),
            index=index,
        )
    if amount <= 0:
        raise SepaError(
            _("Transfer %(number)s: the amount must be more than zero.") % _number(index), index=index
        )
    if amount > AMOUNT_MAX:
        raise SepaError(
            _("Transfer %(number)s: the amount is above the SEPA limit for one transfer.") % _number(index),
            index=index,
        )
    return int(amount.scaleb(2))


def _payment(transfer: Transfer, *, index: int, execution_date: datetime.date, seen_ids: set[str]) -> dict:
    number = _number(index)
    name = sepa_text(transfer.name, max_length=NAME_MAX)
    if not name:
        raise SepaError(
            _("Transfer %(number)s: the payee has no name in SEPA characters.") % number, index=index
        )
    iban = normalize_iban(transfer.iban)
    if not iban_is_valid(iban):
        raise SepaError(_("Transfer %(number)s: the IBAN is not valid.") % number, index=index)
    if iban[:2] not in SEPA_COUNTRIES:
        raise SepaError(
            _("Transfer %(number)s: the account is outside the SEPA area; pay it another way.") % number,
            index=index,
        )
    purpose = sepa_text(transfer.purpose, max_length=PURPOSE_MAX)
    if not purpose:
        raise SepaError(_("Transfer %(number)s: the purpose is empty.") % number, index=index)
    _check_id(transfer.end_to_end_id, what=_("Transfer %(number)s: the end-to-end id") % number, index=index)
    if transfer.end_to_end_id in seen_ids:
        raise SepaError(
            _("Transfer %(number)s: the end-to-end id is used twice in this file.") % number, index=index
        )
    seen_ids.add(transfer.end_to_end_id)
    payment = {
        "name": name,
        "IBAN": iban,
        "amount": _amount_in_cents(transfer.amount, index=index),
        "execution_date": execution_date,
        "description": purpose,
        "endtoend_id": transfer.end_to_end_id,
    }
    if transfer.bic:
        bic = _normalize_bic(transfer.bic)
        if not bic:
            raise SepaError(_("Transfer %(number)s: the BIC is not valid.") % number, index=index)
        payment["BIC"] = bic
    return payment


def _normalize_bic(value: str) -> str:
    """The BIC upper-case without spaces, or "" when it has not the shape of one."""
    bic = "".join((value or "").split()).upper()
    return bic if _BIC_SHAPE.match(bic) else ""


def _check_id(value: str, *, what: str, index: int | None) -> None:
    if (
        not isinstance(value, str)
        or not _SEPA_ID.match(value)
        or value.startswith("/")
        or value.endswith("/")
    ):
        raise SepaError(
            _("%(what)s must be 1 to 35 letters, digits or / - ? : ( ) . , ' + without spaces.")
            % {"what": what},
            index=index,
        )
    if "//" in value:
        raise SepaError(_("%(what)s must not contain “//”.") % {"what": what}, index=index)


def _number(index: int) -> dict:
    """For messages: people count transfers from 1."""
    return {"number": index + 1}


def _set_all(document: ET.Element, path: str, text: str) -> None:
    nodes = document.findall(path, {"p": NAMESPACE})
    if not nodes:
        raise SepaError(f"sepaxml wrote no {path}")  # a changed sepaxml; never the caller's fault
    for node in nodes:
        node.text = text
