"""The programme report: every figure aggregated in the database, a fixed number of queries.

``build_report(user=..., params=...)`` is the only entry point: the screen, the CSV/XLSX exports and the PDF
task all call it, so they show the same numbers (consultation counts perturbed by the cell-key method, see
``reports.privacy``).

Every query starts from ``Model.objects.visible_to(user)`` and is grouped by region in PostgreSQL
(``values("region").annotate(...)`` with conditional aggregation); Python only arranges the few aggregate
rows (at most regions × categories) into tables. The number of queries does not depend on the data size.

Definitions (also in README "Reports"):
- *Organisations involved*: migrant organisations cooperating (status "cooperating") whose cooperation began
  before the end of the period (or has no start date).
- *Trainings*: training sessions and workshops of the region that started in the period, with the hours
  credited; *participations*: attendances marked "attended" of the region's Lotsen (also at programme-wide
  trainings).
- *Certificates issued*: certificates with status "issued" whose issue date lies in the period.
- *Allowances*: claims for months in the period, approved (not yet paid) and paid; *allowance months* is the
  number of such monthly claims; *share of yearly cap* compares the amounts with one twelfth of the yearly
  tax-free cap (of each claim's kind, valid in the period's last year) per claimed month.
- *Active Lotsen*: on the roster in the period (joined on or before its end, not left before its start,
  not a candidate); month by month the same for each month.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allowances import rules
from allowances.models import AllowanceClaim, TaxAllowanceKind
from certificates.models import Certificate
from events.models import Attendance, Event, GuestRegistration
from lotsen.models import TOPIC_FIELDS, Consultation, Lotse, Topic
from organisations.models import Organisation, PartnerInstitution
from portal.dates import last_of_month, next_month
from portal.numbers import normalise
from regions.models import Language, Region
from reports.models import ConsultationMonthCount
from reports.privacy import perturb_counts

#: Languages shown as their own column; the rest are summed up as "other languages".
TOP_LANGUAGES = 8


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    label: str

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = next_month(month)
        return months


@dataclass
class Column:
    key: str
    label: str
    #: count (consultations, perturbed) · int · hours · money · percent
    kind: str = "int"


@dataclass
class Row:
    label: str
    values: list
    #: a date for month rows (exports write it as a real date)
    date: datetime.date | None = None


@dataclass
class Table:
    key: str
    title: str
    row_header: str
    columns: list[Column]
    rows: list[Row]
    totals: Row | None = None

    def __post_init__(self):
        kinds = [column.kind for column in self.columns]
        for row in self.all_rows:
            row.values = [normalise(value, kind) for value, kind in zip(row.values, kinds, strict=True)]

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, self.totals] if self.totals else list(self.rows)

    def _cells(self, row: Row) -> list[tuple[object, str]]:
        return list(zip(row.values, [column.kind for column in self.columns], strict=True))

    @property
    def body(self) -> list[tuple[Row, list[tuple[object, str]]]]:
        """Rows with each value paired with its column's kind, for templates."""
        return [(row, self._cells(row)) for row in self.rows]

    @property
    def footer(self) -> list[tuple[object, str]] | None:
        return self._cells(self.totals) if self.totals else None


@dataclass
class Report:
    period: Period
    regions: list[Region]
    tables: dict[str, Table]
    headline: list[tuple[str, object, str]] = field(default_factory=list)
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    def __post_init__(self):
        self.headline = [(label, normalise(value, kind), kind) for label, value, kind in self.headline]

    @property
    def single_region(self) -> bool:
        return len(self.regions) == 1


