"""Comparing names the same way on SQLite and PostgreSQL."""

import unicodedata


def folded(value: str) -> str:
    """The key under which two names are the same: Unicode normalisation (NFKC), full case folding ("Ü" and
    "ü", "ß" and "SS") and runs of white space collapsed. Computed in Python, because SQLite's ``LOWER`` and
    ``LIKE`` fold ASCII letters only, and stored in a column under a unique constraint."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


class FoldedNameQuerySetMixin:
    """For a model with ``name`` and ``name_key``: ``bulk_create`` fills the key as ``save()`` does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.name_key = folded(obj.name)
        return super().bulk_create(objs, *args, **kwargs)
