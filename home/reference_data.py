"""Reference data every installation needs, from the apps that own it: languages (regions) and the yearly
tax-free caps (allowances). Each is loaded by its app's data migration; ``ensure_reference_data`` reloads
both where a test flushed the tables (transactional tests with a live server empty every table afterwards).
"""

from allowances.reference_data import ensure_tax_allowance_caps
from regions.reference_data import ensure_languages


def ensure_reference_data() -> None:
    ensure_languages()
    ensure_tax_allowance_caps()
