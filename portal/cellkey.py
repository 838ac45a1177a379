"""Record keys for the reports' cell-key method (the method itself is in ``reports/privacy.py``).

Every counted record carries a fixed random key, drawn once when the record is created and never changed or
shown. A report cell's key is the sum of its records' keys modulo ``KEY_SPACE``; integers keep that sum exact
in SQL on SQLite and PostgreSQL alike (a float sum could differ in its last bits with the order of the rows,
and the same cell must always get the same noise).
"""

import secrets

#: Record keys are integers in ``[0, KEY_SPACE)``; the largest fits a 32-bit integer column, and the sum of
#: a billion of them still fits the 64-bit integer SQL returns for it.
KEY_SPACE = 2**31


def new_record_key() -> int:
    """A fresh key: unpredictable, so nobody can pick records whose keys cancel out."""
    return secrets.randbelow(KEY_SPACE)
