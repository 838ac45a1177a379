"""Protection of every figure that counts consultations: the cell-key method.

The one place that decides what a count of consultations is shown as. Screen, CSV, XLSX and the PDF summary
all show the result of ``perturb_counts`` (called once per report in ``reports.selectors.build_report``), so
no output can show a number another output does not.

Why not "< 5"
-------------
Hiding counts of 1–4 protects one table, but not two: the report for 1 August–1 November minus the same
report ending 31 October gives the exact number of 1 November's consultations, however small. Any protection
that shows exact numbers for large cells can be subtracted that way.

The method (as the German statistical offices use it for the 2022 census)
-------------------------------------------------------------------------
1. **Record keys.** Every consultation carries a fixed random key (``Consultation.cell_key``, an integer in
   ``[0, KEY_SPACE)``, drawn when it is logged, never shown; ``portal/cellkey.py``).
2. **Cell keys.** A cell of a report (a count of consultations: one region's, one language's in a region,
   one month's, a total, …) gets the key ``(sum of its records' keys mod KEY_SPACE) / KEY_SPACE``, a number in
   ``[0, 1)``. The database sums the keys with the counts, in the same queries.
3. **Noise.** The published table ``PERTURBATION`` below gives, for the cell's true count, the probability of
   each deviation between −2 and +2; the cell key picks one deviation, deterministically (its position in
   the cumulated probabilities). The cell is shown as true count + deviation.

So the same consultations always give the same number (in every report, export and on every day), while two
different sets of consultations get independent noise: subtracting two overlapping reports gives the true
difference plus the difference of two unknown deviations, not the true small count.

Properties of the table: an empty cell stays 0 (it has no records, so no key); no count is ever negative;
**1 and 2 are never shown** (true counts of 1 or 2 are shown as 0, 3 or 4), so a "0" may be 0, 1 or 2; no
cell moves by more than ``MAX_DEVIATION``; the expected deviation is 0 for every count except 3, which is
shown as 3–5 (on average 0.25 too high: it cannot go down without showing a 1 or 2 or moving by 3).

Totals are cells of their own (the set of all their records) and are perturbed like any other cell, so the
cells of a row or column need not add up to the total shown; each is within ``MAX_DEVIATION`` of its true
value. A region's consultations are the same cell in every table, so they show the same number everywhere.

Limits (README "Reports"): many *different* overlapping reports (1 August–1 November minus 1 August–31
October, 2 August–1 November minus 2 August–31 October, …) each give the small count plus independent noise,
and averaging enough of them approaches it; the noise makes that slow and uncertain, not impossible.
Other figures of the report (Lotsen, trainings, certificates, money) are not client data and are exact.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from portal.cellkey import KEY_SPACE

#: No shown count differs from the true count by more than this.
MAX_DEVIATION = 2
#: True counts from 1 up to this are never shown as such.
SMALLEST_SHOWN = 3

#: The published perturbation table: for a true count, ``(deviation, probability)`` in a fixed order.
#: The last row applies to every larger count. Each row's probabilities add up to 1.
PERTURBATION: dict[int, tuple[tuple[int, Fraction], ...]] = {
    # shown as 0 (two times in three) or 3: expected deviation −2/3 + 2/3 = 0
    1: ((-1, Fraction(2, 3)), (2, Fraction(1, 3))),
    # shown as 0, 3 or 4: −0.8 + 0.4 + 0.4 = 0
    2: ((-2, Fraction(2, 5)), (1, Fraction(2, 5)), (2, Fraction(1, 5))),
    # shown as 3, 4 or 5: cannot go down without showing a 2 (expected +0.25)
    3: ((0, Fraction(4, 5)), (1, Fraction(3, 20)), (2, Fraction(1, 20))),
    # shown as 3 to 6: −0.3 + 0.2 + 0.1 = 0
    4: ((-1, Fraction(3, 10)), (0, Fraction(9, 20)), (1, Fraction(1, 5)), (2, Fraction(1, 20))),
    # 5 and more: symmetric, variance 1.2
    5: (
        (-2, Fraction(1, 10)),
        (-1, Fraction(1, 5)),
        (0, Fraction(2, 5)),
        (1, Fraction(1, 5)),
        (2, Fraction(1, 10)),
    ),
}
LARGEST_ROW = max(PERTURBATION)

METHOD_NOTE = _(
    "To protect the clients, every number of consultations is changed by a small amount, at most 2 up or "
    "down. The change is not drawn anew each time: every consultation carries a fixed random number, and the "
    "change of a figure is looked up in a published table from the sum of the random numbers of the "
    "consultations it counts (the cell-key method of the statistical offices, as in the 2022 census). So the "
    "same consultations always give the same figure, in every report and export, and subtracting one report "
    "from another does not reveal a small number exactly."
)
SMALL_NOTE = _(
    "1 and 2 are never shown: a 0 can mean 0, 1 or 2 consultations, and a 3 or 4 can also stand for 1 or 2. "
    "No figure is below 0."
)
TOTALS_NOTE = _(
    "Totals are changed on their own, so the figures of a row or column may not add up exactly to their "
    "total. All other figures (Lotsen, trainings, certificates, money) are exact."
)
#: What screen, exports and PDF say about the method, as (heading, text).
NOTES = (
    (_("Consultations"), METHOD_NOTE),
    (_("Small numbers"), SMALL_NOTE),
    (_("Totals"), TOTALS_NOTE),
)


def cell_key(key_sum: int) -> Fraction:
    """A cell's key in [0, 1) from the sum of its records' keys."""
    return Fraction(key_sum % KEY_SPACE, KEY_SPACE)


def _thresholds(row) -> tuple[tuple[int, int], ...]:
    """A row of the table as (deviation, integer bound): for an integer position p in [0, KEY_SPACE),
    ``p / KEY_SPACE < cumulated`` exactly when ``p < ceil(cumulated * KEY_SPACE)`` (no fractions per cell)."""
    bounds, cumulated = [], Fraction(0)
    for shift, probability in row:
        cumulated += probability
        bounds.append((shift, math.ceil(cumulated * KEY_SPACE)))
    return tuple(bounds)


_BOUNDS = {count: _thresholds(row) for count, row in PERTURBATION.items()}


def deviation(count: int, key_sum: int) -> int:
    """The deviation the table assigns to a cell of ``count`` records whose keys add up to ``key_sum``: the
    first whose cumulated probability exceeds the cell key (``cell_key(key_sum)``)."""
    if count <= 0:
        return 0
    position = key_sum % KEY_SPACE
    row = _BOUNDS[min(count, LARGEST_ROW)]
    for shift, bound in row:
        if position < bound:
            return shift
    return row[-1][0]  # unreachable while each row adds up to 1


def perturbed(count: int, key_sum: int) -> int:
    """The number shown for a cell: its true count plus the table's deviation for its cell key."""
    return count + deviation(count, key_sum)


def perturb_counts(counts: dict[Hashable, int], key_sums: dict[Hashable, int]) -> dict[Hashable, int]:
    """The shown number of every cell, from its true count and the sum of its records' keys."""
    return {key: perturbed(count, key_sums.get(key, 0)) for key, count in counts.items()}
