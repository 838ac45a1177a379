"""The figures of the Lotse's start page, kept in the shared cache until something they show changes.

The start page is the page every Lotse opens first and most often; it cost seven queries and a fifth of a
trivial page's throughput (``make bench-load``). What is cached is the rendered middle of the page
(dashboard/_lotse_start.html: the event tomorrow, this month's consultations and hours, the open claim's month
and status, the number of certificates, the upcoming events) and the ids of rejected claims. It holds no name
and no free text about a person: the greeting and the rejection reasons are read fresh on every view.

Freshness: every entry is tagged with two generation tokens, the Lotse's and the events'. Any save or delete
of the Lotse's consultations, claims, registrations or certificates (and ``portal.signals.rows_updated`` for
bulk updates of them) gives the Lotse's token a new random value, any change of an event gives the events'
token one; an entry whose tags differ from the current tokens is computed again. The token changes at once
and again when the transaction commits, so a request that read the old rows while the change was being made
cannot leave them cached. Entries expire after ``MAX_AGE`` seconds at most, at midnight, and when the first
listed event ends (it then leaves the list). While Redis is unreachable (portal.cache falls back to each
process's memory) nothing is cached: each process would see only its own changes.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.translation import get_language

from allowances.models import AllowanceClaim
from certificates.models import Certificate
from events.models import Attendance, Event
from lotsen.models import Consultation, Lotse
from portal.signals import rows_updated

logger = logging.getLogger(__name__)

#: The longest an entry is kept (seconds): a bound on staleness should a change ever bypass the signals.
MAX_AGE = 120
#: How long a generation token lives; far longer than any entry, so an entry never outlives its token.
TOKEN_AGE = 24 * 3600
EVENTS_KEY = "home:lotse-start:events"

#: The records whose changes a Lotse's start page shows, each with the field naming its Lotse.
PER_LOTSE = {
    Consultation: "lotse_id",
    AllowanceClaim: "lotse_id",
    Attendance: "lotse_id",
    Certificate: "lotse_id",
}


def _token_key(lotse_id: int) -> str:
    return f"home:lotse-start:lotse:{lotse_id}"


def _entry_key(lotse_id: int, today: datetime.date) -> str:
    return f"home:lotse-start:{lotse_id}:{today.isoformat()}:{get_language()}"


def _caching() -> bool:
    """Not while Redis is away, nor for MAX_AGE after (renewals made meanwhile did not reach it)."""
    degraded_within = getattr(cache, "degraded_within", None)
    return degraded_within is None or not degraded_within(MAX_AGE)


def cached(lotse: Lotse, today: datetime.date, compute) -> dict:
    """``compute()`` -> (value, the time the first listed event ends or None); the value from the cache when
    it is fresh (per Lotse, day and language)."""
    if not _caching():
        return compute()[0]
    entry_key, lotse_key = _entry_key(lotse.pk, today), _token_key(lotse.pk)
    found = cache.get_many([entry_key, lotse_key, EVENTS_KEY])
    tags = (found.get(lotse_key), found.get(EVENTS_KEY))
    entry = found.get(entry_key)
    if entry is not None and None not in tags and entry[0] == tags:
        return entry[1]
    value, first_event_ends = compute()
    if not _caching():  # Redis went away during this request: what was read may be this process's own memory
        return value
    if None in tags:
        # No token yet (or evicted): start one; the next request caches under it.
        cache.add(lotse_key, uuid.uuid4().hex, TOKEN_AGE)
        cache.add(EVENTS_KEY, uuid.uuid4().hex, TOKEN_AGE)
        return value
    now = timezone.localtime()
    midnight = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
    )
    ends = [midnight] + ([first_event_ends] if first_event_ends else [])
    seconds = min([MAX_AGE] + [int((moment - now).total_seconds()) for moment in ends])
    if seconds > 0:
        cache.set(entry_key, (tags, value), seconds)
    return value


def _renew(keys: list[str]) -> None:
    def renew():
        # A save must never fail because of the cache (portal.cache already falls back when Redis is away;
        # this is for its other errors, e.g. a read-only replica during a failover). Entries then expire.
        try:
            cache.set_many({key: uuid.uuid4().hex for key in keys}, TOKEN_AGE)
        except Exception:
            logger.warning("Start page tokens not renewed; cached start pages expire within %s s", MAX_AGE)

    renew()
    transaction.on_commit(renew)


def lotsen_changed(lotse_ids) -> None:
    """Their start pages show something new (called by the receivers below; call it after raw SQL)."""
    keys = [_token_key(pk) for pk in set(lotse_ids) if pk is not None]
    if keys:
        _renew(keys)


def events_changed() -> None:
    _renew([EVENTS_KEY])


def _remember_lotse(sender, instance, **kwargs):
    """Before an update: the Lotse the row belonged to (a superuser may move it to another in the admin)."""
    if instance.pk is not None and not instance._state.adding:
        field = PER_LOTSE[sender]
        instance._lotse_start_before = (
            sender._base_manager.filter(pk=instance.pk).values_list(field, flat=True).first()
        )


def _row_changed(sender, instance, **kwargs):
    lotsen_changed([getattr(instance, PER_LOTSE[sender]), getattr(instance, "_lotse_start_before", None)])


def _lotse_changed(sender, instance, **kwargs):
    lotsen_changed([instance.pk])


def _event_changed(sender, **kwargs):
    events_changed()


def _rows_updated(sender, pks, **kwargs):
    if sender in PER_LOTSE:
        lotsen_changed(sender.objects.filter(pk__in=list(pks)).values_list(PER_LOTSE[sender], flat=True))
    elif sender is Event:
        events_changed()


def connect() -> None:
    for model in PER_LOTSE:
        pre_save.connect(_remember_lotse, sender=model, dispatch_uid=f"home.lotse_start.{model.__name__}.pre")
    for action, signal in (("save", post_save), ("delete", post_delete)):
        for model in PER_LOTSE:
            signal.connect(
                _row_changed, sender=model, dispatch_uid=f"home.lotse_start.{model.__name__}.{action}"
            )
        signal.connect(_lotse_changed, sender=Lotse, dispatch_uid=f"home.lotse_start.Lotse.{action}")
        signal.connect(_event_changed, sender=Event, dispatch_uid=f"home.lotse_start.Event.{action}")
    rows_updated.connect(_rows_updated, dispatch_uid="home.lotse_start.rows_updated")
