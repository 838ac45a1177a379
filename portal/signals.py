"""Signals every app may send (the kernel imports no app; apps above listen)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import transaction
from django.dispatch import Signal

#: Rows of ``sender`` were changed with ``QuerySet.update()``, which sends no ``post_save``: ``pks``.
#: Send it after such an update of records other apps derive figures from (the reports' rollups listen),
#: once per update with all the rows' pks (not once per row).
rows_updated = Signal()

_local = threading.local()


@contextmanager
def coalesced():
    """An atomic block in which receivers that ``defer`` their work do it once, just before the block ends.

    For writers that change many rows in one transaction (a chunk of certificates, a retention rule, a
    cascade): each receiver's items (the reports' region-months) are collected over the whole block and
    handed to it once, inside the block, so the work commits with the rows and takes its locks in one
    sorted go (two such transactions never wait for each other the other way round). Nested blocks join
    the outermost; after an exception nothing is done (the transaction rolls back anyway)."""
    with transaction.atomic():
        outermost = getattr(_local, "pending", None) is None
        if outermost:
            _local.pending = {}
        try:
            yield
            if outermost:
                pending, _local.pending = _local.pending, None
                for work, items in pending.items():
                    work(items)
        finally:
            if outermost:
                _local.pending = None


def defer(work: Callable[[set], object], items: Iterable) -> None:
    """Call ``work(items)`` now, or, inside ``coalesced()``, once at its end with every item deferred."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        work(set(items))
    else:
        pending.setdefault(work, set()).update(items)
