"""The data of a load run (run by bench_load.py with prod-local's environment and DJANGO_ENV=development,
since the seed commands refuse production).

    python benchmarks/load/prepare.py seed <consultations>   # seed_scale (once, kept) + seed_demo
    python benchmarks/load/prepare.py cast <run> <out.json>  # the logins and this run's events -> JSON
    python benchmarks/load/prepare.py check <cast.json> <saved.jsonl>  # integrity after the run

The cast: 10 regions with one coordinator each (no payments, so no second factor is needed) and 10 Lotsen each
(scale Lotsen with an active contract, given a login). Every run gets fresh events: an upcoming training per
region for the Lotsen to register for, and one that started an hour ago with the region's load Lotsen
registered, for the coordinator's attendance.
"""

import datetime
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_ENV"] = "development"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from allowances.models import AllowanceClaim, Contract  # noqa: E402
from certificates.models import Certificate  # noqa: E402
from events.models import Attendance, Event  # noqa: E402
from lotsen.models import Consultation, Lotse  # noqa: E402
from organisations.models import Organisation  # noqa: E402
from regions.models import Coordination, Region  # noqa: E402

REGIONS, LOTSEN_PER_REGION = 10, 10
PASSWORD = "load-test-password-2014"  # noqa: S105 (invented logins of a loopback-only benchmark database)


