"""Create a synthetic programme of national size for benchmarks: regions, organisations, Lotsen, events,
certificates, contracts, allowance claims and consultations.

    python manage.py seed_scale --organisations 2400 --lotsen 10000 --consultations 1000000

Everything is invented and deterministic (``--seed``). The large tables (consultations, claims) are written
with PostgreSQL ``COPY``; on other databases ``bulk_create`` in batches is used. The consultations span
``--years`` calendar years up to today. Refuses to run with DJANGO_ENV=production or on a database that
already holds consultations.
"""

import csv
import datetime
import io
import random
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from allowances.models import AllowanceClaim, Contract
from allowances.reference_data import ensure_tax_allowance_caps
from certificates.models import CODE_ALPHABET, CODE_LENGTH, Certificate
from events.models import Attendance, Event
from lotsen.models import TOPIC_FIELDS, Consultation, Lotse
from organisations.models import Organisation, PartnerInstitution
from portal.cellkey import KEY_SPACE
from portal.dates import next_month
from regions.models import District, Language, Region
from regions.reference_data import ensure_languages
from reports import rollups
from reports.models import MonthlyCount

REGIONS_CSV = Path(settings.BASE_DIR) / "regions" / "data" / "nrw_regions.csv"
DISTRICT_KINDS = {
    "kreis": District.Kind.KREIS,
    "kreisfreie stadt": District.Kind.KREISFREIE_STADT,
    "städteregion": District.Kind.STAEDTEREGION,
}
FIRST_NAMES = "Ayşe Mehmet Olga Dmitri Fatima Ahmad Leyla Yusuf Anna Piotr Elena Karim Amira Nikola Maria Ali"
LAST_NAMES = "Yılmaz Kaya Demir Ivanova Petrov Haddad Nasser Kowalski Nowak Popescu Georgiou Rahimi Öztürk"
COUNTRIES = ["SY", "TR", "AF", "IQ", "UA", "RU", "PL", "RO", "BG", "GR", "IT", "ER", "NG", "IR", "MA", "XK"]
COUNTRY_WEIGHTS = [22, 14, 10, 8, 9, 5, 5, 5, 4, 3, 3, 3, 2, 3, 2, 2]
LANGUAGE_CODES = ["de", "ar", "tr", "ru", "uk", "fa", "ku", "prs", "pl", "ro", "bg", "en", "ti", "so", "fr"]
LANGUAGE_WEIGHTS = [20, 20, 14, 9, 8, 6, 5, 3, 3, 3, 2, 3, 1, 1, 2]
BATCH = 100_000


