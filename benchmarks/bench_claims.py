"""Benchmark of the money path (issue #12, point 6): the claim queue, the pay page and a payout batch with 1
and with 500 claims. The query counts must not grow with the rows; the times are printed for comparison.

Runs against a fresh SQLite database in a temporary folder (or DATABASE_URL if BENCH_USE_DATABASE_URL=1).
Prints its figures as lines ``BENCH <name> <value> <unit>``.
"""

import datetime
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["DJANGO_ENV"] = "development"
os.environ["CELERY_BROKER_URL"] = ""
workdir = tempfile.mkdtemp(prefix="lotsenportal-bench-")
if os.environ.get("BENCH_USE_DATABASE_URL") != "1":
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

MONTH = datetime.date(2025, 5, 1)


def bench(name: str, value: float, unit: str) -> None:
    figure = str(value) if isinstance(value, int) else f"{value:.3f}"
    print(f"BENCH {name} {figure} {unit}", flush=True)


def add_claims(region, count: int, start: int) -> list[int]:
    """``count`` Lotsen of the region, each with a contract, a self-declaration and an approved May claim."""
    from allowances.models import AllowanceClaim, Contract, SelfDeclaration
    from lotsen.models import Lotse

    lotsen = Lotse.objects.bulk_create(
        Lotse(
            first_name=f"Bench{start + i}",
            last_name="Lotse",
            region=region,
            status=Lotse.Status.ACTIVE,
            joined_on=datetime.date(2024, 1, 1),
            iban="DE89370400440532013000",
            account_holder=f"Bench{start + i} Lotse",
        )
        for i in range(count)
    )
    contracts = Contract.objects.bulk_create(
        Contract(lotse=lotse, starts_on=datetime.date(2025, 1, 1), rate=Decimal("60")) for lotse in lotsen
    )
    SelfDeclaration.objects.bulk_create(
        SelfDeclaration(lotse=lotse, year=2025, received_on=datetime.date(2025, 1, 10)) for lotse in lotsen
    )
    claims = AllowanceClaim.objects.bulk_create(
        AllowanceClaim(
            lotse=lotse,
            contract=contract,
            month=MONTH,
            amount=Decimal("60"),
            status=AllowanceClaim.Status.APPROVED,
        )
        for lotse, contract in zip(lotsen, contracts, strict=True)
    )
    return [claim.pk for claim in claims]


def measure(client: Client, name: str, url: str, rounds: int = 5) -> None:
    started = time.perf_counter()
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, (url, response.status_code)
    bench(name, (time.perf_counter() - started) / rounds * 1000, "ms")
    bench(f"{name}_queries", len(queries), "queries")


def main() -> None:
    from accounts.models import User
    from allowances.services import payouts
    from home.demo import seed_demo
    from regions.models import Region

    call_command("migrate", verbosity=0)
    seed_demo()
    owl = Region.objects.get(slug="owl")
    coordinator = User.objects.get(email="coordinator.owl@example.org")
    client = Client()
    client.force_login(coordinator)
    claim_ids: list[int] = []
    for total in (1, 500):
        claim_ids += add_claims(owl, total - len(claim_ids), len(claim_ids))
        measure(client, f"claims_queue_{total}", reverse("claims:list"))
        measure(client, f"pay_page_{total}", reverse("claims:list") + "?status=approved")
        result = payouts.create_batch(
            claim_ids=claim_ids,
            execution_date=datetime.date.today() + datetime.timedelta(days=1),
            acting_user=coordinator,
        )
        measure(client, f"batch_page_{result.batch.count}", reverse("claims:batch", args=[result.batch.pk]))
        started = time.perf_counter()
        payouts.sepa_xml(result.batch)
        bench(f"sepa_file_{result.batch.count}", (time.perf_counter() - started) * 1000, "ms")
        payouts.cancel_batch(batch=result.batch, acting_user=coordinator)


if __name__ == "__main__":
    main()