def seed(consultations: int) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    if not Organisation.objects.exists():
        organisations = max(24, consultations // 420)
        lotsen = max(100, consultations // 100)
        call_command(
            "seed_scale",
            organisations=organisations,
            lotsen=lotsen,
            consultations=consultations,
            stdout=sys.stderr,
        )
    call_command("seed_demo", verbosity=0)


@transaction.atomic
def cast(run: str) -> dict:
    now = timezone.now()
    regions = list(Region.objects.order_by("pk")[:REGIONS])
    out = {"run": run, "password": PASSWORD, "lotsen": [], "coordinators": []}
    for number, region in enumerate(regions, start=1):
        coordinator, created = User.objects.get_or_create(
            email=f"load.coordinator.{number:02d}@example.org", defaults={"name": f"Koordination {number}"}
        )
        if created:
            coordinator.set_password(PASSWORD)
            coordinator.save()
        Coordination.objects.get_or_create(
            user=coordinator, region=region, defaults={"handles_payments": False}
        )
        upcoming = Event.objects.create(
            region=region,
            kind=Event.Kind.TRAINING,
            title=f"Lasttest {run}: Schulung",
            starts_at=now + datetime.timedelta(days=14),
            ends_at=now + datetime.timedelta(days=14, hours=3),
            place="Online",
            capacity=500,
            registration_deadline=timezone.localdate() + datetime.timedelta(days=10),
        )
        running = Event.objects.create(
            region=region,
            kind=Event.Kind.TRAINING,
            title=f"Lasttest {run}: Anwesenheit",
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=2),
            place="Online",
            capacity=500,
        )
        existing = list(Lotse.objects.filter(region=region, user__email__startswith="load.lotse."))
        candidates = (
            Lotse.objects.filter(region=region, status=Lotse.Status.ACTIVE, user__isnull=True)
            .filter(contracts__status=Contract.Status.ACTIVE)
            .order_by("pk")
            .distinct()
        )
        lotsen = existing + list(candidates[: max(0, LOTSEN_PER_REGION - len(existing))])
        for index, lotse in enumerate(lotsen[:LOTSEN_PER_REGION]):
            if lotse.user_id is None:
                user = User.objects.create(
                    email=f"load.lotse.{number:02d}{index:02d}@example.org", name="Lotse"
                )
                user.set_password(PASSWORD)
                user.save()
                Lotse.objects.filter(pk=lotse.pk).update(user=user)
                lotse.user = user
            Attendance.objects.create(event=running, lotse=lotse)
            out["lotsen"].append(
                {"email": lotse.user.email, "lotse": lotse.pk, "region": region.pk, "event": upcoming.pk}
            )
        out["coordinators"].append(
            {
                "email": coordinator.email,
                "region": region.pk,
                "event": upcoming.pk,
                "attendance_event": running.pk,
            }
        )
    return out


@transaction.atomic
def drill_cast() -> dict:
    """For the worker drill: a coordinator of the region (outside the load's ten) with the most Lotsen who
    have no certificate for this programme year yet, so that a certificate batch keeps the worker busy."""
    year = timezone.localdate().year
    load_regions = list(Region.objects.order_by("pk").values_list("pk", flat=True)[:REGIONS])
    from certificates.selectors import eligible_lotsen

    def due(region: Region) -> int:
        lotsen = Lotse.objects.filter(region=region).exclude(certificates__programme_year=year)
        return eligible_lotsen(lotsen, programme_year=year).count()

    region = max(Region.objects.exclude(pk__in=load_regions), key=due)
    user, created = User.objects.get_or_create(email="load.drill@example.org", defaults={"name": "Drill"})
    if created:
        user.set_password(PASSWORD)
        user.save()
    Coordination.objects.get_or_create(user=user, region=region, defaults={"handles_payments": False})
    return {"email": user.email, "password": PASSWORD, "region": region.pk}


def batch_state(pk: int) -> dict:
    statuses = Counter(Certificate.objects.filter(batch=pk).values_list("status", flat=True))
    doubled = (
        Certificate.objects.filter(batch=pk)
        .values("lotse", "programme_year")
        .annotate(n=django.db.models.Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return {"statuses": dict(statuses), "doubled": doubled}


def check(cast_file: Path, saved_file: Path) -> list[str]:
    """What the simulated users were told was saved, compared with the database: each exactly once."""
    data = json.loads(cast_file.read_text())
    saved = [json.loads(line) for line in saved_file.read_text().splitlines() if line.strip()]
    kinds = Counter(item["kind"] for item in saved)
    problems = []
    keys = [item["key"] for item in saved if item["kind"] == "consultation"]
    found = Counter(
        str(key)
        for key in Consultation.objects.filter(submission_key__in=keys).values_list(
            "submission_key", flat=True
        )
    )
    problems += [f"consultation {key}: {found[key]} rows" for key in keys if found[key] != 1]
    # Rows the users were not told about: sent, but the answer never arrived (the run ended while the request
    # was on its way). They are saved once like the others (the submission key makes a retry harmless).
    load_lotsen = [entry["lotse"] for entry in data["lotsen"]]
    started = datetime.datetime.fromisoformat(data["started"])
    rows = [
        str(key)
        for key in Consultation.objects.filter(
            lotse__in=load_lotsen, created_at__gte=started, submission_key__isnull=False
        ).values_list("submission_key", flat=True)
    ]
    sent = {item["key"] for item in saved if item["kind"] == "consultation_sent"} | set(keys)
    unconfirmed = [key for key in rows if key not in set(keys)]
    if any(item["kind"] == "consultation_sent" for item in saved):
        problems += [
            f"consultation {key}: in the database, never sent" for key in unconfirmed if key not in sent
        ]
    if unconfirmed:
        print(
            f"{len(unconfirmed)} consultations saved whose answer the user never got (run ended)",
            file=sys.stderr,
        )
    for item in (i for i in saved if i["kind"] == "registration"):
        count = Attendance.objects.filter(event=item["event"], lotse=item["lotse"]).count()
        if count != 1:
            problems.append(f"registration of Lotse {item['lotse']} for event {item['event']}: {count} rows")
    last_status = {}
    for item in (i for i in saved if i["kind"] == "attendance"):
        last_status[item["attendance"]] = item["status"]
    for pk, status in last_status.items():
        actual = Attendance.objects.filter(pk=pk).values_list("status", flat=True).first()
        if actual != status:
            problems.append(f"attendance {pk}: {actual}, the coordinator set {status}")
    approved = [item["claim"] for item in saved if item["kind"] == "approval"]
    not_approved = AllowanceClaim.objects.filter(pk__in=approved).exclude(
        status__in=[AllowanceClaim.Status.APPROVED, AllowanceClaim.Status.PAID]
    )
    problems += [
        f"claim {pk} confirmed as approved, now {status}"
        for pk, status in not_approved.values_list("pk", "status")
    ]
    doubled = Counter(approved) - Counter(set(approved))
    problems += [f"claim {pk} approved {n + 1} times" for pk, n in doubled.items()]
    twice = (
        Certificate.objects.filter(lotse__region__in={c["region"] for c in data["coordinators"]})
        .exclude(status=Certificate.Status.REVOKED)
        .values("lotse", "programme_year")
        .annotate(n=django.db.models.Count("pk"))
        .filter(n__gt=1)
    )
    problems += [
        f"Lotse {row['lotse']}: {row['n']} certificates for {row['programme_year']}" for row in twice
    ]
    print("saved: " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())), file=sys.stderr)
    return problems


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "seed":
        seed(int(sys.argv[2]))
    elif command == "cast":
        result = cast(sys.argv[2])
        result["started"] = timezone.now().isoformat()
        Path(sys.argv[3]).write_text(json.dumps(result, indent=1))
    elif command == "drill":
        print(json.dumps(drill_cast()))
    elif command == "batch":
        print(json.dumps(batch_state(int(sys.argv[2]))))
    elif command == "check":
        problems = check(Path(sys.argv[2]), Path(sys.argv[3]))
        for problem in problems:
            print(f"INTEGRITY {problem}")
        print(f"BENCH load.integrity_problems {len(problems)}")
        sys.exit(1 if problems else 0)
