"""Demo data: the 16 NRW regions with their districts and a believable programme around 2014, plus the
current programme year relative to today, so every dashboard has something to show.

Every person here is invented. Consultations never carry a client's name (the model has no field for one).

Idempotent: master data is written with ``update_or_create`` on natural keys (e-mail, slug, district name,
region + name, ...); activity rows (attendance, claims, consultations) are only created when missing, so a
second run neither duplicates nor undoes what someone clicked in the demo.
"""

from __future__ import annotations

import csv
import datetime
import random
import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from allowances import rules
from allowances.models import AllowanceClaim, Contract, PayingAccount, SelfDeclaration, TaxAllowanceKind
from events.models import Attendance, Event, EventSession, GuestRegistration
from home.reference_data import ensure_reference_data
from lotsen.models import Consultation, Lotse, Topic
from organisations.models import Organisation, PartnerInstitution
from regions.models import Coordination, District, Language, Region
from reports import rollups

DEMO_PASSWORD = "demo-portal-2014"  # noqa: S105 (documented demo password, refused in production)
REGIONS_CSV = Path(__file__).resolve().parent.parent / "regions" / "data" / "nrw_regions.csv"
# uuid5 namespace for the consultations' submission keys: the same demo row always gets the same key.
CONSULTATION_NAMESPACE = uuid.UUID("6f1c1d3e-6c1b-4d55-9d0a-2014a0b1c2d3")

#: The demo logins listed in README.md: (e-mail, name, role description)
DEMO_LOGINS = [
    ("staff@example.org", "Petra Neumann-Yıldız", "programme staff"),
    ("coordinator.owl@example.org", "Birgit Lohmeier", "coordinator Ostwestfalen-Lippe"),
    ("coordinator.siegen@example.org", "Jens Achenbach", "coordinator Siegen-Wittgenstein/Olpe"),
    ("lotse.owl@example.org", "Ayşe Güllüoğlu", "Lotse in Ostwestfalen-Lippe"),
    ("lotse.siegen@example.org", "Наталья Смирнова", "Lotse in Siegen-Wittgenstein/Olpe"),
    ("admin@example.org", "Portal-Administration", "superuser (Django admin)"),
]

INVITED_LOTSE_EMAIL = "amina.yousef@example.org"

AREA_KINDS = {
    "kreis": District.Kind.KREIS,
    "kreisfreie stadt": District.Kind.KREISFREIE_STADT,
    "städteregion": District.Kind.STAEDTEREGION,
}


def district_kind(area_kind: str) -> str:
    """Map the CSV's area_kind (e.g. "kreisangehörige Stadt (Ennepe-Ruhr-Kreis)") to District.Kind."""
    normalized = area_kind.strip().lower()
    if normalized.startswith("kreisangehörige stadt"):
        return District.Kind.KREISANGEHOERIGE_STADT
    try:
        return AREA_KINDS[normalized]
    except KeyError:
        raise ValueError(f"unknown area_kind in {REGIONS_CSV.name}: {area_kind!r}") from None


def de_iban(bank_code: str, account: int) -> str:
    """A German IBAN with correct ISO 7064 check digits for an (invented) account number."""
    bban = f"{bank_code}{account:010d}"
    numeric = "".join(str(int(ch, 36)) for ch in bban + "DE00")
    return f"DE{98 - int(numeric) % 97:02d}{bban}"


def aware(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))  # noqa: DTZ001


@dataclass
class SeedSummary:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, created: bool) -> None:
        self.created.setdefault(label, 0)
        if created:
            self.created[label] += 1

    def add(self, label: str, number: int) -> None:
        self.created[label] = self.created.get(label, 0) + number


# ----------------------------------------------------------------------------------------------------
# Regions and districts from the CSV
# ----------------------------------------------------------------------------------------------------
def load_regions(summary: SeedSummary | None = None) -> dict[str, Region]:
    """The 16 regions and their districts. Rows without an official key (towns that belong to a Kreis
    of another region, e.g. Witten) keep an empty key and the CSV's note."""
    summary = summary or SeedSummary()
    regions: dict[str, Region] = {}
    with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            slug = row["region_slug"].strip()
            if slug not in regions:
                regions[slug], created = Region.objects.update_or_create(
                    slug=slug,
                    defaults={
                        "name": row["region_name"].strip(),
                        "coordinating_body": row["coordinating_agency"].strip(),
                        "coordinating_body_kind": Region.BodyKind.REGIONALAGENTUR,
                    },
                )
                summary.count("regions", created)
            _district, created = District.objects.update_or_create(
                name=row["area_name"].strip(),
                defaults={
                    "region": regions[slug],
                    "kind": district_kind(row["area_kind"]),
                    "official_key": row["official_key"].strip(),
                    "note": row["note"].strip(),
                },
            )
            summary.count("districts", created)
    return regions


