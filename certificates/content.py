"""What is printed on a certificate, as plain data (no Django models, no WeasyPrint import)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple


class Session(NamedTuple):
    """One attended training session."""

    date: date
    topic: str
    hours: Decimal


@dataclass
class CertificateData:
    """Everything printed on one certificate, already read from the database."""

    holder_name: str
    organisation: str
    region: str
    sessions: list[Session | tuple[date, str, Decimal]]
    total_hours: Decimal
    place: str
    issued_on: date
    coordinating_body: str
    signatory_name: str
    signatory_function: str
    verification_code: str
    verify_url: str
    #: the Certificate row this data belongs to (None in benchmarks)
    certificate_id: int | None = None
    programme_name: str = "Interkulturelle Arbeitsmarktlotsen NRW"
    funding_line: str = (
        "Gefördert durch das Ministerium für Arbeit, Gesundheit und Soziales des Landes Nordrhein-Westfalen"
    )
    #: the person's own form of address (lotsen.models.Lotse.AddressForm): "lotsin", "lotse" or "neutral"
    address_form: str = "neutral"
    #: file: URIs of the region's images below MEDIA_ROOT ("" = none: no region logo, an empty signature line)
    region_logo_uri: str = ""
    signature_uri: str = ""

    @property
    def title(self) -> str:
        return f"Teilnahmebescheinigung – {self.holder_name}"
