"""Benchmark of the year-end statements (make bench-statements).

Renders a batch of realistic year-end statements (Latin, Turkish, Cyrillic and Arabic names, 6–12 paid months)
with the template and batch path the worker uses (billing/pdf/year_end_statement.html through
certificates.documents.render_pages), hashes each file and writes it atomically as the worker does, and prints

  BENCH statements.yearend_ms_per_statement <ms> ms   batch path, one process, amortised over the batch

The database is not used (the figures are about rendering); warm-up (imports, fonts) is excluded.

Usage: .venv/bin/python benchmarks/bench_statements.py [--count 500]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-statements-")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.getLogger("weasyprint").setLevel(logging.WARNING)

from decimal import Decimal  # noqa: E402

from billing.statements import KIND_LABELS, YEAR_END_TEMPLATE, eur, month_name, percent  # noqa: E402
from certificates.documents import qr_data_uri, render_pages, text_direction  # noqa: E402
from certificates.models import new_verification_code  # noqa: E402
from certificates.services import store_atomically  # noqa: E402

NAMES = [
    "Ayşe Güllüoğlu",
    "Наталья Смирнова",
    "فاطمة الزهراء",
    "Mehmet Şahin",
    "Jürgen Weißmann",
    "Amina Abebe",
]


def statement(rng: random.Random, year: int) -> dict:
    import datetime

    months = sorted(rng.sample(range(1, 13), rng.randint(6, 12)))
    amounts = [Decimal(rng.choice(["60.00", "70.00", "120.50", "250.00"])) for _m in months]
    total = sum(amounts, Decimal("0"))
    code = new_verification_code()
    url = f"https://lotsenportal.example.org/verify/{code}/"
    name = rng.choice(NAMES)
    kind = rng.choice(list(KIND_LABELS))
    cap = Decimal("840") if kind == "ehrenamt" else Decimal("3000")
    return {
        "programme_name": "Interkulturelle Arbeitsmarktlotsen NRW",
        "region": "Ostwestfalen-Lippe",
        "coordinating_body": "Regionalagentur OWL",
        "place": "Bielefeld",
        "holder_name": name,
        "holder_dir": text_direction(name),
        "year": year,
        "version": 1,
        "rows": [
            (
                month_name(datetime.date(year, m, 1)),
                eur(a),
                f"05.{m:02d}.{year}",
                f"LP-OWL-{year}-{m:02d}-{m}",
            )
            for m, a in zip(months, amounts, strict=True)
        ],
        "total": eur(total),
        "caps": [
            (
                KIND_LABELS[kind],
                eur(total),
                eur(cap),
                percent((total * 100 / cap).quantize(Decimal("0.1"))),
                eur(total - cap) if total > cap else "",
            )
        ],
        "not_covered": eur(total - cap) if total > cap else "",
        "issued_on": f"10.01.{year + 1}",
        "signer_name": "Claudia Koordinat",
        "signer_role": "Regionalagentur OWL",
        "verification_code": code,
        "verify_url": url,
        "qr_data_uri": qr_data_uri(url),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(2026)
    render_pages(YEAR_END_TEMPLATE, [statement(rng, 2025)], ["warm-up"])  # fonts, imports
    started = time.perf_counter()
    documents = [statement(rng, 2025) for _i in range(args.count)]
    files = render_pages(
        YEAR_END_TEMPLATE, documents, [f"Jahresbescheinigung {i}" for i in range(args.count)]
    )
    for document, pdf in zip(documents, files, strict=True):
        hashlib.sha256(pdf).hexdigest()
        store_atomically(f"statements/year-end/{document['verification_code']}.pdf", pdf)
    elapsed = time.perf_counter() - started
    print(f"BENCH statements.yearend_ms_per_statement {elapsed * 1000 / args.count:.1f} ms")


if __name__ == "__main__":
    main()
