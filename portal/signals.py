"""Signals every app may send (the kernel imports no app; apps above listen)."""

from django.dispatch import Signal

#: Rows of ``sender`` were changed with ``QuerySet.update()``, which sends no ``post_save``: ``pks``.
#: Send it after such an update of records other apps derive figures from (the reports' rollups listen).
rows_updated = Signal()
