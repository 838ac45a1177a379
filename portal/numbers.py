"""Numbers as the portal shows them, decided in Python rather than by the database's types.

SQLite hands back aggregates of decimal columns without their scale (1,5 + 1,5 hours is ``Decimal("3")``),
PostgreSQL with it (``Decimal("3.0")``). Every figure therefore passes through :func:`normalise` before it
is shown or exported, so both databases give the same text.
"""

from decimal import ROUND_HALF_UP, Decimal

#: decimal places per kind of figure (reports, exports, data attributes)
PLACES = {"hours": Decimal("0.1"), "money": Decimal("0.01"), "percent": Decimal("0.1")}


def normalise(value, kind: str):
    """``value`` with the fixed number of decimals of its kind (hours 1, money 2, percent 1), rounded half up;
    other kinds and non-numbers (``None``, a suppressed count) are returned as they are."""
    places = PLACES.get(kind)
    if places is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return Decimal(value).quantize(places, ROUND_HALF_UP)
