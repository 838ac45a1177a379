"""The reports' rollups: every monthly figure per region, kept current in the transaction that changes it.

``MonthlyCount`` holds, per region and month, the consultations (in total, by topic, mode, language,
referral and age group, each with its records' cell-key sum), the Lotsen who joined (by the month they
left), trainings and hours, participations, certificates and the approved and paid allowance claims (by
kind of tax allowance).
``reports.selectors.build_report`` reads only these rows, so its cost depends on regions × months, not on
the number of records.

How they stay current (README "Reports: rollups"): the receivers below listen to every save and delete of
the records the figures come from (and to ``portal.signals.rows_updated`` for ``QuerySet.update()``) and
``refresh`` the region-months the change touches, old and new (a consultation moved from March to April
refreshes both). ``refresh`` recomputes a region-month from the raw records, idempotently: it locks the
month's ``RollupMonth`` row (``INSERT … ON CONFLICT DO UPDATE``), so two transactions touching the same
region-month take turns and the second one counts the first one's committed records too; it then replaces
the month's rows. It runs inside the caller's transaction: the figures change exactly when the records do.
Inside ``portal.signals.coalesced()`` (bulk writers, retention) and during one cascade delete, the receivers
collect the region-months and refresh them once, sorted, at the end: one transaction locks its months in
one ascending go, so two writers never deadlock on them.

A region-month that retention closed (``RollupMonth.closed``: its consultations were deleted) keeps its
consultation rows (``MonthlyCount.CONSULTATION_DIMENSIONS``) for good: they are the only thing left of those
records. Its other figures (Lotsen, trainings, participations, certificates, claims) are recomputed as in
any other month.
"""

from __future__ import annotations

import datetime
import threading
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_init, post_save, pre_delete
from django.utils import timezone

from allowances.models import AllowanceClaim, Contract
from certificates.models import Certificate
from events.models import Attendance, Event
from lotsen.models import TOPIC_FIELDS, Consultation, Lotse
from organisations.models import PartnerInstitution
from portal.dates import last_of_month, next_month
from portal.signals import defer, rows_updated
from reports.models import MonthlyCount, RollupMonth

Key = tuple[int, datetime.date]
D = MonthlyCount.Dimension