# ----------------------------------------------------------------------------------------------------
# The programme
# ----------------------------------------------------------------------------------------------------
# (first name, last name, languages, login e-mail or None)
OWL_LOTSEN = [
    ("Ayşe", "Güllüoğlu", ["tr", "de"], "lotse.owl@example.org"),
    ("Mehmet", "Şahin", ["tr", "ku", "de"], None),
    ("فاطمة الزهراء", "حداد", ["ar", "de"], None),
    ("Олег", "Кравченко", ["ru", "uk", "de"], None),
    ("Yusuf", "Öztürk", ["tr", "de"], None),
    # Invited, but has not chosen a password yet (shows the invitation state on the coordinator's pages).
    ("Amina", "Yousef", ["ar", "ku", "de"], "amina.yousef@example.org"),
]
SIEGEN_LOTSEN = [
    ("Наталья", "Смирнова", ["ru", "de"], "lotse.siegen@example.org"),
    ("Gülşen", "Karagöz", ["tr", "de"], None),
    ("Hüseyin", "Doğan", ["tr", "ku", "de"], None),
    ("عمر", "الخطيب", ["ar", "de"], None),
    ("Ирина", "Волкова", ["ru", "de"], None),
    ("Agnieszka", "Nowicka", ["pl", "de"], None),
    ("Dimitrios", "Papadakis", ["el", "de"], None),
    ("Arben", "Krasniqi", ["sq", "sr", "de"], None),
    ("Leyla", "Aydın", ["tr", "de"], None),
    ("Samira", "Benali", ["ar", "fr", "de"], None),
    ("Giuseppe", "Rinaldi", ["it", "de"], None),
    ("Tatjana", "Schäfer", ["ru", "de"], None),
    ("Nesrin", "Çelik", ["tr", "de"], None),
    ("Habib", "Rahimi", ["fa", "prs", "de"], None),
]

OWL_ORGANISATIONS = [
    ("Türkisch-Deutscher Elternverein Bielefeld e.V.", "Sennestadt", "Türkisch, Kurdisch", ["tr", "ku"]),
    ("Russischsprachiges Kulturforum Bielefeld e.V.", "Bielefeld-Mitte", "Russischsprachig", ["ru", "uk"]),
    ("Arabisches Familienzentrum Bielefeld e.V.", "Brackwede", "Syrisch, Irakisch", ["ar", "ku"]),
]
SIEGEN_ORGANISATIONS = [
    ("Deutsch-Russischer Kulturverein Siegen e.V.", "Siegen", "Russischsprachig", ["ru"]),
    ("Türkischer Kultur- und Bildungsverein Olpe e.V.", "Olpe", "Türkisch", ["tr"]),
    ("Internationaler Frauentreff Siegerland e.V.", "Siegen", "Arabisch, Polnisch, Griechisch", ["ar", "pl"]),
]

PARTNERS = {
    "owl": [
        ("Jobcenter Arbeitplus Bielefeld", PartnerInstitution.Kind.JOBCENTER),
        ("Agentur für Arbeit Bielefeld", PartnerInstitution.Kind.AGENTUR),
        ("Kommunales Integrationszentrum Bielefeld", PartnerInstitution.Kind.KI),
        ("Anerkennungsberatung Ostwestfalen-Lippe", PartnerInstitution.Kind.RECOGNITION),
    ],
    "siegen-wittgenstein-olpe": [
        ("Jobcenter Kreis Siegen-Wittgenstein", PartnerInstitution.Kind.JOBCENTER),
        ("Agentur für Arbeit Siegen", PartnerInstitution.Kind.AGENTUR),
        ("Kommunales Integrationszentrum Kreis Siegen-Wittgenstein", PartnerInstitution.Kind.KI),
        ("Anerkennungsberatung Südwestfalen", PartnerInstitution.Kind.RECOGNITION),
    ],
    "duesseldorf-mettmann": [
        ("Jobcenter Düsseldorf", PartnerInstitution.Kind.JOBCENTER),
        ("Agentur für Arbeit Düsseldorf", PartnerInstitution.Kind.AGENTUR),
        ("Kommunales Integrationszentrum Düsseldorf", PartnerInstitution.Kind.KI),
        ("Anerkennungsberatung Düsseldorf", PartnerInstitution.Kind.RECOGNITION),
    ],
}

TRAINING_TOPICS_2014 = [
    "Der Arbeitsmarkt in der Region und seine Institutionen",
    "Anerkennung ausländischer Berufsabschlüsse",
    "Bewerbungsunterlagen verstehen und erklären",
    "Rollenklarheit: Begleiten, nicht beraten",
    "Sprachkurse, Integrationskurse und berufsbezogenes Deutsch",
]


