"""The programme report: every figure aggregated in the database, a fixed number of queries.

``build_report(user=..., params=...)`` is the only entry point: the screen, the CSV/XLSX exports and the PDF
task all call it, so they show the same numbers (consultation counts perturbed by the cell-key method, see
``reports.privacy``).

The figures come from the rollups (``reports.models.MonthlyCount``, kept current by ``reports.rollups``),
read through ``MonthlyCount.objects.visible_to(user)`` and summed per region and category in the database;
Python only arranges the few aggregate rows (at most regions × categories) into tables. Neither the number
of queries nor the rows read depend on the number of records. Rollups are monthly, so a period is whole
months (``reports.forms`` snaps a custom period to them). The test oracle ``tests/reports/oracle.py``
counts the same figures from the raw records.

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
- *Age group*: the client's age band as the Lotse logged it (``Consultation.AgeBand``); "not stated" when it
  was not given, and for the months retention closed before age groups were counted (their ages were gone).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from allowances import rules
from allowances.models import TaxAllowanceKind
from events.models import Attendance, GuestRegistration
from lotsen.models import TOPIC_FIELDS, Consultation, Topic
from organisations.models import Organisation, PartnerInstitution
from portal.dates import next_month
from portal.numbers import normalise
from regions.models import Language, Region
from reports.models import MonthlyCount
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


@dataclass
class Figures:
    """The raw figures of a report before they are arranged into tables and perturbed.

    ``counts``: consultation cells as ``key: (count, sum of the records' cell keys)``; the keys are
    ``("n", region)``, ``("topic", region, topic)``, ``("mode", region, mode)``,
    ``("lang", region, language id or None)``, ``("ref", region, kind of institution or "none")``,
    ``("age", region, age band)`` (``Consultation.AgeBand``, "na" not stated) and
    ``("month", region, month)``. The rest per region: ``active`` (``{"period": n, month: n, …}``),
    ``trainings`` (count, hours), ``participations``, ``certificates``, and ``allowances`` as rows
    ``(region, kind of tax allowance, approved, paid, claims)``.
    """

    counts: dict = field(default_factory=dict)
    active: dict = field(default_factory=dict)
    trainings: dict = field(default_factory=dict)
    participations: dict = field(default_factory=dict)
    certificates: dict = field(default_factory=dict)
    allowances: list = field(default_factory=list)


def build_report(*, user, regions: list[Region], period: Period) -> Report:
    """All figures of the programme report for ``regions`` (already scoped to ``user``) and ``period``."""
    return tabulate(user=user, regions=regions, period=period, figures=rollup_figures(user, regions, period))


def rollup_figures(user, regions: list[Region], period: Period) -> Figures:
    """The figures from the rollups (``reports.rollups``), never from the records: three queries, whatever
    the number of consultations, claims or attendances. Rollups are monthly: the period is whole months."""
    D = MonthlyCount.Dimension
    region_ids = [region.pk for region in regions]
    counts = MonthlyCount.objects.visible_to(user).filter(region_id__in=region_ids)
    in_period = counts.filter(month__gte=period.start.replace(day=1), month__lte=period.end)
    figures = Figures()
    category = {D.TOPIC: "topic", D.MODE: "mode", D.LANGUAGE: "lang", D.REFERRAL: "ref", D.AGE: "age"}
    # 1. everything counted per region and category over the period (one query)
    for row in (
        in_period.exclude(dimension=D.JOINED)
        .values("region_id", "dimension", "value")
        .annotate(total=Sum("n"), keys=Sum("key_sum"), sum=Sum("amount"))
        .order_by()
    ):
        region, dimension, value = row["region_id"], row["dimension"], row["value"]
        if dimension == D.CONSULTATIONS:
            figures.counts[("n", region)] = (row["total"], row["keys"])
        elif dimension == D.LANGUAGE:
            figures.counts[("lang", region, int(value) if value else None)] = (row["total"], row["keys"])
        elif dimension == D.REFERRAL:
            figures.counts[("ref", region, value or "none")] = (row["total"], row["keys"])
        elif dimension in category:
            figures.counts[(category[dimension], region, value)] = (row["total"], row["keys"])
        elif dimension == D.TRAININGS:
            figures.trainings[region] = (row["total"], row["sum"])
        elif dimension == D.PARTICIPATIONS:
            figures.participations[region] = row["total"]
        elif dimension == D.CERTIFICATES:
            figures.certificates[region] = row["total"]
        else:  # approved or paid claims of a kind of tax allowance
            approved, paid = (row["sum"], 0) if dimension == D.APPROVED else (0, row["sum"])
            figures.allowances.append((region, value or None, approved, paid, row["total"]))
    # 2. consultations per region and month, for the trend (one query)
    for row in (
        in_period.filter(dimension=D.CONSULTATIONS)
        .values("region_id", "month")
        .annotate(total=Sum("n"), keys=Sum("key_sum"))
        .order_by()
    ):
        figures.counts[("month", row["region_id"], row["month"])] = (row["total"], row["keys"])
    # 3. Lotsen on the roster: everyone who joined by the end and had not left before the start; counted from
    # the months they joined and left (one query over the region's history: at most months × months rows)
    joined = (
        counts.filter(dimension=D.JOINED, month__lte=period.end)
        .values("region_id", "month", "value")
        .annotate(total=Sum("n"))
        .order_by()
    )
    months = period.months
    position = {month: index for index, month in enumerate(months)}
    # per region: +n in the month a Lotse's span starts, −n in the month after it ends
    changes: dict = defaultdict(lambda: [0] * (len(months) + 1))
    for row in joined:
        left = datetime.date.fromisoformat(row["value"]) if row["value"] else None
        if left is not None and left < months[0]:
            continue  # left before the period
        active = figures.active.setdefault(row["region_id"], defaultdict(int))
        active["period"] += row["total"]
        # on the roster from the month joined (or the period's first) through the month left (or its last)
        first = position.get(row["month"], 0)
        last = len(months) - 1 if left is None or left > months[-1] else position[left]
        if first <= last:  # (a date of leaving before the date of joining is on the roster in no month)
            changes[row["region_id"]][first] += row["total"]
            changes[row["region_id"]][last + 1] -= row["total"]
    for region, deltas in changes.items():
        running = 0
        for month, delta in zip(months, deltas, strict=False):
            running += delta
            figures.active[region][month] = running
    return figures


def tabulate(*, user, regions: list[Region], period: Period, figures: Figures) -> Report:
    """Arrange the figures into the report's tables, the consultation counts perturbed (reports.privacy)."""
    region_ids = [region.pk for region in regions]
    single = len(regions) == 1
    #: the key of the totals row: with one region the totals row *is* that region's row
    total_key = region_ids[0] if single else None
    # organisations: a state, not a monthly figure, from the organisations themselves (a small table)
    organisations = dict(
        Organisation.objects.visible_to(user)
        .filter(region_id__in=region_ids, cooperation_status=Organisation.CooperationStatus.ACTIVE)
        .filter(Q(cooperation_since__isnull=True) | Q(cooperation_since__lte=period.end))
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    start_at, end_at = _aware_range(period)
    caps = _caps(period)
    language_ids = {key[2] for key in figures.counts if key[0] == "lang"} - {None}
    language_names = {language.pk: str(language) for language in Language.objects.filter(pk__in=language_ids)}

    # -- the consultation counts: one set of cells for all tables, each with its records' key sum ----
    cells: dict = {}
    key_sums: dict = {}

    def count(key, n: int, keys: int) -> None:
        cells[key] = cells.get(key, 0) + (n or 0)
        key_sums[key] = key_sums.get(key, 0) + (keys or 0)

    # languages: the most frequent ones as columns, the rest together
    language_totals: dict = defaultdict(int)
    for key, (n, _keys) in figures.counts.items():
        if key[0] == "lang" and key[2] is not None:
            language_totals[key[2]] += n
    top_languages = sorted(language_totals, key=lambda pk: (-language_totals[pk], language_names[pk]))[
        :TOP_LANGUAGES
    ]
    language_columns = [*top_languages, "other", "none"]
    for region_id in region_ids:
        count(("n", region_id), 0, 0)
        for topic in TOPIC_FIELDS:
            count(("topic", region_id, topic), 0, 0)
        for mode in Consultation.Mode.values:
            count(("mode", region_id, mode), 0, 0)
        for column in language_columns:
            count(("lang", region_id, column), 0, 0)
        for kind in [*PartnerInstitution.Kind.values, "none"]:
            count(("ref", region_id, kind), 0, 0)
        for band in Consultation.AgeBand.values:
            count(("age", region_id, band), 0, 0)
    for month in period.months:
        count(("month", month), 0, 0)
    for key, (n, keys) in figures.counts.items():
        if key[1] not in region_ids:
            continue
        if key[0] == "lang":
            language = key[2]
            column = "none" if language is None else (language if language in top_languages else "other")
            count(("lang", key[1], column), n, keys)
        elif key[0] == "month":
            count(("month", key[2]), n, keys)
        else:
            count(key, n, keys)
    if not single:  # the totals row: its own cells (all regions' records together), perturbed on their own
        for key in list(cells):
            if key[0] in {"n", "topic", "mode", "lang", "ref", "age"}:
                count((key[0], None, *key[2:]), cells[key], key_sums[key])
    shown = perturb_counts(cells, key_sums)
    active = figures.active

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
        trainings, training_hours = figures.trainings.get(region_id, (0, Decimal("0")))
        approved = paid = capacity = Decimal("0")
        claims = 0
        for row_region, kind, row_approved, row_paid, row_claims in figures.allowances:
            if row_region != region_id:
                continue
            approved += row_approved or 0
            paid += row_paid or 0
            claims += row_claims
            # each claimed month may use a twelfth of the yearly tax-free cap of its kind
            cap = caps.get(kind)
            if cap:
                capacity += rules.monthly_share_of_cap(cap) * row_claims
        values = {
            "organisations": organisations.get(region_id, 0),
            "lotsen": active.get(region_id, {}).get("period", 0),
            "trainings": trainings,
            "training_hours": training_hours or Decimal("0"),
            "participations": figures.participations.get(region_id, 0),
            "certificates": figures.certificates.get(region_id, 0),
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
    bands = Consultation.AgeBand.values
    rows, totals = grid("age", bands)
    tables["ages"] = Table(
        "ages",
        str(_("Consultations by age group")),
        region_header,
        [Column(b, capfirst(str(Consultation.AgeBand(b).label)), "count") for b in bands]
        + [consultations_column],
        rows,
        totals,
    )
    month_rows = [
        Row(
            f"{month:%m/%Y}",
            [shown[("month", month)], sum(row.get(month, 0) for row in active.values())],
            date=month,
        )
        for month in period.months
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


def report_regions(user, region: Region | None = None) -> list[Region]:
    """The regions a report for ``user`` covers: all visible ones, or the one chosen (already validated)."""
    regions = Region.objects.visible_to(user).order_by("name")
    if region is not None:
        regions = regions.filter(pk=region.pk)
    return list(regions)
