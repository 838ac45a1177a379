import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Lengths per country for the countries a Lotse's account is realistically in; others: 15–34.
IBAN_LENGTHS = {"DE": 22, "AT": 20, "NL": 18, "BE": 16, "FR": 27, "LU": 20, "CH": 21, "PL": 28, "TR": 26}
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def normalize_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616 / ISO 7064 mod 97-10: move the first four characters to the end, letters to numbers."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def validate_iban(value: str) -> None:
    iban = normalize_iban(value)
    if not _IBAN_SHAPE.match(iban):
        raise ValidationError(
            _("Enter an IBAN: two letters, two check digits and the account number."), "iban"
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected and len(iban) != expected:
        raise ValidationError(
            _("An IBAN from %(country)s has %(length)s characters."),
            code="iban_length",
            params={"country": iban[:2], "length": expected},
        )
    if not iban_checksum_ok(iban):
        raise ValidationError(
            _("This IBAN is not valid: its check digits do not match. Please check it."), "iban"
        )


def mask_iban(iban: str) -> str:
    """DE89 3704 0044 0532 0130 00 -> DE89 **** **** **** **30 00 (country, check digits, last four)."""
    iban = normalize_iban(iban)
    if not iban:
        return ""
    masked = iban[:4] + "*" * (len(iban) - 8) + iban[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def format_iban(iban: str) -> str:
    iban = normalize_iban(iban)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
