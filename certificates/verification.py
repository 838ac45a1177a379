"""Other documents that answer on the public verification page (/verify/<code>/).

A code printed on a certificate is looked up by ``certificates.verify_views``; an app above this one with
codes of its own (the year-end statements of billing) registers a lookup at start-up instead of being
imported from here: ``lookup(request, code)`` returns the page for its code, or None."""

from collections.abc import Callable

_lookups: list[Callable] = []


def register(lookup: Callable) -> None:
    if lookup not in _lookups:
        _lookups.append(lookup)


def lookups() -> tuple[Callable, ...]:
    return tuple(_lookups)