_local = threading.local()


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def local_month(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date().replace(day=1)


@contextmanager
def suspended():
    """Receivers do nothing inside: for bulk writers that refresh or rebuild the rollups themselves."""
    previous = getattr(_local, "suspended", False)
    _local.suspended = True
    try:
        yield
    finally:
        _local.suspended = previous


# -- recomputing --------------------------------------------------------------------------------------
def refresh(keys: Iterable[Key]) -> int:
    """Recompute the region-months ``keys`` from the raw records (in closed ones all but the consultation
    rows, which stay as they are); returns how many."""
    keys = {key for key in keys if key[0] is not None and key[1] is not None}
    if not keys:
        return 0
    with transaction.atomic():
        now = timezone.now()
        # Lock the months in a fixed order (no deadlock between two writers touching the same two months).
        RollupMonth.objects.bulk_create(
            [RollupMonth(region_id=region, month=month, computed_at=now) for region, month in sorted(keys)],
            update_conflicts=True,
            unique_fields=["region", "month"],
            update_fields=["computed_at"],
        )
        closed = set(RollupMonth.objects.filter(_keys_q(keys), closed=True).values_list("region_id", "month"))
        frozen = MonthlyCount.CONSULTATION_DIMENSIONS
        rows = [
            row
            for row in compute(keys)
            if row.dimension not in frozen or (row.region_id, row.month) not in closed
        ]
        if keys - closed:
            MonthlyCount.objects.filter(_keys_q(keys - closed)).delete()
        if closed:
            MonthlyCount.objects.filter(_keys_q(closed)).exclude(dimension__in=frozen).delete()
        MonthlyCount.objects.bulk_create(rows, batch_size=2000)
    return len(keys)


def close(keys: Iterable[Key]) -> None:
    """Retention is deleting these months' consultations: their consultation counts are final from now on
    (the month's other figures stay live)."""
    keys = set(keys)
    if keys:
        RollupMonth.objects.filter(_keys_q(keys)).update(closed=True)


def _keys_q(keys: set[Key]) -> Q:
    months: dict[int, set] = defaultdict(set)
    for region, month in keys:
        months[region].add(month)
    return reduce(or_, (Q(region_id=region, month__in=sorted(ms)) for region, ms in months.items()))


def compute(keys: set[Key]) -> list[MonthlyCount]:
    """The rollup rows of the region-months ``keys``, counted from the raw records (six queries)."""
    regions = {region for region, _month in keys}
    first = min(month for _region, month in keys)
    last = last_of_month(max(month for _region, month in keys))
    tz = timezone.get_current_timezone()
    start_at = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end_at = datetime.datetime.combine(next_month(last), datetime.time.min, tzinfo=tz)
    figures: dict[tuple, list] = defaultdict(lambda: [0, 0, Decimal("0")])

    def add(region, month, dimension, value, n, key_sum=0, amount=None):
        if (region, month) not in keys or not n:
            return
        figure = figures[(region, month, dimension, value)]
        figure[0] += n
        figure[1] += key_sum or 0
        figure[2] += amount or 0

    # consultations: one scan, grouped by mode, language, kind of referral and age band, topics counted
    # conditionally
    aggregates = {"c_n": Count("id"), "c_keys": Sum("cell_key")}
    for topic, field in TOPIC_FIELDS.items():
        aggregates[f"c_{topic}"] = Count("id", filter=Q(**{field: True}))
        aggregates[f"c_{topic}_keys"] = Sum("cell_key", filter=Q(**{field: True}))
    for row in (
        Consultation.objects.filter(region_id__in=regions, date__gte=first, date__lte=last)
        .annotate(m=TruncMonth("date"))
        .values("region_id", "m", "mode", "language_id", "referral__kind", "age_band")
        .annotate(**aggregates)
        .order_by()
    ):
        region, month, n, key_sum = row["region_id"], row["m"], row["c_n"], row["c_keys"]
        add(region, month, D.CONSULTATIONS, "", n, key_sum)
        add(region, month, D.MODE, row["mode"], n, key_sum)
        add(region, month, D.LANGUAGE, str(row["language_id"] or ""), n, key_sum)
        add(region, month, D.REFERRAL, row["referral__kind"] or "", n, key_sum)
        add(region, month, D.AGE, row["age_band"], n, key_sum)
        for topic in TOPIC_FIELDS:
            add(region, month, D.TOPIC, topic, row[f"c_{topic}"], row[f"c_{topic}_keys"])

    local = {"output_field": DateField(), "tzinfo": tz}
    for row in (
        Event.objects.trainings()
        .filter(region_id__in=regions, starts_at__gte=start_at, starts_at__lt=end_at)
        .annotate(m=TruncMonth("starts_at", **local))
        .values("region_id", "m")
        .annotate(n=Count("id"), hours=Sum("hours_credited"))
        .order_by()
    ):
        add(row["region_id"], row["m"], D.TRAININGS, "", row["n"], amount=row["hours"])
    for row in (
        Attendance.objects.attended_trainings()
        .filter(lotse__region_id__in=regions, event__starts_at__gte=start_at, event__starts_at__lt=end_at)
        .annotate(m=TruncMonth("event__starts_at", **local))
        .values("lotse__region_id", "m")
        .annotate(n=Count("id"))
        .order_by()
    ):
        add(row["lotse__region_id"], row["m"], D.PARTICIPATIONS, "", row["n"])
    for row in (
        Certificate.objects.filter(
            lotse__region_id__in=regions,
            status=Certificate.Status.ISSUED,
            issued_at__gte=start_at,
            issued_at__lt=end_at,
        )
        .annotate(m=TruncMonth("issued_at", **local))
        .values("lotse__region_id", "m")
        .annotate(n=Count("id"))
        .order_by()
    ):
        add(row["lotse__region_id"], row["m"], D.CERTIFICATES, "", row["n"])
    dimension_of = {AllowanceClaim.Status.APPROVED: D.APPROVED, AllowanceClaim.Status.PAID: D.PAID}
    for row in (
        AllowanceClaim.objects.filter(
            lotse__region_id__in=regions,
            month__gte=first,
            month__lte=last,
            status__in=AllowanceClaim.COUNTS_AGAINST_CAP,
        )
        .values("lotse__region_id", "month", "status", "contract__tax_allowance")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    ):
        add(
            row["lotse__region_id"],
            month_of(row["month"]),
            dimension_of[row["status"]],
            row["contract__tax_allowance"] or "",
            row["n"],
            amount=row["amount"],
        )
    for row in (
        Lotse.objects.filter(region_id__in=regions, joined_on__gte=first, joined_on__lte=last)
        .exclude(status=Lotse.Status.CANDIDATE)
        .annotate(m=TruncMonth("joined_on"), left=TruncMonth("left_on"))
        .values("region_id", "m", "left")
        .annotate(n=Count("id"))
        .order_by()
    ):
        left = row["left"].isoformat() if row["left"] else ""
        add(row["region_id"], row["m"], D.JOINED, left, row["n"])

    return [
        MonthlyCount(
            region_id=region,
            month=month,
            dimension=dimension,
            value=value,
            n=n,
            key_sum=keys,
            amount=amount,
        )
        for (region, month, dimension, value), (n, keys, amount) in figures.items()
    ]


def all_keys(year: int | None = None) -> set[Key]:
    """Every region-month that has records to count, or rollup rows (which may have to go)."""
    tz = timezone.get_current_timezone()
    local = {"output_field": DateField(), "tzinfo": tz}

    def in_year(queryset, field):
        return queryset.filter(**{f"{field}__year": year}) if year else queryset

    sources = [
        in_year(Consultation.objects.annotate(m=TruncMonth("date")), "date").values_list("region_id", "m"),
        in_year(
            Event.objects.trainings()
            .filter(region__isnull=False)
            .annotate(m=TruncMonth("starts_at", **local)),
            "m",
        ).values_list("region_id", "m"),
        in_year(
            Attendance.objects.attended_trainings().annotate(m=TruncMonth("event__starts_at", **local)), "m"
        ).values_list("lotse__region_id", "m"),
        in_year(
            Certificate.objects.filter(issued_at__isnull=False).annotate(m=TruncMonth("issued_at", **local)),
            "m",
        ).values_list("lotse__region_id", "m"),
        in_year(AllowanceClaim.objects.all(), "month").values_list("lotse__region_id", "month"),
        in_year(
            Lotse.objects.filter(joined_on__isnull=False).annotate(m=TruncMonth("joined_on")), "m"
        ).values_list("region_id", "m"),
        in_year(MonthlyCount.objects.all(), "month").values_list("region_id", "month"),
    ]
    keys: set[Key] = set()
    for source in sources:
        keys |= {(region, month_of(month)) for region, month in source.distinct().order_by()}
    return keys


def rebuild(year: int | None = None) -> dict[str, int]:
    """Recompute every region-month (of ``year``) from the raw records; closed months keep their consultation
    rows (``closed`` says how many of them there were). Idempotent: a second run writes the same rows."""
    keys = all_keys(year)
    closed = set(RollupMonth.objects.filter(closed=True).values_list("region_id", "month"))
    by_year: dict[int, set] = defaultdict(set)
    for key in keys:
        by_year[key[1].year].add(key)
    recomputed = 0
    for keys_of_year in by_year.values():  # one transaction per year: bounded locks and memory
        recomputed += refresh(keys_of_year)
    return {"recomputed": recomputed, "closed": len(keys & closed)}


# -- what a change touches -------------------------------------------------------------------------------
def _region_of_lotse(lotse_id, cache: dict) -> int | None:
    if lotse_id is None:
        return None
    if lotse_id not in cache:
        cache[lotse_id] = Lotse.objects.filter(pk=lotse_id).values_list("region_id", flat=True).first()
    return cache[lotse_id]


def _lotse_keys(state: dict, cache: dict) -> set[Key]:
    keys = set()
    if state["joined_on"]:
        keys.add((state["region_id"], month_of(state["joined_on"])))
    return keys


def _lotse_region_moved(old: dict, new: dict, pk) -> set[Key]:
    """A Lotse moved to another region: their claims, certificates and participations move along."""
    regions = {old["region_id"], new["region_id"]}
    months = set(AllowanceClaim.objects.filter(lotse_id=pk).values_list("month", flat=True))
    months |= {
        local_month(at)
        for at in Certificate.objects.filter(lotse_id=pk, issued_at__isnull=False).values_list(
            "issued_at", flat=True
        )
    }
    months |= {
        local_month(at)
        for at in Attendance.objects.filter(lotse_id=pk).values_list("event__starts_at", flat=True)
    }
    return {(region, month_of(month)) for region in regions for month in months}


def _consultation_keys(state: dict, cache: dict) -> set[Key]:
    return {(state["region_id"], month_of(state["date"]))} if state["date"] else set()


def _claim_keys(state: dict, cache: dict) -> set[Key]:
    if state["month"] is None:
        return set()
    return {(_region_of_lotse(state["lotse_id"], cache), month_of(state["month"]))}


def _certificate_keys(state: dict, cache: dict) -> set[Key]:
    if state["issued_at"] is None:
        return set()
    return {(_region_of_lotse(state["lotse_id"], cache), local_month(state["issued_at"]))}


def _attendance_keys(state: dict, cache: dict) -> set[Key]:
    starts_at = Event.objects.filter(pk=state["event_id"]).values_list("starts_at", flat=True).first()
    if starts_at is None:
        return set()
    return {(_region_of_lotse(state["lotse_id"], cache), local_month(starts_at))}


def _event_keys(state: dict, cache: dict) -> set[Key]:
    return {(state["region_id"], local_month(state["starts_at"]))} if state["starts_at"] else set()


def _event_moved(old: dict, new: dict, pk) -> set[Key]:
    """An event moved to another month (or changed its kind): its participations move along."""
    regions = set(Attendance.objects.filter(event_id=pk).values_list("lotse__region_id", flat=True))
    months = {local_month(state["starts_at"]) for state in (old, new) if state["starts_at"]}
    return {(region, month) for region in regions for month in months}


def _contract_changed(old: dict, new: dict, pk) -> set[Key]:
    return {
        (region, month_of(month))
        for region, month in AllowanceClaim.objects.filter(contract_id=pk).values_list(
            "lotse__region_id", "month"
        )
    }


def _partner_changed(old: dict, new: dict, pk) -> set[Key]:
    return set(
        Consultation.objects.filter(referral_id=pk)
        .annotate(m=TruncMonth("date"))
        .values_list("region_id", "m")
        .distinct()
        .order_by()
    )


#: model: (the fields that matter, the region-months a state counts in, what else a change of it touches)
TRACKED = {
    Consultation: (
        (
            "region_id",
            "date",
            "mode",
            "language_id",
            "referral_id",
            "age_band",
            "cell_key",
            *TOPIC_FIELDS.values(),
        ),
        _consultation_keys,
        None,
    ),
    Lotse: (("region_id", "joined_on", "left_on", "status"), _lotse_keys, _lotse_region_moved),
    AllowanceClaim: (("lotse_id", "contract_id", "month", "status", "amount"), _claim_keys, None),
    Certificate: (("lotse_id", "status", "issued_at"), _certificate_keys, None),
    Attendance: (("lotse_id", "event_id", "status"), _attendance_keys, None),
    Event: (("region_id", "kind", "starts_at", "hours_credited"), _event_keys, _event_moved),
    Contract: (("tax_allowance",), lambda state, cache: set(), _contract_changed),
    PartnerInstitution: (("kind",), lambda state, cache: set(), _partner_changed),
}
#: what "moved" needs to have changed before it looks further (a query)
MOVES = {
    Lotse: ("region_id",),
    Event: ("kind", "starts_at"),
    Contract: ("tax_allowance",),
    PartnerInstitution: ("kind",),
}
_UNKNOWN = object()


def _state(instance) -> dict:
    fields, _keys, _moved = TRACKED[type(instance)]
    return {name: instance.__dict__.get(name, _UNKNOWN) for name in fields}


def _remember(sender, instance, **kwargs):
    instance._rollup_state = _state(instance) if instance.pk else None


def _saved(sender, instance, created, raw=False, **kwargs):
    if raw or getattr(_local, "suspended", False):
        return
    new = _state(instance)
    old = getattr(instance, "_rollup_state", None)
    instance._rollup_state = new
    if old == new and _UNKNOWN not in new.values():
        return  # nothing the reports count has changed
    _fields, keys_of, moved = TRACKED[sender]
    cache: dict = {}
    if old is None or _UNKNOWN in old.values():
        old = _reloaded_old(sender, instance, new)
    keys = keys_of(new, cache) | (keys_of(old, cache) if old else set())
    if moved and old and any(old[name] != new[name] for name in MOVES[sender]):
        keys |= moved(old, new, instance.pk)
    defer(refresh, keys)


def _reloaded_old(sender, instance, new: dict) -> dict | None:
    # Saved without having been loaded (or with deferred fields): the old state is unknown; the new one is
    # what counts now. Unknown new fields are read back from the row just written.
    if _UNKNOWN in new.values():
        fresh = sender.objects.filter(pk=instance.pk).values(*new).first()
        if fresh:
            new.update(fresh)
    return None


class _Deletion:
    """One ``delete()`` (of an instance or a queryset, with its cascade) under way: Django sends pre_delete
    for every row first, then deletes and sends post_delete row by row. The region-months are collected
    until the last row is gone and refreshed once (not once per row, in the order the rows come)."""

    def __init__(self, origin):
        self.origin = origin
        self.waiting: set = set()
        self.keys: set[Key] = set()


def _deletions() -> dict:
    if not hasattr(_local, "deletions"):
        _local.deletions = {}
    return _local.deletions


def _deleting(sender, instance, origin=None, **kwargs):
    if getattr(_local, "suspended", False):
        return
    deletion = _deletions().get(id(origin))
    row = (sender, instance.pk)
    if deletion is None or deletion.origin is not origin or row in deletion.waiting:
        # a new delete (or the retry of one that failed half-way: its rows come again)
        deletion = _deletions()[id(origin)] = _Deletion(origin)
    deletion.waiting.add(row)


def _deleted(sender, instance, origin=None, **kwargs):
    if getattr(_local, "suspended", False):
        return
    _fields, keys_of, _moved = TRACKED[sender]
    state = getattr(instance, "_rollup_state", None) or _state(instance)
    keys = set() if _UNKNOWN in state.values() else keys_of(state, {})
    deletion = _deletions().get(id(origin))
    if deletion is None or deletion.origin is not origin or (sender, instance.pk) not in deletion.waiting:
        defer(refresh, keys)
        return
    deletion.keys |= keys
    deletion.waiting.discard((sender, instance.pk))
    if not deletion.waiting:
        del _deletions()[id(origin)]
        defer(refresh, deletion.keys)


def _updated(sender, pks, **kwargs):
    """``QuerySet.update()`` changed rows (no post_save): refresh the months they count in, from the rows."""
    if sender not in TRACKED or getattr(_local, "suspended", False):
        return
    fields, keys_of, _moved = TRACKED[sender]
    cache: dict = {}
    keys: set[Key] = set()
    for state in sender.objects.filter(pk__in=list(pks)).values(*fields):
        keys |= keys_of(state, cache)
    defer(refresh, keys)


def connect() -> None:
    for model in TRACKED:
        uid = f"reports.rollups.{model._meta.label_lower}"
        post_init.connect(_remember, sender=model, dispatch_uid=f"{uid}.init")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.save")
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"{uid}.deleting")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}.delete")
    rows_updated.connect(_updated, dispatch_uid="reports.rollups.updated")