def _aware_range(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def _caps(period: Period) -> dict[str, Decimal]:
    """The yearly cap of each kind valid in the period's last year (allowances.rules, one query)."""
    table = rules.CapTable()
    caps = {kind: table.amount_for(kind, period.end.year) for kind in TaxAllowanceKind.values}
    return {kind: amount for kind, amount in caps.items() if amount is not None}


def build_report(*, user, regions: list[Region], period: Period) -> Report:
    """All figures of the programme report for ``regions`` (already scoped to ``user``) and ``period``."""
    region_ids = [region.pk for region in regions]
    single = len(regions) == 1
    #: the key of the totals row: with one region the totals row *is* that region's row
    total_key = region_ids[0] if single else None

    consultations = Consultation.objects.visible_to(user).filter(
        region_id__in=region_ids, date__gte=period.start, date__lte=period.end
    )

    # 1. per region: total, topics, modes and each month (one scan, conditional aggregation); with each
    # count the sum of its records' keys, from which reports.privacy perturbs it
    aggregates = _counted("n")
    for topic, field_name in TOPIC_FIELDS.items():
        aggregates |= _counted(f"t_{topic}", Q(**{field_name: True}))
    for mode in Consultation.Mode.values:
        aggregates |= _counted(f"m_{mode}", Q(mode=mode))
    for index, month in enumerate(period.months):
        aggregates |= _counted(f"month_{index}", Q(date__gte=month, date__lte=last_of_month(month)))
    per_region = {
        row["region_id"]: row for row in consultations.values("region_id").annotate(**aggregates).order_by()
    }
    # 2. per region, language and partner institution referred to (both tables from one scan; grouped by the
    # referral's id rather than joined, the few institutions are mapped to their kinds below)
    per_language_referral = list(
        consultations.values("region_id", "language_id", "referral_id").annotate(**_counted("n")).order_by()
    )
    # 2b. closed years whose records retention has deleted: their stored monthly counts (two queries)
    _add_stored_counts(user, region_ids, period, per_region, per_language_referral)
    # 3. active Lotsen (on the roster: joined, not left) per region in the period and in each month
    active = {
        row["region_id"]: row
        for row in Lotse.objects.visible_to(user)
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
    }

    # 4. organisations, 5. trainings, 6. participations, 7. certificates, 8. allowances, 9. caps
    organisations = dict(
        Organisation.objects.visible_to(user)
        .filter(region_id__in=region_ids, cooperation_status=Organisation.CooperationStatus.ACTIVE)
        .filter(Q(cooperation_since__isnull=True) | Q(cooperation_since__lte=period.end))
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    start_at, end_at = _aware_range(period)
    trainings = {
        row["region_id"]: row
        for row in Event.objects.visible_to(user)
        .trainings()
        .filter(region_id__in=region_ids, starts_at__gte=start_at, starts_at__lt=end_at)
        .values("region_id")
        .annotate(n=Count("id"), hours=Sum("hours_credited"))
        .order_by()
    }
    participations = dict(
        Attendance.objects.visible_to(user)
        .attended_trainings()
        .filter(
            lotse__region_id__in=region_ids,
            event__starts_at__gte=start_at,
            event__starts_at__lt=end_at,
        )
        .values("lotse__region_id")
        .annotate(n=Count("id"))
        .values_list("lotse__region_id", "n")
    )
    certificates = dict(
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
    allowances = list(
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
    )
    caps = _caps(period)
    referral_kinds = dict(
        PartnerInstitution.objects.filter(
            pk__in={row["referral_id"] for row in per_language_referral} - {None}
        ).values_list("pk", "kind")
    )
    # 10. names of the languages that occur
    language_ids = {row["language_id"] for row in per_language_referral} - {None}
    language_names = {language.pk: str(language) for language in Language.objects.filter(pk__in=language_ids)}

    # -- the consultation counts: one set of cells for all tables, each with its records' key sum ----
    cells: dict = {}
    key_sums: dict = {}

    def count(key, row: dict, name: str) -> None:
        cells[key] = cells.get(key, 0) + (row.get(name) or 0)
        key_sums[key] = key_sums.get(key, 0) + (row.get(f"{name}_keys") or 0)

    for region_id in region_ids:
        row = per_region.get(region_id, {})
        count(("n", region_id), row, "n")
        for topic in TOPIC_FIELDS:
            count(("topic", region_id, topic), row, f"t_{topic}")
        for mode in Consultation.Mode.values:
            count(("mode", region_id, mode), row, f"m_{mode}")
    # languages: the most frequent ones as columns, the rest together
    language_totals: dict = defaultdict(int)
    for row in per_language_referral:
        if row["language_id"] is not None:
            language_totals[row["language_id"]] += row["n"]
    top_languages = sorted(language_totals, key=lambda pk: (-language_totals[pk], language_names[pk]))[
        :TOP_LANGUAGES
    ]
    language_columns = [*top_languages, "other", "none"]
    for region_id in region_ids:
        for column in language_columns:
            count(("lang", region_id, column), {}, "n")
        for kind in [*PartnerInstitution.Kind.values, "none"]:
            count(("ref", region_id, kind), {}, "n")
    for row in per_language_referral:
        language = row["language_id"]
        column = "none" if language is None else (language if language in top_languages else "other")
        count(("lang", row["region_id"], column), row, "n")
        kind = row.get("referral_kind") or (
            referral_kinds[row["referral_id"]] if row["referral_id"] else "none"
        )
        count(("ref", row["region_id"], kind), row, "n")
    for index, month in enumerate(period.months):
        count(("month", month), {}, "n")
        for row in per_region.values():
            count(("month", month), row, f"month_{index}")
    if not single:  # the totals row: its own cells (all regions' records together), perturbed on their own
        for key in list(cells):
            if key[0] in {"n", "topic", "mode", "lang", "ref"}:
                count((key[0], None, *key[2:]), {"n": cells[key], "n_keys": key_sums[key]}, "n")
    shown = perturb_counts(cells, key_sums)

    # -- tables ------------------------------------------------------------------------------------
    def label_for(region_id) -> str:
        return str(_("Total")) if region_id is None else names[region_id]

    names = {region.pk: region.name for region in regions}
    row_keys = [*region_ids] if single else [*region_ids, None]

    def grid(kind: str, columns: list) -> tuple[list[Row], Row | None]:
        rows = [
            Row(label_for(r), [shown[(kind, r, c)] for c in columns] + [shown[("n", r)]]) for r in row_keys
        ]
        return (rows, None) if single else (rows[:-1], rows[-1])

    tables: dict[str, Table] = {}
    region_header = str(_("Region"))

    # the overview per region
    overview_columns = [
        Column("organisations", str(_("Organisations involved"))),
        Column("lotsen", str(_("Active Lotsen"))),
        Column("consultations", str(_("Consultations")), "count"),
        Column("trainings", str(_("Trainings held"))),
        Column("training_hours", str(_("Training hours")), "hours"),
        Column("participations", str(_("Training participations"))),
        Column("certificates", str(_("Certificates issued"))),
        Column("approved", str(_("Allowances approved (EUR)")), "money"),
        Column("paid", str(_("Allowances paid (EUR)")), "money"),
        Column("claims", str(_("Allowance months"))),
        Column("cap_share", str(_("Share of yearly cap (%)")), "percent"),
    ]
    overview_rows = []
    sums: dict = defaultdict(int)
    for region_id in region_ids:
        training = trainings.get(region_id, {})
        approved = paid = capacity = Decimal("0")
        claims = 0
        for row in allowances:
            if row["lotse__region_id"] != region_id:
                continue
            approved += row["approved"] or 0
            paid += row["paid"] or 0
            claims += row["claims"]
            # each claimed month may use a twelfth of the yearly tax-free cap of its kind
            cap = caps.get(row["contract__tax_allowance"])
            if cap:
                capacity += rules.monthly_share_of_cap(cap) * row["claims"]
        values = {
            "organisations": organisations.get(region_id, 0),
            "lotsen": active.get(region_id, {}).get("period", 0),
            "trainings": training.get("n", 0),
            "training_hours": training.get("hours") or Decimal("0"),
            "participations": participations.get(region_id, 0),
            "certificates": certificates.get(region_id, 0),
            "approved": approved,
            "paid": paid,
            "claims": claims,
            "capacity": capacity,
        }
        for key, value in values.items():
            sums[key] += value
        overview_rows.append(Row(names[region_id], _overview_values(values, shown[("n", region_id)])))
    overview_totals = None if single else Row(str(_("Total")), _overview_values(sums, shown[("n", None)]))
    tables["regions"] = Table(
        "regions",
        str(_("Overview by region")),
        region_header,
        overview_columns,
        overview_rows,
        overview_totals,
    )

    consultations_column = Column("consultations", str(_("Consultations")), "count")
    topics = list(TOPIC_FIELDS)
    rows, totals = grid("topic", topics)
    tables["topics"] = Table(
        "topics",
        str(_("Consultations by topic")),
        region_header,
        [Column(t, str(Topic(t).label), "count") for t in topics] + [consultations_column],
        rows,
        totals,
    )
    rows, totals = grid("lang", language_columns)
    language_labels = [language_names[pk] for pk in top_languages] + [
        str(_("Other languages")),
        str(_("Not stated")),
    ]
    tables["languages"] = Table(
        "languages",
        str(_("Consultations by language")),
        region_header,
        [Column(f"lang_{i}", label, "count") for i, label in enumerate(language_labels)]
        + [consultations_column],
        rows,
        totals,
    )
    modes = Consultation.Mode.values
    rows, totals = grid("mode", modes)
    tables["modes"] = Table(
        "modes",
        str(_("Consultations by mode")),
        region_header,
        [Column(m, str(Consultation.Mode(m).label), "count") for m in modes] + [consultations_column],
        rows,
        totals,
    )
    kinds = [*PartnerInstitution.Kind.values, "none"]
    rows, totals = grid("ref", kinds)
    tables["referrals"] = Table(
        "referrals",
        str(_("Consultations by referral")),
        region_header,
        [
            Column(
                k, str(PartnerInstitution.Kind(k).label) if k != "none" else str(_("No referral")), "count"
            )
            for k in kinds
        ]
        + [consultations_column],
        rows,
        totals,
    )
    month_rows = [
        Row(
            f"{month:%m/%Y}",
            [shown[("month", month)], sum(row[f"m{index}"] for row in active.values())],
            date=month,
        )
        for index, month in enumerate(period.months)
    ]
    tables["trend"] = Table(
        "trend",
        str(_("Month by month")),
        str(_("Month")),
        [consultations_column, Column("lotsen", str(_("Active Lotsen")))],
        month_rows,
        Row(str(_("Total")), [shown[("n", total_key)], sums["lotsen"]]),
    )

    tables["conference"] = _conference_table(user, regions, start_at, end_at)

    overview = tables["regions"].all_rows[-1].values
    headline = [
        (str(_("Consultations")), shown[("n", total_key)], "count"),
        (str(_("Active Lotsen")), sums["lotsen"], "int"),
        (str(_("Organisations involved")), overview[0], "int"),
        (str(_("Trainings held")), overview[3], "int"),
        (str(_("Training hours")), overview[4], "hours"),
        (str(_("Certificates issued")), overview[6], "int"),
        (str(_("Allowances paid (EUR)")), overview[8], "money"),
    ]
    return Report(period=period, regions=regions, tables=tables, headline=headline)


def _conference_table(user, regions: list[Region], start_at, end_at) -> Table:
    """Public events (conferences) in the period: registered (confirmed guests and Lotsen holding a place) and
    checked in, by kind of institution, the Lotsen as a kind of their own (two queries). Guests of a
    programme-wide event count in the report over all regions only (they belong to no region)."""
    region_ids = [region.pk for region in regions]
    events = Q(event__is_public=True, event__starts_at__gte=start_at, event__starts_at__lt=end_at)
    guest_events = Q(event__region_id__in=region_ids)
    if user.sees_everything and len(regions) == Region.objects.visible_to(user).count():
        guest_events |= Q(event__region__isnull=True)
    guests = {
        row["institution_kind"]: row
        for row in GuestRegistration.objects.visible_to(user)
        .filter(events, guest_events, status__in=GuestRegistration.TAKES_A_PLACE)
        .values("institution_kind")
        .annotate(registered=Count("id"), checked_in=Count("id", filter=Q(checked_in_at__isnull=False)))
        .order_by()
    }
    lotsen = (
        Attendance.objects.visible_to(user)
        # registered like a confirmed guest: holding a place, or marked absent at the door (who was excused
        # gave the place back before); guests who did not come stay confirmed and count the same way
        .filter(
            events,
            lotse__region_id__in=region_ids,
            status__in=[*Attendance.TAKES_A_PLACE, Attendance.Status.ABSENT],
        )
        .aggregate(
            registered=Count("id"), checked_in=Count("id", filter=Q(status=Attendance.Status.ATTENDED))
        )
    )
    rows = [Row(str(_("Lotsen")), [lotsen["registered"], lotsen["checked_in"]])]
    for kind, label in GuestRegistration.InstitutionKind.choices:
        row = guests.get(kind, {})
        rows.append(Row(str(label), [row.get("registered", 0), row.get("checked_in", 0)]))
    totals = Row(str(_("Total")), [sum(row.values[0] for row in rows), sum(row.values[1] for row in rows)])
    return Table(
        "conference",
        str(_("Public events: registered and checked in")),
        str(_("Kind of institution")),
        [Column("registered", str(_("Registered"))), Column("checked_in", str(_("Checked in")))],
        rows,
        totals,
    )


def _counted(name: str, condition: Q | None = None) -> dict:
    """A count of consultations and the sum of their record keys (``<name>`` and ``<name>_keys``)."""
    return {name: Count("id", filter=condition), f"{name}_keys": Sum("cell_key", filter=condition)}


def _stored(name: str, field: str, keys: str, condition: Q | None = None) -> dict:
    """The same pair from the stored monthly counts of closed years: a count and its records' key sum."""
    return {name: Sum(field, filter=condition), f"{name}_keys": Sum(keys, filter=condition)}


def _add_stored_counts(user, region_ids, period: Period, per_region: dict, per_language_referral: list):
    """Add the consultations of closed years, kept only as monthly counts (``ConsultationMonthCount``), to
    the rows counted from the records. Each stored count keeps its records' key sum, so a closed year's cells
    get the same noise as before the records went. Stored counts are per whole month: a period counts every
    month it touches, as the allowance figures do."""
    stored = ConsultationMonthCount.objects.visible_to(user).filter(
        region_id__in=region_ids, month__gte=period.start.replace(day=1), month__lte=period.end
    )
    aggregates = _stored("n", "n", "key_sum")
    for topic, field_name in TOPIC_FIELDS.items():
        aggregates |= _stored(f"t_{topic}", field_name, f"{field_name}_keys")
    for mode in Consultation.Mode.values:
        aggregates |= _stored(f"m_{mode}", "n", "key_sum", Q(mode=mode))
    for index, month in enumerate(period.months):
        aggregates |= _stored(f"month_{index}", "n", "key_sum", Q(month=month))
    # (aliased: an annotation may not share the name of the field "n")
    aliased = {f"stored_{key}": aggregate for key, aggregate in aggregates.items()}
    for row in stored.values("region_id").annotate(**aliased).order_by():
        target = per_region.setdefault(row["region_id"], {"region_id": row["region_id"]})
        for key in aggregates:
            target[key] = (target.get(key) or 0) + (row[f"stored_{key}"] or 0)
    per_language_referral.extend(
        {**row, "n": row["stored_n"], "n_keys": row["stored_n_keys"], "referral_id": None}
        for row in stored.values("region_id", "language_id", "referral_kind")
        .annotate(**{f"stored_{k}": v for k, v in _stored("n", "n", "key_sum").items()})
        .order_by()
    )


def _overview_values(values: dict, consultations: int) -> list:
    capacity = values["capacity"]
    share = (
        ((values["approved"] + values["paid"]) * 100 / capacity).quantize(Decimal("0.1"))
        if capacity
        else None
    )
    return [
        values["organisations"],
        values["lotsen"],
        consultations,
        values["trainings"],
        values["training_hours"],
        values["participations"],
        values["certificates"],
        values["approved"],
        values["paid"],
        values["claims"],
        share,
    ]


def _active_between(start: datetime.date, end: datetime.date) -> Q:
    """A Lotse on the roster at some day between start and end: joined before the end, not left before."""
    return Q(joined_on__lte=end) & (Q(left_on__isnull=True) | Q(left_on__gte=start))


def report_regions(user, region: Region | None = None) -> list[Region]:
    """The regions a report for ``user`` covers: all visible ones, or the one chosen (already validated)."""
    regions = Region.objects.visible_to(user).order_by("name")
    if region is not None:
        regions = regions.filter(pk=region.pk)
    return list(regions)
