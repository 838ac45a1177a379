"""The yearly tax-free caps every installation needs (reference data of the allowances app).

Loaded by a data migration; ``ensure_tax_allowance_caps`` reloads them where a test flushed the tables
(transactional tests with a live server empty every table afterwards).
"""

from datetime import date
from decimal import Decimal

# Yearly tax-free caps (§ 3 Nr. 26a and Nr. 26 EStG): a dated table, so a future change is a new row.
TAX_ALLOWANCE_CAPS = [
    ("ehrenamt", date(2013, 1, 1), Decimal("720")),
    ("ehrenamt", date(2021, 1, 1), Decimal("840")),
    ("ehrenamt", date(2026, 1, 1), Decimal("960")),
    ("uebungsleiter", date(2013, 1, 1), Decimal("2400")),
    ("uebungsleiter", date(2021, 1, 1), Decimal("3000")),
    ("uebungsleiter", date(2026, 1, 1), Decimal("3300")),
]


def load_tax_allowance_caps(cap_model) -> None:
    for kind, valid_from, amount in TAX_ALLOWANCE_CAPS:
        cap_model.objects.update_or_create(kind=kind, valid_from=valid_from, defaults={"amount": amount})


def ensure_tax_allowance_caps() -> None:
    from allowances.models import TaxAllowanceCap

    if TaxAllowanceCap.objects.count() < len(TAX_ALLOWANCE_CAPS):
        load_tax_allowance_caps(TaxAllowanceCap)