class DemoBuilder:
    """Writes the demo programme. One instance per run; ``today`` anchors the current programme year."""

    def __init__(self, today: datetime.date | None = None, summary: SeedSummary | None = None):
        self.today = today or timezone.localdate()
        self.summary = summary or SeedSummary()
        self.rng = random.Random(2014)  # deterministic: a rerun builds the same rows
        self.languages = {language.code: language for language in Language.objects.all()}

    # -- people -------------------------------------------------------------------------------------
    def user(self, email: str, name: str, **flags) -> User:
        user, created = User.objects.update_or_create(
            email=email, defaults={"name": name, "is_active": True, **flags}
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        self.summary.count("users", created)
        return user

    def invited_user(self, email: str, name: str) -> User:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"name": name, "invited_at": timezone.now(), "invited_by": self.coordinator_owl},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        self.summary.count("users", created)
        return user

    def lotse(self, region, district, first, last, codes, index, login_email, organisation) -> Lotse:
        user = None
        if login_email == INVITED_LOTSE_EMAIL:
            user = self.invited_user(login_email, f"{first} {last}")
        elif login_email:
            user = self.user(login_email, f"{first} {last}")
        lotse, created = Lotse.objects.update_or_create(
            region=region,
            first_name=first,
            last_name=last,
            defaults={
                "user": user,
                "email": login_email or "",
                "district": district,
                "status": Lotse.Status.ACTIVE,
                "status_since": datetime.date(2014, 3, 1),
                "joined_on": datetime.date(2014, 3, 1),
                "account_holder": f"{first} {last}",
                "iban": de_iban("37040044", 532013000 + index * 1117 + (0 if region.slug == "owl" else 500)),
                "expertise": [Topic.JOB_SEARCH.value, Topic.RECOGNITION.value][: 1 + index % 2],
                "availability": ["Dienstag und Donnerstag nachmittags", "samstags", "nach Absprache"][
                    index % 3
                ],
            },
        )
        lotse.languages.set([self.languages[c] for c in codes if c in self.languages])
        lotse.organisations.set([organisation])
        self.summary.count("lotsen", created)
        return lotse

    # -- the whole programme ------------------------------------------------------------------------
    def build(self, regions: dict[str, Region]) -> None:
        owl, siegen = regions["owl"], regions["siegen-wittgenstein-olpe"]
        bielefeld = District.objects.get(name="Bielefeld")
        kreis_siegen = District.objects.get(name="Kreis Siegen-Wittgenstein")
        kreis_olpe = District.objects.get(name="Kreis Olpe")
        Region.objects.filter(pk=owl.pk).update(
            address="Regionalagentur OWL\nMusterstraße 1\n33602 Bielefeld",
            signatory_name="Dr. Henrike Albers",
            signatory_function="Leitung der Regionalagentur OWL",
            certificate_place="Bielefeld",
        )
        Region.objects.filter(pk=siegen.pk).update(
            address="Regionalagentur Siegen-Wittgenstein/Olpe\nBeispielweg 5\n57072 Siegen",
            signatory_name="Martin Vollmer",
            signatory_function="Leitung der Regionalagentur",
            certificate_place="Siegen",
            min_trainings_for_certificate=4,
        )

        # The six demo logins.
        self.staff = self.user("staff@example.org", DEMO_LOGINS[0][1], is_programme_staff=True)
        self.user("admin@example.org", DEMO_LOGINS[5][1], is_superuser=True)
        coordinator_owl = self.coordinator_owl = self.user("coordinator.owl@example.org", DEMO_LOGINS[1][1])
        coordinator_siegen = self.user("coordinator.siegen@example.org", DEMO_LOGINS[2][1])
        for user, region in [(coordinator_owl, owl), (coordinator_siegen, siegen)]:
            _c, created = Coordination.objects.update_or_create(
                user=user,
                region=region,
                defaults={"handles_payments": True, "since": datetime.date(2013, 10, 1)},
            )
            self.summary.count("coordinations", created)
        # The accounts the two regions pay their allowances from (invented; valid check digits and BICs).
        for region, holder, bank_code, account, bic in [
            (owl, "Regionalagentur OWL – Lotsenprogramm", "48050161", 7712345, "SPBIDE3BXXX"),
            (siegen, "Regionalagentur Siegen-Wittgenstein/Olpe", "46050001", 4412345, "WELADED1SIE"),
        ]:
            _a, created = PayingAccount.objects.get_or_create(
                region=region,
                defaults={"account_holder": holder, "iban": de_iban(bank_code, account), "bic": bic},
            )
            self.summary.count("paying accounts", created)

        owl_orgs = self.organisations(owl, bielefeld, OWL_ORGANISATIONS, city="Bielefeld")
        siegen_orgs = self.organisations(siegen, kreis_siegen, SIEGEN_ORGANISATIONS, city="Siegen")
        partners = {slug: self.partners(regions[slug], names) for slug, names in PARTNERS.items()}

        owl_lotsen = [
            self.lotse(owl, bielefeld, first, last, codes, i, email, owl_orgs[i % len(owl_orgs)])
            for i, (first, last, codes, email) in enumerate(OWL_LOTSEN)
        ]
        siegen_lotsen = [
            self.lotse(
                siegen,
                kreis_olpe if i % 4 == 3 else kreis_siegen,
                first,
                last,
                codes,
                i,
                email,
                siegen_orgs[i % len(siegen_orgs)],
            )
            for i, (first, last, codes, email) in enumerate(SIEGEN_LOTSEN)
        ]
        self.programme_2014(owl, siegen, owl_lotsen, siegen_lotsen, coordinator_owl, coordinator_siegen)
        self.current_year(owl, siegen, owl_lotsen, siegen_lotsen, coordinator_owl, coordinator_siegen)
        self.consultations(owl_lotsen, partners["owl"], siegen_lotsen, partners["siegen-wittgenstein-olpe"])
        self.drafts_as_proposed()

    def drafts_as_proposed(self) -> None:
        """This month's drafts name what the portal proposes for the logged work (allowances.rules), so that
        a Lotse trying the demo can submit the claim as it is (issue #12: 8,0 h drafted, 7,3 h logged)."""
        for claim in AllowanceClaim.objects.filter(status=AllowanceClaim.Status.DRAFT).select_related(
            "contract", "lotse"
        ):
            work = rules.month_work(lotse=claim.lotse, month=claim.month)
            proposal = rules.proposal(claim.contract, work)
            if (claim.hours, claim.amount) != (proposal.hours, proposal.amount):
                claim.hours, claim.amount = proposal.hours, proposal.amount
                claim.save(update_fields=["hours", "amount"])

    def organisations(self, region, district, rows, *, city: str) -> list[Organisation]:
        result = []
        for index, (name, quarter, communities, codes) in enumerate(rows):
            complete = index != len(rows) - 1  # the last one still lacks part of the minimum standard
            organisation, created = Organisation.objects.update_or_create(
                region=region,
                name=name,
                defaults={
                    "district": district,
                    "legal_form": Organisation.LegalForm.EV,
                    "register_number": f"VR {3100 + index * 17}",
                    "street": f"Vereinsstraße {index + 3}",
                    "postcode": "33602" if city == "Bielefeld" else "57072",
                    "city": city,
                    "communities": communities,
                    "contact_name": "Vorstand (Kontakt über die Geschäftsstelle)",
                    "contact_email": f"kontakt{index + 1}@verein-{region.slug}.example.org",
                    "cooperation_status": Organisation.CooperationStatus.ACTIVE
                    if complete
                    else Organisation.CooperationStatus.PREPARING,
                    "cooperation_since": datetime.date(2014, 2, 1) if complete else None,
                    "has_statutes": True,
                    "has_board": True,
                    "has_named_contact": True,
                    "has_meeting_room": complete,
                    "has_data_protection_consent": complete,
                    "notes": f"Treffpunkt in {quarter}.",
                },
            )
            organisation.languages.set([self.languages[c] for c in codes if c in self.languages])
            self.summary.count("organisations", created)
            result.append(organisation)
        return result

    def partners(self, region, rows) -> list[PartnerInstitution]:
        result = []
        for name, kind in rows:
            partner, created = PartnerInstitution.objects.update_or_create(
                region=region, name=name, defaults={"kind": kind, "is_active": True}
            )
            self.summary.count("partner institutions", created)
            result.append(partner)
        return result

    def event(self, region, title, kind, starts_at, *, hours=Decimal("3"), place="", **extra) -> Event:
        event, created = Event.objects.update_or_create(
            region=region,
            title=title,
            defaults={
                "kind": kind,
                "starts_at": starts_at,
                "ends_at": starts_at + datetime.timedelta(hours=float(hours) or 2),
                "hours_credited": hours if kind in Event.TRAINING_KINDS else Decimal("0"),
                "place": place,
                "created_by": self.staff,
                **extra,
            },
        )
        self.summary.count("events", created)
        return event

    def attend(self, event, lotsen, status) -> None:
        existing = set(Attendance.objects.filter(event=event).values_list("lotse_id", flat=True))
        new = [
            Attendance(event=event, lotse=lotse, status=status)
            for lotse in lotsen
            if lotse.pk not in existing
        ]
        Attendance.objects.bulk_create(new)
        self.summary.add("attendances", len(new))

    def claim(self, lotse, contract, month, status, amount, decided_by=None) -> None:
        moment = timezone.make_aware(datetime.datetime.combine(month, datetime.time(12)))  # noqa: DTZ001
        decided = status in (AllowanceClaim.Status.APPROVED, AllowanceClaim.Status.PAID)
        _claim, created = AllowanceClaim.objects.get_or_create(
            lotse=lotse,
            month=month,
            defaults={
                "contract": contract,
                "amount": amount,
                "hours": Decimal("8.0"),
                "activities": "Sprechstunde im Verein, Begleitungen zum Jobcenter, Qualifizierungstreffen.",
                "status": status,
                "submitted_at": None if status == AllowanceClaim.Status.DRAFT else moment,
                "decided_by": decided_by if decided else None,
                "decided_at": moment + datetime.timedelta(days=35) if decided else None,
                "paid_at": moment + datetime.timedelta(days=40)
                if status == AllowanceClaim.Status.PAID
                else None,
                "paid_by": decided_by if status == AllowanceClaim.Status.PAID else None,
            },
        )
        self.summary.count("claims", created)

    def declaration(self, lotse, year, recorded_by) -> None:
        _d, created = SelfDeclaration.objects.get_or_create(
            lotse=lotse,
            year=year,
            defaults={"received_on": datetime.date(year, 2, 15), "recorded_by": recorded_by},
        )
        self.summary.count("self-declarations", created)

    # -- 2014: the first programme year -----------------------------------------------------------
    def programme_2014(self, owl, siegen, owl_lotsen, siegen_lotsen, coordinator_owl, coordinator_siegen):
        attended, absent = Attendance.Status.ATTENDED, Attendance.Status.ABSENT
        owl_dates = [(3, 20), (4, 24), (9, 18), (10, 23)]
        for index, (month, day) in enumerate(owl_dates):
            event = self.event(
                owl,
                f"Qualifizierungstreffen {index + 1}/2014: {TRAINING_TOPICS_2014[index]}",
                Event.Kind.TRAINING,
                aware(2014, month, day, 16),
                place="Bielefeld, Neues Rathaus, Raum 205",
                topic=TRAINING_TOPICS_2014[index],
                capacity=20,
            )
            self.attend(event, owl_lotsen[:4], attended)
            self.attend(event, owl_lotsen[4:5], absent if index == 2 else attended)
        workshop = self.event(
            owl,
            "Workshop: Anerkennung ausländischer Berufsabschlüsse in der Praxis",
            Event.Kind.WORKSHOP,
            aware(2014, 6, 5, 10),
            hours=Decimal("6"),
            place="Bielefeld, Volkshochschule, Ravensberger Park",
            topic="Anerkennungsverfahren, Anlaufstellen in OWL",
            capacity=25,
            registration_deadline=datetime.date(2014, 5, 28),
        )
        self.attend(workshop, owl_lotsen[:5], attended)

        siegen_dates = [(2, 13), (3, 13), (5, 15), (7, 10), (9, 11)]
        for index, (month, day) in enumerate(siegen_dates):
            event = self.event(
                siegen,
                f"Qualifizierungstreffen {index + 1}/2014: {TRAINING_TOPICS_2014[index]}",
                Event.Kind.TRAINING,
                aware(2014, month, day, 17),
                place="Siegen, Kreishaus, Sitzungsraum 3",
                topic=TRAINING_TOPICS_2014[index],
                capacity=20,
            )
            # Most came every time; a few missed one, so not everyone reaches a certificate.
            present = [lotse for i, lotse in enumerate(siegen_lotsen) if (i + index) % 7 != 0]
            self.attend(event, present, attended)
            self.attend(event, [lotse for lotse in siegen_lotsen if lotse not in present], absent)
        closing = self.event(
            siegen,
            "Abschlussveranstaltung Arbeitsmarktlotsen Siegen-Wittgenstein/Olpe 2014",
            Event.Kind.CLOSING,
            aware(2014, 11, 24, 17),
            place="Siegen, Lÿz Kulturhaus",
            topic="Übergabe der Teilnahmebescheinigungen",
            capacity=80,
            registration_deadline=datetime.date(2014, 11, 17),
        )
        self.attend(closing, siegen_lotsen, attended)
        conference = self.event(
            None,
            "Landeskonferenz Interkulturelle Arbeitsmarktlotsen NRW 2014",
            Event.Kind.CONFERENCE,
            aware(2014, 12, 16, 10),
            hours=Decimal("0"),
            place="Düsseldorf, Haus der Wissenschaft",
            topic="Ergebnisse des ersten Programmjahres",
            capacity=150,
            registration_deadline=datetime.date(2014, 12, 9),
        )
        self.attend(conference, owl_lotsen[:3] + siegen_lotsen[:5], attended)

        # 2014 contracts (ended) with paid monthly claims; one Lotse's approved claims exceed the
        # Ehrenamtspauschale of 720 € (the admin and the claims screen warn about it).
        for lotse, coordinator in [(lotse, coordinator_owl) for lotse in owl_lotsen[:4]] + [
            (lotse, coordinator_siegen) for lotse in siegen_lotsen
        ]:
            rate = Decimal("90.00") if lotse is siegen_lotsen[1] else Decimal("60.00")
            contract, created = Contract.objects.update_or_create(
                lotse=lotse,
                starts_on=datetime.date(2014, 3, 1),
                defaults={
                    "status": Contract.Status.ENDED,
                    "ends_on": datetime.date(2014, 12, 31),
                    "ended_on": datetime.date(2014, 12, 31),
                    "rate": rate,
                    "allowance_type": Contract.AllowanceType.MONTHLY_FLAT,
                    "tax_allowance": TaxAllowanceKind.EHRENAMTSPAUSCHALE,
                    "signed_on": datetime.date(2014, 2, 20),
                    "created_by": coordinator,
                },
            )
            self.summary.count("contracts", created)
            self.declaration(lotse, 2014, coordinator)
            for month in range(3, 13):
                self.claim(
                    lotse,
                    contract,
                    datetime.date(2014, month, 1),
                    AllowanceClaim.Status.PAID,
                    rate,
                    coordinator,
                )

    # -- the current programme year ---------------------------------------------------------------
    def current_year(self, owl, siegen, owl_lotsen, siegen_lotsen, coordinator_owl, coordinator_siegen):
        today = self.today
        year = today.year
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0)))  # noqa: DTZ001
        Status = AllowanceClaim.Status

        def at(days: int, hour: int) -> datetime.datetime:
            return now + datetime.timedelta(days=days, hours=hour)

        past = self.event(
            owl,
            "Qualifizierungstreffen: Digitale Bewerbung",
            Event.Kind.TRAINING,
            at(-20, 16),
            place="Bielefeld, Neues Rathaus, Raum 205",
            capacity=20,
        )
        self.attend(past, owl_lotsen[:4], Attendance.Status.ATTENDED)
        upcoming_owl = self.event(
            owl,
            "Qualifizierungstreffen: Minijob, Midijob, Bürgergeld",
            Event.Kind.TRAINING,
            at(10, 16),
            place="Bielefeld, Neues Rathaus, Raum 205",
            capacity=20,
            registration_deadline=(now + datetime.timedelta(days=7)).date(),
        )
        self.attend(upcoming_owl, owl_lotsen[:3], Attendance.Status.REGISTERED)
        upcoming_siegen = self.event(
            siegen,
            "Qualifizierungstreffen: Anerkennung von Pflegeberufen",
            Event.Kind.TRAINING,
            at(17, 17),
            place="Siegen, Kreishaus, Sitzungsraum 3",
            capacity=16,
            registration_deadline=(now + datetime.timedelta(days=14)).date(),
        )
        self.attend(upcoming_siegen, siegen_lotsen[:6], Attendance.Status.REGISTERED)
        self.event(
            owl,
            "Workshop: Begleitung zur Agentur für Arbeit",
            Event.Kind.WORKSHOP,
            at(24, 10),
            hours=Decimal("5"),
            place="Bielefeld, Volkshochschule",
            capacity=12,
        )
        conference = self.event(
            None,
            "Landeskonferenz Interkulturelle Arbeitsmarktlotsen NRW",
            Event.Kind.CONFERENCE,
            at(30, 10),
            hours=Decimal("0"),
            place="Düsseldorf, Haus der Wissenschaft",
            capacity=150,
            registration_deadline=(now + datetime.timedelta(days=23)).date(),
        )
        self.attend(conference, owl_lotsen[:2] + siegen_lotsen[:2], Attendance.Status.REGISTERED)
        self.transfer_conference(year)

        # Contracts running since six months ago; one of them ends within the next 30 days.
        start = (today.replace(day=1) - datetime.timedelta(days=150)).replace(day=1)
        previous_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        signed = [(lotse, coordinator_owl) for lotse in owl_lotsen[:4]] + [
            (lotse, coordinator_siegen) for lotse in siegen_lotsen[:8]
        ]
        for index, (lotse, coordinator) in enumerate(signed):
            ending_soon = lotse is owl_lotsen[3]
            contract, created = Contract.objects.update_or_create(
                lotse=lotse,
                status=Contract.Status.ACTIVE,
                defaults={
                    "starts_on": start,
                    "ends_on": today + datetime.timedelta(days=21) if ending_soon else None,
                    "rate": Decimal("80.00"),
                    "allowance_type": Contract.AllowanceType.MONTHLY_FLAT,
                    "tax_allowance": TaxAllowanceKind.EHRENAMTSPAUSCHALE,
                    "signed_on": start - datetime.timedelta(days=10),
                    "created_by": coordinator,
                },
            )
            self.summary.count("contracts", created)
            if index % 2 == 0:
                self.declaration(lotse, year, coordinator)
            month = start
            while month < previous_month:
                # Earlier months are decided (paid where a self-declaration is on file).
                status = Status.PAID if index % 2 == 0 and month.year == year else Status.APPROVED
                self.claim(lotse, contract, month, status, Decimal("80.00"), coordinator)
                month = (month + datetime.timedelta(days=32)).replace(day=1)
            # Last month's claim waits for the coordinator's decision; this month's is still a draft.
            self.claim(lotse, contract, previous_month, Status.SUBMITTED, Decimal("80.00"))
            if lotse.user_id:
                self.claim(lotse, contract, today.replace(day=1), Status.DRAFT, Decimal("80.00"))

    # -- consultations: anonymous profiles only -----------------------------------------------------
    def transfer_conference(self, year: int) -> Event:
        """The public closing conference of the year (issue #13): guests from Jobcenters, agencies,
        integration centres and migrant organisations register without an account; two small parallel
        workshops, one of them full with a waiting list."""
        conference = self.event(
            None,
            "Transfer- und Abschlussveranstaltung",
            Event.Kind.CONFERENCE,
            aware(year, 12, 16, 10),
            hours=Decimal("0"),
            place="Düsseldorf, Haus der Wissenschaft",
            topic="Interkulturelle Arbeitsmarktlotsen NRW: Ergebnisse und Transfer",
            description=(
                "10:00 Ankommen und Begrüßung\n"
                "10:30 Ergebnisse des Programmjahres – Lotsinnen und Lotsen berichten\n"
                "12:00 Mittagspause\n"
                "13:00 Parallele Workshops\n"
                "15:00 Podium: Was bleibt, was geht weiter?\n"
                "16:30 Ende der Veranstaltung"
            ),
            ends_at=aware(year, 12, 16, 16, 30),
            capacity=120,
            registration_deadline=datetime.date(year, 12, 9),
            is_public=True,
            address="Palmenstraße 16, 40217 Düsseldorf",
            accessibility=(
                "Stufenloser Zugang über den Seiteneingang, Aufzug zu allen Räumen, barrierefreie WCs im "
                "Erdgeschoss. Induktionsschleife im großen Saal. Gebärdensprachdolmetschung auf Anfrage bis "
                "zum 2. Dezember."
            ),
        )
        workshops = []
        for number, title, room, capacity in [
            (1, "Anerkennung ausländischer Abschlüsse – Wege durch das Verfahren", "Raum 1.04", 3),
            (20, "Migrantenorganisationen – starke Partner der Arbeitsmarktakteure", "Raum 2.11", 2),
        ]:
            session, created = EventSession.objects.update_or_create(
                event=conference,
                number=number,
                defaults={
                    "title": title,
                    "starts_at": aware(year, 12, 16, 13),
                    "ends_at": aware(year, 12, 16, 14, 45),
                    "room": room,
                    "capacity": capacity,
                },
            )
            self.summary.count("workshops", created)
            workshops.append(session)
        first, twenty = workshops
        Kind, Status = GuestRegistration.InstitutionKind, GuestRegistration.Status
        consent = aware(year, 11, 3, 9)
        guests = [
            ("Sabine Krüger", "Jobcenter Düsseldorf", Kind.JOBCENTER, first, Status.CONFIRMED, "de"),
            (
                "Mehmet Aydın",
                "Agentur für Arbeit Bielefeld",
                Kind.EMPLOYMENT_AGENCY,
                twenty,
                Status.CONFIRMED,
                "de",
            ),
            (
                "Ewa Nowak",
                "Kommunales Integrationszentrum Kreis Siegen-Wittgenstein",
                Kind.INTEGRATION_CENTRE,
                twenty,
                Status.CONFIRMED,
                "de",
            ),
            (
                "Thomas Berger",
                "Diakonie Migrationsberatung Siegen",
                Kind.COUNSELLING,
                first,
                Status.CONFIRMED,
                "de",
            ),
            (
                "Amina Haddad",
                "Verband der Migrantenorganisationen OWL",
                Kind.MIGRANT_ORGANISATION,
                first,
                Status.CONFIRMED,
                "en",
            ),
            ("Jörg Lammers", "IHK Ostwestfalen", Kind.OTHER, None, Status.PENDING, "de"),
            (
                "Leyla Demir",
                "Bund der Migrantenvereine Düsseldorf",
                Kind.MIGRANT_ORGANISATION,
                twenty,
                Status.WAITING,
                "de",
            ),
            ("Daniel Osei", "Jobcenter Kreis Olpe", Kind.JOBCENTER, first, Status.WAITING, "en"),
        ]
        for index, (name, organisation, kind, session, status, language) in enumerate(guests):
            email = f"gast{index + 1}@example.org"
            confirmed = status == Status.CONFIRMED
            values = {
                "session": session,
                "name": name,
                "organisation": organisation,
                "institution_kind": kind,
                "email": email,
                "language": language,
                "status": status,
                "consent_at": consent + datetime.timedelta(hours=index),
                "confirmed_at": consent + datetime.timedelta(hours=index, minutes=5) if confirmed else None,
                "waiting_since": (
                    consent + datetime.timedelta(hours=index, minutes=5) if status == Status.WAITING else None
                ),
                "needs": "vegetarisch" if index == 1 else "",
            }
            # The personal link stays the same when the demo is seeded again.
            _guest, created = GuestRegistration.objects.update_or_create(
                event=conference,
                email_key=email,
                defaults=values,
                create_defaults={**values, "token": secrets.token_urlsafe(32)},
            )
            self.summary.count("guests", created)
        return conference

    def consultations(self, owl_lotsen, owl_partners, siegen_lotsen, siegen_partners) -> None:
        today = self.today
        modes = list(Consultation.Mode.values)
        ages = [v for v in Consultation.AgeBand.values if v != "na"]
        genders = ["f", "m", "f", "m", "d", "na"]
        countries = ["SY", "TR", "IQ", "AF", "RU", "UA", "PL", "GR", "ER", "MA", "XK", "IR"]
        times = [v for v in Consultation.TimeInGermany.values if v != "na"]
        topic_fields = [f"topic_{topic}" for topic in Topic.values]
        rows = []
        groups = [(owl_lotsen[:5], owl_partners), (siegen_lotsen, siegen_partners)]
        for lotsen, partners in groups:
            for lotse in lotsen:
                spoken = [code for code in lotse.languages.values_list("code", flat=True) if code != "de"]
                language_ids = [self.languages[c].pk for c in spoken] or [self.languages["de"].pk]
                # About twelve in 2014, eight earlier this year and three this month per Lotse.
                dates = [datetime.date(2014, 3 + i % 10, 3 + (i * 5) % 24) for i in range(12)]
                dates += [today - datetime.timedelta(days=35 + 11 * i) for i in range(8)]
                dates += [
                    today.replace(day=1) + datetime.timedelta(days=i * (today.day // 3)) for i in range(3)
                ]
                for n, day in enumerate(dates):
                    key = uuid.uuid5(CONSULTATION_NAMESPACE, f"{lotse.region.slug}/{lotse.pk}/{n}")
                    consultation = Consultation(
                        lotse=lotse,
                        region=lotse.region,
                        date=day,
                        duration_minutes=self.rng.choice([30, 45, 60, 90, 120]),
                        mode=self.rng.choice(modes),
                        language_id=self.rng.choice(language_ids),
                        age_band=self.rng.choice(ages),
                        gender=self.rng.choice(genders),
                        country_of_origin=self.rng.choice(countries),
                        time_in_germany=self.rng.choice(times),
                        referral=self.rng.choice(partners + [None]),
                        follow_up_needed=n % 4 == 0,
                        submission_key=key,
                        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(18))),  # noqa: DTZ001
                    )
                    for topic_field in self.rng.sample(topic_fields, k=1 + n % 2):
                        setattr(consultation, topic_field, True)
                    rows.append(consultation)
        existing = set(
            Consultation.objects.filter(submission_key__in=[row.submission_key for row in rows]).values_list(
                "submission_key", flat=True
            )
        )
        new = [row for row in rows if row.submission_key not in existing]
        Consultation.objects.bulk_create(new, batch_size=500)
        self.summary.add("consultations", len(new))


@transaction.atomic
def seed_demo(*, today: datetime.date | None = None) -> SeedSummary:
    """Load (or refresh) the regions and the demo programme. Returns what was newly created."""
    ensure_reference_data()
    summary = SeedSummary()
    regions = load_regions(summary)
    # The builder writes many rows in bulk (no signals): the reports' rollups are rebuilt once at the end.
    with rollups.suspended():
        DemoBuilder(today=today, summary=summary).build(regions)
    rollups.rebuild()
    return summary
