"""The test oracle of the reports' rollups: every figure counted from the raw records, as the report did
before it read rollups (a full scan with conditional aggregation). ``tabulate(..., figures=raw_figures(...))``
is what ``build_report`` must equal (tests/reports/test_rollups.py)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum

from allowances.models import AllowanceClaim
from certificates.models import Certificate
from events.models import Attendance, Event
from lotsen.models import TOPIC_FIELDS, Consultation, Lotse
from portal.dates import last_of_month
from reports.selectors import Figures, Period, _aware_range, tabulate


def raw_report(*, user, regions, period: Period):
    return tabulate(user=user, regions=regions, period=period, figures=raw_figures(user, regions, period))


def _counted(name: str, condition: Q | None = None) -> dict:
    return {name: Count("id", filter=condition), f"{name}_keys": Sum("cell_key", filter=condition)}


def _active_between(start, end) -> Q:
    return Q(joined_on__lte=end) & (Q(left_on__isnull=True) | Q(left_on__gte=start))


def raw_figures(user, regions, period: Period) -> Figures:
    region_ids = [region.pk for region in regions]
    figures = Figures()
    consultations = Consultation.objects.visible_to(user).filter(
        region_id__in=region_ids, date__gte=period.start, date__lte=period.end
    )
    aggregates = _counted("n")
    for topic, field_name in TOPIC_FIELDS.items():
        aggregates |= _counted(f"t_{topic}", Q(**{field_name: True}))
    for mode in Consultation.Mode.values:
        aggregates |= _counted(f"m_{mode}", Q(mode=mode))
    for index, month in enumerate(period.months):
        aggregates |= _counted(f"month_{index}", Q(date__gte=month, date__lte=last_of_month(month)))
    for row in consultations.values("region_id").annotate(**aggregates).order_by():
        region = row["region_id"]

        def put(key, name, row=row):
            if row[name]:
                figures.counts[key] = (row[name], row[f"{name}_keys"])

        put(("n", region), "n")
        for topic in TOPIC_FIELDS:
            put(("topic", region, topic), f"t_{topic}")
        for mode in Consultation.Mode.values:
            put(("mode", region, mode), f"m_{mode}")
        for index, month in enumerate(period.months):
            put(("month", region, month), f"month_{index}")
    for group, key in (("language_id", "lang"), ("referral__kind", "ref"), ("age_band", "age")):
        for row in consultations.values("region_id", group).annotate(**_counted("n")).order_by():
            value = (row[group] or "none") if key == "ref" else row[group]
            figures.counts[(key, row["region_id"], value)] = (row["n"], row["n_keys"])

    for row in (
        Lotse.objects.visible_to(user)
        .filter(region_id__in=region_ids, joined_on__isnull=False)
        .exclude(status=Lotse.Status.CANDIDATE)
        .values("region_id")
        .annotate(
            period=Count("id", filter=_active_between(period.start, period.end)),
            **{
                f"m{index}": Count("id", filter=_active_between(month, last_of_month(month)))
                for index, month in enumerate(period.months)
            },
        )
        .order_by()
    ):
        active = figures.active.setdefault(row["region_id"], defaultdict(int))
        active["period"] = row["period"]
        for index, month in enumerate(period.months):
            active[month] = row[f"m{index}"]

    start_at, end_at = _aware_range(period)
    for row in (
        Event.objects.visible_to(user)
        .trainings()
        .filter(region_id__in=region_ids, starts_at__gte=start_at, starts_at__lt=end_at)
        .values("region_id")
        .annotate(n=Count("id"), hours=Sum("hours_credited"))
        .order_by()
    ):
        figures.trainings[row["region_id"]] = (row["n"], row["hours"])
    figures.participations = dict(
        Attendance.objects.visible_to(user)
        .attended_trainings()
        .filter(lotse__region_id__in=region_ids, event__starts_at__gte=start_at, event__starts_at__lt=end_at)
        .values("lotse__region_id")
        .annotate(n=Count("id"))
        .values_list("lotse__region_id", "n")
    )
    figures.certificates = dict(
        Certificate.objects.visible_to(user)
        .filter(
            lotse__region_id__in=region_ids,
            status=Certificate.Status.ISSUED,
            issued_at__gte=start_at,
            issued_at__lt=end_at,
        )
        .values("lotse__region_id")
        .annotate(n=Count("id"))
        .values_list("lotse__region_id", "n")
    )
    Status = AllowanceClaim.Status
    for row in (
        AllowanceClaim.objects.visible_to(user)
        .filter(
            lotse__region_id__in=region_ids,
            month__gte=period.start.replace(day=1),
            month__lte=period.end,
            status__in=AllowanceClaim.COUNTS_AGAINST_CAP,
        )
        .values("lotse__region_id", "contract__tax_allowance")
        .annotate(
            approved=Sum("amount", filter=Q(status=Status.APPROVED)),
            paid=Sum("amount", filter=Q(status=Status.PAID)),
            claims=Count("id"),
        )
        .order_by()
    ):
        figures.allowances.append(
            (
                row["lotse__region_id"],
                row["contract__tax_allowance"] or None,
                row["approved"] or 0,
                row["paid"] or 0,
                row["claims"],
            )
        )
    return figures
