"""Small-number protection for every figure that counts consultations.

The one place that decides which counts of a report may be shown. Screen, CSV, XLSX and the PDF summary all
show the result of ``protect_counts`` (called once per report in ``reports.selectors.build_report``), so no
output can show a number that another output hides.

The rule
--------
1. **Primary suppression.** A count of 1 to 4 consultations is shown as ``< 5``. Zero is shown as 0 (nobody
   can be identified from an empty cell).
2. **Secondary suppression.** Every published total is an equation: the cells of a row or column add up to
   their total (the region's consultations add up to the state total, the modes of a region add up to the
   region's consultations, the months add up to the period, …). All consultation counts of one report share
   one set of cells and one list of equations across all its tables, so a region's total is the *same* cell in
   the region table, the mode, language and referral tables and the trend.
   For each equation we compute, from the shown numbers and what a reader knows about a hidden cell
   (``< 5`` means 1–4; ``x`` means at least 5, because it is neither 0 nor 1–4), the interval each
   hidden cell can still take. If an equation has exactly one hidden entry, or a hidden entry is pinned to
   a single value (e.g. ``< 5`` + ``x`` = 6 can only be 1 + 5), another non-zero entry of that equation
   is hidden too and shown as ``x``: the smallest inner cell, a total only when no inner cell is left.
   The check starts again after every cell withheld, until no equation is exposed.
3. **Views are protected as a whole.** A report for one region has only that region's row; its totals are that
   row (the same cells), so the totals row cannot differ from the row.

Limits (documented in README "Reports"): each equation is audited on its own, not the whole table as one
linear system (as tools like τ-ARGUS do); and two reports for overlapping custom periods, or the state-wide
and a region's report, can still be subtracted from each other. Coordinators only see their own region.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

#: Counts below this (and above 0) are never shown.
SMALL_NUMBER_LIMIT = 5


@dataclass(frozen=True)
class Suppressed:
    """A hidden count. It carries no value, so no output can leak it by accident."""

    label: str
    reason: str  # "small" or "secondary"

    def __str__(self) -> str:
        return self.label


SMALL = Suppressed("< 5", "small")
WITHHELD = Suppressed("x", "secondary")
SMALL_NOTE = _("1 to 4 consultations: not shown exactly to protect the clients.")
WITHHELD_NOTE = _("Withheld so that a small number cannot be worked out from the totals.")


@dataclass(frozen=True)
class Equation:
    """``sum(parts) == total``: a row or column of a table with its published total."""

    parts: tuple[Hashable, ...]
    total: Hashable


def is_small(value: int) -> bool:
    return 0 < value < SMALL_NUMBER_LIMIT


def _hidden_bounds(value: int) -> tuple[float, float]:
    """What a reader knows about a hidden entry from its marker: ``< 5`` is 1–4, ``x`` is at least 5."""
    return (1, SMALL_NUMBER_LIMIT - 1) if is_small(value) else (SMALL_NUMBER_LIMIT, math.inf)


def _exposed(equation: Equation, cells: dict, hidden: dict) -> bool:
    """True when a hidden entry of this equation can be worked out from the rest of it."""
    entries = [(key, 1) for key in equation.parts] + [(equation.total, -1)]
    hidden_entries = [key for key, _sign in entries if key in hidden]
    if not hidden_entries:
        return False
    if len(hidden_entries) == 1:
        return True
    intervals = []
    for key, sign in entries:
        low, high = _hidden_bounds(cells[key]) if key in hidden else (cells[key], cells[key])
        intervals.append((key, sign, low, high))
    for key, sign, low, high in intervals:
        if key not in hidden:
            continue
        # sign * x + sum(others) == 0  =>  x == -sign * sum(others)
        rest_low = sum(min(s * lo, s * hi) for k, s, lo, hi in intervals if k != key)
        rest_high = sum(max(s * lo, s * hi) for k, s, lo, hi in intervals if k != key)
        can_low, can_high = (-rest_high, -rest_low) if sign == 1 else (rest_low, rest_high)
        if max(low, can_low) >= min(high, can_high):
            return True
    return False


def protect_counts(
    cells: dict[Hashable, int], equations: Iterable[Equation]
) -> dict[Hashable, int | Suppressed]:
    """Apply the rule above to consultation counts keyed by any hashable; return what may be shown.

    Equations are checked in the order given (rows of the regions before the totals row) and the check
    starts again after every cell withheld, so the outcome is deterministic. Among the candidates an inner
    cell is preferred to a total (a region's total appears in several tables), then the smallest value.
    """
    equations = [eq for eq in equations if eq.total in cells and all(p in cells for p in eq.parts)]
    order = {key: index for index, key in enumerate(cells)}
    totals = {eq.total for eq in equations}
    hidden: dict[Hashable, Suppressed] = {key: SMALL for key, value in cells.items() if is_small(value)}
    while True:
        for equation in equations:
            if not _exposed(equation, cells, hidden):
                continue
            candidates = [
                key for key in (*equation.parts, equation.total) if key not in hidden and cells[key] != 0
            ]
            if candidates:
                chosen = min(candidates, key=lambda key: (key in totals, cells[key], order[key]))
                hidden[chosen] = WITHHELD
                break
        else:
            return {key: hidden.get(key, value) for key, value in cells.items()}
