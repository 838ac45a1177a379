"""Benchmark of certificate rendering (make bench-certificates).

Renders a batch of realistic certificates (Latin, Turkish, Cyrillic and Arabic names, 3–12 sessions with long
topics) with the same function the worker task uses, each into its own PDF/A file with its own verification
code, hashed and written atomically as the worker does, and prints:

  BENCH certificates.ms_per_certificate <ms> ms          batch path, one process on one core, amortised
  BENCH certificates.naive_ms_per_certificate <ms> ms    one WeasyPrint document per certificate, the obvious
                                                         way (fonts and @font-face set up for each)
  BENCH certificates.single_shared_fonts_ms_per_certificate  one document per certificate, fonts shared
  BENCH certificates.two_process_speedup <x> x           the same batch split into chunks over 2 processes

The database is not used (the figures are about rendering); process warm-up (imports, font set-up) is
a one-off per worker process and is reported separately.

Usage: .venv/bin/python benchmarks/bench_certificates.py [--count 500] [--naive-sample 20] [--chunk-size 25]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-certificates-")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
# WeasyPrint reports every rendering step at INFO; 500 certificates would drown the BENCH lines.
logging.getLogger("weasyprint").setLevel(logging.WARNING)

from certificates import rendering  # noqa: E402
from certificates.content import CertificateData, Session  # noqa: E402
from certificates.models import new_verification_code  # noqa: E402
from certificates.services import store_atomically  # noqa: E402

FIRST_NAMES = ["Ayşe", "Mehmet", "Gülşen", "Çağrı", "Özlem", "Наталья", "Дмитрий", "Ольга", "فاطمة", "محمد"]
FIRST_NAMES += ["ليلى", "Anna", "José", "Małgorzata", "Jürgen", "Zoë", "Tamar", "Amina", "Kwame", "Li"]
LAST_NAMES = ["Güllüoğlu", "Yılmaz", "Öztürk", "Şahin", "Смирнова", "Иванов", "Кузнецова", "الزهراء", "الحسن"]
LAST_NAMES += ["Müller", "Kowalczyk", "Weißmann", "Nuñez", "Abebe", "Nguyen", "Papadopoulou", "Haddad"]
ORGANISATIONS = [
    "Türkischer Elternverein Bielefeld e.V.",
    "Deutsch-Russischer Kulturverein Siegen e.V.",
    "Multikulturelles Forum Lünen e. V.",
    "Afrikanischer Dachverband Ruhr e.V.",
    "Syrische Gemeinde Münsterland e.V.",
    "Polnischer Sozialrat Köln e.V.",
]
REGIONS = [
    ("Ostwestfalen-Lippe", "Bielefeld", "Regionalagentur OWL"),
    ("Siegen-Wittgenstein/Olpe", "Siegen", "Regionalagentur Siegen-Wittgenstein/Olpe"),
    ("Mittleres Ruhrgebiet", "Bochum", "Regionalagentur Mittleres Ruhrgebiet"),
    ("Köln", "Köln", "Regionalagentur Region Köln"),
]
TOPICS = [
    "Grundlagen des Arbeitsmarkts und der Arbeitsförderung (SGB II/III)",
    "Anerkennung ausländischer Berufsabschlüsse",
    "Aufenthaltsrecht und Arbeitsmarktzugang",
    "Interkulturelle Kommunikation und Rollenklärung",
    "Bewerbungsunterlagen: Lebenslauf & Anschreiben",
    "Datenschutz im Ehrenamt",
    "Sprachförderung: Integrations- und Berufssprachkurse",
    "Netzwerkarbeit mit Jobcenter, Agentur für Arbeit und Kammern",
    "Selbstfürsorge und Grenzen im Ehrenamt",
    "Ausbildung, Studium & Weiterbildung – Wege in Deutschland",
    "Minijob, Teilzeit, Selbstständigkeit: Rechte und Pflichten",
    "Umgang mit Diskriminierung am Arbeitsmarkt",
]
HOURS = [Decimal("1.5"), Decimal("2"), Decimal("2.5"), Decimal("3"), Decimal("4"), Decimal("6")]
SITE_URL = "https://lotsenportal.example.org"


def realistic_certificates(count: int) -> list[CertificateData]:
    rng = random.Random(5)  # noqa: S311 (test data)
    year = 2026
    result = []
    for i in range(count):
        region, place, body = rng.choice(REGIONS)
        days = sorted(rng.sample(range(20, 330), rng.randint(3, 12)))
        sessions = [
            Session(
                datetime.date(year, 1, 1) + datetime.timedelta(days=d), rng.choice(TOPICS), rng.choice(HOURS)
            )
            for d in days
        ]
        code = new_verification_code()
        result.append(
            CertificateData(
                certificate_id=i,
                holder_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                organisation=rng.choice(ORGANISATIONS),
                region=region,
                sessions=sessions,
                total_hours=sum((s.hours for s in sessions), Decimal("0")),
                place=place,
                issued_on=datetime.date(year, 11, 24),
                coordinating_body=body,
                signatory_name="Dr. Erika Beispiel",
                signatory_function="Leitung der Regionalagentur",
                verification_code=code,
                verify_url=f"{SITE_URL}/verify/{code}/",
            )
        )
    return result


def render_and_store(chunk: list[CertificateData]) -> tuple[float, list[tuple[str, str]]]:
    """What the worker task does per chunk, minus the database: render, hash, write atomically.
    Returns the CPU time spent (independent of other load on the machine) and the stored files."""
    cpu = time.process_time()
    stored = []
    for data, pdf in zip(chunk, rendering.render_certificates(chunk, chunk_size=len(chunk)), strict=True):
        name = store_atomically(f"certificates/{data.verification_code}.pdf", pdf)
        stored.append((name, hashlib.sha256(pdf).hexdigest()))
    return time.process_time() - cpu, stored


def _pin(core_index: int) -> None:
    cores = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cores[core_index % len(cores)]})


_worker_counter = multiprocessing.Value("i", 0) if sys.platform != "win32" else None


def _init_worker(warmup: list[CertificateData]) -> None:
    with _worker_counter.get_lock():
        index = _worker_counter.value
        _worker_counter.value += 1
    _pin(index)
    rendering.render_certificates(warmup, chunk_size=len(warmup))  # fonts, template: once per process


def run_batch(datas: list[CertificateData], processes: int, chunk_size: int) -> tuple[float, float, list]:
    """Wall time and CPU time of the batch split into chunks over `processes` worker processes
    (each warmed up and pinned to its own core)."""
    _worker_counter.value = 0
    chunks = [datas[i : i + chunk_size] for i in range(0, len(datas), chunk_size)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_init_worker, initargs=(datas[:2],)) as pool:
        pool.map(_noop, range(processes))  # wait until every process is warmed up
        started = time.perf_counter()
        results = pool.map(render_and_store, chunks, chunksize=1)
        elapsed = time.perf_counter() - started
    cpu = sum(cpu for cpu, _stored in results)
    return elapsed, cpu, [item for _cpu, stored in results for item in stored]


def _noop(_):
    time.sleep(0.05)


def check(datas: list[CertificateData], stored: list[tuple[str, str]]) -> None:
    """Every certificate its own valid PDF with its own code (spot check of the text on a sample)."""
    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    assert len(stored) == len(datas)
    assert len({name for name, _sha in stored}) == len(datas)
    for index in random.Random(1).sample(range(len(datas)), min(5, len(datas))):  # noqa: S311
        name, sha = stored[index]
        pdf = Path(default_storage.path(name)).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == sha
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        assert datas[index].verification_code in reader.pages[0].extract_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--naive-sample", type=int, default=20)
    parser.add_argument("--chunk-size", type=int, default=25)
    args = parser.parse_args()

    datas = realistic_certificates(args.count)

    load, cores = os.getloadavg()[0], len(os.sched_getaffinity(0))
    one_time, one_cpu, stored = run_batch(datas, 1, args.chunk_size)
    check(datas, stored)
    two_time, _two_cpu, stored_two = run_batch(datas, 2, args.chunk_size)
    check(datas, stored_two)

    # Naive path last and in this process (forking after rendering is avoided above).
    _pin(0)
    started = time.perf_counter()
    rendering.render_certificate(datas[0])
    warmup_ms = (time.perf_counter() - started) * 1000
    # The obvious way: one WeasyPrint document per certificate, fonts and @font-face set up for each one.
    naive = []
    for data in datas[: args.naive_sample]:
        started = time.perf_counter()
        rendering._font_resources.cache_clear()
        rendering.render_certificate(data)
        naive.append((time.perf_counter() - started) * 1000)
    # One document per certificate but with the font set-up shared (our single-certificate path).
    single = []
    for data in datas[: args.naive_sample]:
        started = time.perf_counter()
        rendering.render_certificate(data)
        single.append((time.perf_counter() - started) * 1000)

    print(f"BENCH certificates.ms_per_certificate {one_time * 1000 / args.count:.1f} ms")
    print(f"BENCH certificates.naive_ms_per_certificate {statistics.mean(naive):.1f} ms")
    print(f"BENCH certificates.single_shared_fonts_ms_per_certificate {statistics.mean(single):.1f} ms")
    print(f"BENCH certificates.two_process_speedup {one_time / two_time:.2f} x")
    # CPU time of the rendering process: the same figure without other load on a shared machine.
    print(f"BENCH certificates.cpu_ms_per_certificate {one_cpu * 1000 / args.count:.1f} ms")
    print(
        f"# {args.count} certificates in chunks of {args.chunk_size}: one process {one_time:.2f} s, "
        f"two processes {two_time:.2f} s; naive sample of {len(naive)} "
        f"(median {statistics.median(naive):.1f} ms); "
        f"first render in a fresh process {warmup_ms:.0f} ms"
    )
    print(
        f"# {cores} cores, load average {load:.1f} at start (other load on the machine slows the wall times)"
    )


if __name__ == "__main__":
    main()
