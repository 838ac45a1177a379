"""Reference data every installation needs (languages, tax-free caps).

Loaded by data migrations; ``ensure_reference_data`` reloads it where a test flushed the tables
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


def load_languages(language_model) -> None:
    from regions.languages import LANGUAGES

    for code, name_de, name_en in LANGUAGES:
        language_model.objects.update_or_create(code=code, defaults={"name_de": name_de, "name_en": name_en})


def load_tax_allowance_caps(cap_model) -> None:
    for kind, valid_from, amount in TAX_ALLOWANCE_CAPS:
        cap_model.objects.update_or_create(kind=kind, valid_from=valid_from, defaults={"amount": amount})


def ensure_reference_data() -> None:
    from allowances.models import TaxAllowanceCap
    from regions.languages import LANGUAGES
    from regions.models import Language

    if Language.objects.count() < len(LANGUAGES):
        load_languages(Language)
    if TaxAllowanceCap.objects.count() < len(TAX_ALLOWANCE_CAPS):
        load_tax_allowance_caps(TaxAllowanceCap)