class Command(BaseCommand):
    help = "Create a synthetic programme of national size (for benchmarks; never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=2400)
        parser.add_argument("--lotsen", type=int, default=10_000)
        parser.add_argument("--consultations", type=int, default=1_000_000)
        parser.add_argument("--years", type=int, default=3, help="calendar years of history up to today")
        parser.add_argument("--seed", type=int, default=2014)

    def handle(self, *args, **options):
        if settings.DJANGO_ENV == "production" or settings.IS_PRODUCTION:
            raise CommandError(
                "seed_scale creates invented data and refuses to run with DJANGO_ENV=production."
            )
        if Consultation.objects.exists():
            raise CommandError(
                "This database already holds consultations; seed_scale needs an empty programme."
            )
        self.rng = random.Random(options["seed"])
        self.today = timezone.localdate()
        self.start = datetime.date(self.today.year - options["years"] + 1, 1, 1)
        self.postgres = connection.vendor == "postgresql"
        started = time.monotonic()
        ensure_languages()
        ensure_tax_allowance_caps()
        with transaction.atomic(), rollups.suspended():
            regions = self._step("regions and districts", self._regions)
            organisations = self._step(
                "organisations", self._organisations, regions, options["organisations"]
            )
            partners = self._step("partner institutions", self._partners, regions)
            lotsen = self._step("Lotsen", self._lotsen, regions, organisations, options["lotsen"])
            self._step("events and attendance", self._events, regions, lotsen)
            self._step("certificates", self._certificates, lotsen)
            self._step("contracts and claims", self._claims, lotsen)
            self._step("consultations", self._consultations, lotsen, partners, options["consultations"])
        # COPY and bulk_create send no signals: the reports' rollups are counted once, at the end.
        self._step("report rollups", rollups.rebuild)
        if self.postgres and not connection.in_atomic_block:
            # Fresh statistics and a visibility map, so the planner sees the real sizes (index-only scans).
            self._step("vacuum analyze", self._vacuum)
        self.stdout.write(f"seed_scale finished in {time.monotonic() - started:.1f} s")

    # -- helpers -------------------------------------------------------------------------------------
    def _step(self, label, function, *args):
        started = time.monotonic()
        result = function(*args)
        self.stdout.write(f"  {label}: {time.monotonic() - started:.1f} s")
        return result

    def _random_day(self, since: datetime.date | None = None) -> datetime.date:
        since = max(since or self.start, self.start)
        return since + datetime.timedelta(days=self.rng.randrange(max((self.today - since).days, 1)))

    def _copy(self, model, columns: list[str], rows) -> None:
        """Write rows (tuples in the order of ``columns``, attnames) with COPY, or bulk_create elsewhere."""
        if not self.postgres:
            objects = (model(**dict(zip(columns, row, strict=True))) for row in rows)
            batch = []
            for obj in objects:
                batch.append(obj)
                if len(batch) >= 5000:
                    model.objects.bulk_create(batch)
                    batch = []
            model.objects.bulk_create(batch)
            return
        table = model._meta.db_table
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        count = 0
        with connection.cursor() as cursor:
            for row in rows:
                writer.writerow(["\\N" if value is None else value for value in row])
                count += 1
                if count % BATCH == 0:
                    buffer.seek(0)
                    cursor.connection.cursor().copy_expert(sql, buffer)
                    buffer = io.StringIO()
                    writer = csv.writer(buffer, lineterminator="\n")
            buffer.seek(0)
            cursor.connection.cursor().copy_expert(sql, buffer)

    def _vacuum(self):
        tables = [
            m._meta.db_table
            for m in (Consultation, AllowanceClaim, Lotse, Event, Attendance, Certificate, MonthlyCount)
        ]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")

    # -- steps ---------------------------------------------------------------------------------------
    def _regions(self) -> list[Region]:
        regions: dict[str, Region] = {}
        with REGIONS_CSV.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                region = regions.get(row["region_slug"])
                if region is None:
                    region, _created = Region.objects.get_or_create(
                        slug=row["region_slug"],
                        defaults={
                            "name": row["region_name"],
                            "coordinating_body": row["coordinating_agency"],
                        },
                    )
                    regions[region.slug] = region
                kind = DISTRICT_KINDS.get(row["area_kind"].lower(), District.Kind.KREISANGEHOERIGE_STADT)
                District.objects.get_or_create(
                    name=row["area_name"],
                    defaults={"region": region, "kind": kind, "official_key": row["official_key"]},
                )
        return list(Region.objects.prefetch_related("districts").order_by("slug"))

    def _organisations(self, regions, count) -> dict[int, list[int]]:
        weights = [self.rng.randint(5, 15) for _ in regions]
        statuses = list(Organisation.CooperationStatus)
        objects = []
        for number in range(count):
            region = self.rng.choices(regions, weights)[0]
            districts = list(region.districts.all())
            objects.append(
                Organisation(
                    region=region,
                    district=self.rng.choice(districts) if districts else None,
                    name=f"Synthetischer Kulturverein {number + 1} e.V.",
                    city=districts[0].name if districts else "",
                    cooperation_status=self.rng.choices(statuses, [5, 5, 80, 5, 5])[0],
                    cooperation_since=self._random_day(datetime.date(2012, 1, 1)),
                    has_statutes=True,
                    has_board=True,
                    has_named_contact=self.rng.random() < 0.9,
                    has_meeting_room=self.rng.random() < 0.8,
                    has_data_protection_consent=self.rng.random() < 0.9,
                )
            )
        Organisation.objects.bulk_create(objects, batch_size=1000)
        by_region: dict[int, list[int]] = {region.pk: [] for region in regions}
        for pk, region_id in Organisation.objects.values_list("pk", "region_id"):
            by_region[region_id].append(pk)
        return by_region

    def _partners(self, regions) -> dict[int, list[int]]:
        objects = [
            PartnerInstitution(region=region, name=f"{kind.label} {region.name}", kind=kind)
            for region in regions
            for kind in PartnerInstitution.Kind
        ]
        PartnerInstitution.objects.bulk_create(objects)
        by_region: dict[int, list[int]] = {region.pk: [] for region in regions}
        for pk, region_id in PartnerInstitution.objects.values_list("pk", "region_id"):
            by_region[region_id].append(pk)
        return by_region

    def _lotsen(self, regions, organisations, count) -> list[Lotse]:
        first, last = FIRST_NAMES.split(), LAST_NAMES.split()
        region_weights = [len(organisations[r.pk]) or 1 for r in regions]
        objects = []
        for _number in range(count):
            region = self.rng.choices(regions, region_weights)[0]
            districts = list(region.districts.all())
            status = self.rng.choices(list(Lotse.Status), [3, 85, 4, 8])[0]
            joined = datetime.date(self.today.year - 5, 1, 1) + datetime.timedelta(
                days=self.rng.randrange(1800)
            )
            objects.append(
                Lotse(
                    first_name=self.rng.choice(first),
                    last_name=self.rng.choice(last),
                    region=region,
                    district=self.rng.choice(districts) if districts else None,
                    status=status,
                    joined_on=joined,
                    left_on=self.today if status == Lotse.Status.LEFT else None,
                    expertise=self.rng.sample(list(TOPIC_FIELDS), 2),
                )
            )
        lotsen = Lotse.objects.bulk_create(objects, batch_size=2000)
        languages = dict(Language.objects.values_list("code", "pk"))
        language_ids = [languages[c] for c in LANGUAGE_CODES if c in languages]
        org_links, language_links = [], []
        for lotse in lotsen:
            if organisations[lotse.region_id]:
                org_links.append(
                    Lotse.organisations.through(
                        lotse_id=lotse.pk, organisation_id=self.rng.choice(organisations[lotse.region_id])
                    )
                )
            for language_id in self.rng.sample(language_ids, 2):
                language_links.append(Lotse.languages.through(lotse_id=lotse.pk, language_id=language_id))
        Lotse.organisations.through.objects.bulk_create(org_links, batch_size=5000)
        Lotse.languages.through.objects.bulk_create(language_links, batch_size=5000)
        return lotsen

    def _events(self, regions, lotsen):
        by_region: dict[int, list[int]] = {region.pk: [] for region in regions}
        for lotse in lotsen:
            by_region[lotse.region_id].append(lotse.pk)
        tz = timezone.get_current_timezone()
        events = []
        month = self.start
        while month <= self.today:
            for region in [*regions, None]:
                kinds = [Event.Kind.TRAINING, Event.Kind.WORKSHOP] if region else [Event.Kind.CONFERENCE]
                if region is None and month.month != 11:
                    continue
                for kind in kinds:
                    day = month.replace(day=self.rng.randint(1, 27))
                    starts = datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=tz)
                    events.append(
                        Event(
                            kind=kind,
                            region=region,
                            title=f"{kind.label} {day:%m/%Y}",
                            starts_at=starts,
                            ends_at=starts + datetime.timedelta(hours=3),
                            hours_credited=Decimal("3.0") if kind == Event.Kind.TRAINING else Decimal("2.5"),
                            capacity=25,
                        )
                    )
            month = next_month(month)
        events = Event.objects.bulk_create(events, batch_size=2000)
        all_lotsen = [lotse.pk for lotse in lotsen]
        attendances = []
        statuses = [Attendance.Status.ATTENDED, Attendance.Status.EXCUSED, Attendance.Status.ABSENT]
        for event in events:
            pool = by_region[event.region_id] if event.region_id else all_lotsen
            for lotse_id in self.rng.sample(pool, min(len(pool), self.rng.randint(8, 20))):
                status = self.rng.choices(statuses, [80, 12, 8])[0]
                if event.starts_at > timezone.now():
                    status = Attendance.Status.REGISTERED
                attendances.append(Attendance(event=event, lotse_id=lotse_id, status=status))
        Attendance.objects.bulk_create(attendances, batch_size=5000)

    def _certificates(self, lotsen):
        objects = []
        for year in range(self.start.year, self.today.year):
            for lotse in lotsen:
                if self.rng.random() < 0.35:
                    code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                    issued = datetime.datetime(year, 12, self.rng.randint(1, 20), 10, tzinfo=datetime.UTC)
                    objects.append(
                        Certificate(
                            lotse=lotse,
                            programme_year=year,
                            status=Certificate.Status.ISSUED,
                            verification_code=code,
                            issued_at=issued,
                        )
                    )
        Certificate.objects.bulk_create(objects, batch_size=5000, ignore_conflicts=True)

    def _claims(self, lotsen):
        contracts = []
        for lotse in lotsen:
            if lotse.status == Lotse.Status.CANDIDATE:
                continue
            ended = lotse.status == Lotse.Status.LEFT
            contracts.append(
                Contract(
                    lotse=lotse,
                    status=Contract.Status.ENDED if ended else Contract.Status.ACTIVE,
                    starts_on=lotse.joined_on,
                    ends_on=self.today if ended else None,
                    rate=Decimal(self.rng.choice([40, 50, 60, 70, 80])),
                )
            )
        contracts = Contract.objects.bulk_create(contracts, batch_size=2000)
        this_month = self.today.replace(day=1)
        previous_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
        now = timezone.now()
        Status = AllowanceClaim.Status

        def rows():
            for contract in contracts:
                month = max(self.start, contract.starts_on).replace(day=1)
                while month <= this_month:
                    if self.rng.random() < 0.7:
                        if month == this_month:
                            status = Status.SUBMITTED
                        elif month == previous_month:
                            status = self.rng.choice([Status.SUBMITTED, Status.APPROVED])
                        else:
                            status = Status.PAID if self.rng.random() < 0.97 else Status.REJECTED
                        decided = now if status != Status.SUBMITTED else None
                        yield (
                            contract.lotse_id,
                            contract.pk,
                            month,
                            contract.rate,
                            None,
                            "",
                            status,
                            now,
                            decided,
                            "",
                            now if status == Status.PAID else None,
                            now,
                        )
                    month = next_month(month)

        columns = [
            "lotse_id",
            "contract_id",
            "month",
            "amount",
            "hours",
            "activities",
            "status",
            "submitted_at",
            "decided_at",
            "rejection_reason",
            "paid_at",
            "created_at",
        ]
        self._copy(AllowanceClaim, columns, rows())

    def _consultations(self, lotsen, partners, count):
        rng = self.rng
        active = [lotse for lotse in lotsen if lotse.status != Lotse.Status.CANDIDATE]
        # A few Lotsen are very busy, most advise now and then.
        weights = [rng.choice([1, 1, 1, 2, 3, 8]) for _ in active]
        regions = sorted({lotse.region_id for lotse in active})
        languages = dict(Language.objects.values_list("code", "pk"))
        language_ids = [languages.get(code) for code in LANGUAGE_CODES] + [None]
        language_weights = [*LANGUAGE_WEIGHTS, 4]
        modes = [m.value for m in Consultation.Mode]
        ages = [a.value for a in Consultation.AgeBand]
        genders = [g.value for g in Consultation.Gender]
        times = [t.value for t in Consultation.TimeInGermany]
        topic_count = len(TOPIC_FIELDS)
        span = (self.today - self.start).days + 1
        columns = [
            "lotse_id",
            "region_id",
            "date",
            "duration_minutes",
            "mode",
            "language_id",
            *TOPIC_FIELDS.values(),
            "age_band",
            "gender",
            "country_of_origin",
            "time_in_germany",
            "referral_id",
            "follow_up_needed",
            "cell_key",
            "created_at",
            "updated_at",
        ]

        # Consultations are logged day by day, so the table is (roughly) in date order, as in real life.
        all_days = sorted(rng.randrange(span) for _ in range(count))

        def rows():
            done = 0
            while done < count:
                n = min(BATCH, count - done)
                chosen = rng.choices(active, weights, k=n)
                days = all_days[done : done + n]
                durations = rng.choices([30, 45, 60, 90, 120], [20, 30, 30, 12, 8], k=n)
                mode_list = rng.choices(modes, [60, 20, 8, 12], k=n)
                language_list = rng.choices(language_ids, language_weights, k=n)
                age_list = rng.choices(ages, [18, 30, 25, 15, 7, 5], k=n)
                gender_list = rng.choices(genders, [48, 47, 1, 4], k=n)
                country_list = rng.choices(COUNTRIES, COUNTRY_WEIGHTS, k=n)
                time_list = rng.choices(times, [15, 35, 25, 20, 5], k=n)
                for i in range(n):
                    lotse = chosen[i]
                    region_id = lotse.region_id if rng.random() < 0.97 else rng.choice(regions)
                    day = self.start + datetime.timedelta(days=days[i])
                    topics = [False] * topic_count
                    for index in rng.sample(range(topic_count), rng.choice([1, 1, 2, 2, 3])):
                        topics[index] = True
                    referral = rng.choice(partners[region_id]) if rng.random() < 0.4 else None
                    logged = f"{day.isoformat()} 18:00:00+01"
                    yield (
                        lotse.pk,
                        region_id,
                        day,
                        durations[i],
                        mode_list[i],
                        language_list[i],
                        *topics,
                        age_list[i],
                        gender_list[i],
                        country_list[i],
                        time_list[i],
                        referral,
                        rng.random() < 0.2,
                        rng.randrange(KEY_SPACE),
                        logged,
                        logged,
                    )
                done += n

        self._copy(Consultation, columns, rows())
