"""Benchmark the public pages and API against an archive of 100,000 studies on PostgreSQL.

Not a test: it prints p50/p95 latencies and how each page's p95 compares with a
trivial view (robots.txt), against the targets below. See bench/README.md.

    .venv/bin/python bench/public_pages.py [--studies 100000] [--requests 300]
"""

import argparse
import datetime
import hashlib
import os
import random
import signal
import statistics
import sys
import time

import requests
from harness import django_setup, gunicorn, portal_env, recreate_database

DB_NAME = "bench_public_pages"
SECRET_KEY = "bench-public-pages-not-a-secret-" + "x" * 32
BATCH = 5000
WARM_UP = 20
# p95 of each page as a multiple of the trivial view's p95 (the lead's targets).
TARGETS = {"accession page": 8, "API detail": 5, "search": 15}
SEARCHES = [
    "zebrafish",
    "mitochondria",
    "HeLa confocal",
    "mouse brain",
    "light-sheet",
    "synapse",
    "nuclear pore",
    "Arabidopsis root",
    "cell division",
    "electron microscopy yeast",
]

ORGANISMS = {
    "Homo sapiens": ["in HeLa cells", "in U2OS cells", "in human iPSC-derived neurons"],
    "Mus musculus": ["in the mouse brain", "in mouse intestinal organoids", "in the mouse kidney"],
    "Danio rerio": ["in zebrafish embryos", "in the zebrafish heart", "in zebrafish larvae"],
    "Arabidopsis thaliana": ["in the Arabidopsis root", "in Arabidopsis leaves", "in the Arabidopsis shoot meristem"],
    "Drosophila melanogaster": ["in Drosophila wing discs", "in Drosophila embryos", "in the Drosophila brain"],
    "Saccharomyces cerevisiae": ["in budding yeast", "in yeast under nitrogen starvation"],
    "Caenorhabditis elegans": ["in C. elegans embryos", "in the C. elegans germline"],
}
METHODS = [
    "confocal microscopy",
    "light-sheet fluorescence microscopy",
    "transmission electron microscopy",
    "serial block-face SEM",
    "widefield fluorescence microscopy",
    "super-resolution (STED)",
]
SUBJECTS = [
    "Mitochondrial dynamics",
    "Nuclear pore complex organisation",
    "Synapse formation",
    "Cell division orientation",
    "Actin cortex architecture",
    "Stress granule assembly",
    "DNA damage foci",
    "Cilia length control",
    "Lipid droplet biogenesis",
    "Focal adhesion turnover",
    "Neural crest migration",
    "Heart regeneration",
    "Root meristem growth",
    "Vesicle trafficking",
    "Golgi fragmentation",
    "Chromatin compaction",
    "Membrane contact sites",
    "Organelle segmentation",
    "Tissue morphogenesis",
    "Autophagosome formation",
]
FIRST = ["Ana", "Ben", "Chen", "Dara", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lea", "Maya", "Nils"]
LAST = ["Okafor", "Zhou", "Lindqvist", "Raman", "Weiss", "Mensah", "Almeida", "Brenner", "Tanaka", "Grant", "Ortega"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=100_000, help="studies to load (default 100000)")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page (default 300)")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server to create the benchmark database on",
    )
    args = parser.parse_args()
    database_url = recreate_database(args.server, DB_NAME)
    accessions = load(database_url, args.studies)
    # SIGTERM (e.g. a CI timeout) must still stop gunicorn: turn it into an exception that unwinds.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with gunicorn(portal_env(database_url, SECRET_KEY), name="public-pages", ready_path="/robots.txt") as (url, _):
        measure(url, accessions, args.requests)
    return 0


def load(database_url: str, count: int) -> list[str]:
    """Migrate and bulk-load `count` studies; return the accessions the public may open."""
    django_setup(portal_env(database_url, SECRET_KEY))
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from archive.models import ArchiveFile, Study, StudyStatus, StudyVersion
    from archive.services.accession import ACCESSION_SEQUENCE, study_search_vector
    from archive.storage import content_key
    from licensing.models import Licence

    started = time.perf_counter()
    owner = get_user_model().objects.create_user("bench", "bench@example.org")
    licences = {licence.spdx_id: licence for licence in Licence.objects.all()}
    rng = random.Random(2026)
    today = datetime.date.today()
    public = []
    for start in range(1, count + 1, BATCH):
        studies, versions, files = [], [], []
        for number in range(start, min(start + BATCH, count + 1)):
            organism = rng.choice(list(ORGANISMS))
            method = rng.choice(METHODS)
            subject = rng.choice(SUBJECTS)
            title = f"{subject} {rng.choice(ORGANISMS[organism])} by {method}"
            authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 5))]
            keywords = [*rng.sample([s.split()[0].lower() for s in SUBJECTS], 3), organism.split()[0].lower()]
            release_date = today - datetime.timedelta(days=rng.randint(0, 10 * 365))
            status, searchable = _status(rng)
            brokered = rng.random() < 0.05
            has_files = number % 4 == 0
            study = Study(
                accession=f"{settings.ACCESSION_PREFIX}{number}",
                number=number,
                owner=owner,
                status=status,
                searchable=searchable,
                release_date=release_date if status != StudyStatus.CONFIDENTIAL else today + datetime.timedelta(90),
                licence=licences["CC-BY-4.0" if brokered else "CC0-1.0"],
                source="EMPIAR" if brokered else "",
                source_id=f"EMPIAR-{10000 + number}" if brokered else "",
                created_at=datetime.datetime.combine(release_date, datetime.time(9), tzinfo=datetime.UTC),
                title=title,
                description=f"{method.capitalize()} images: {subject.lower()} {rng.choice(ORGANISMS[organism])}. "
                f"Acquired in {release_date.year} with matched controls; see the methods section for details.",
                authors_text="; ".join(authors),
                organism=organism,
                imaging_method=method,
                keywords_text=", ".join(keywords),
                files_count=3 if has_files else 0,
                total_size=3 * 1_048_576 if has_files else 0,
            )
            studies.append(study)
            if status == StudyStatus.RELEASED and searchable:
                public.append(study.accession)
        with transaction.atomic():
            Study.objects.bulk_create(studies)  # PostgreSQL returns the new primary keys
            for study in studies:
                versions.append(
                    StudyVersion(
                        study=study,
                        number=1,
                        created_at=study.created_at,
                        note="Initial submission",
                        metadata={
                            "title": study.title,
                            "description": study.description,
                            "authors": [{"name": name} for name in study.authors_text.split("; ")],
                            "organism": study.organism,
                            "imaging_method": study.imaging_method,
                            "keywords": study.keywords_text.split(", "),
                        },
                    )
                )
            StudyVersion.objects.bulk_create(versions)
            for version in versions:
                if version.study.files_count:
                    for i in range(3):
                        sha256 = hashlib.sha256(f"{version.study.number}/{i}".encode()).hexdigest()
                        path = f"raw/plate1/A0{i + 1}_ch1.tif"
                        files.append(
                            ArchiveFile(
                                version=version,
                                path=path,
                                size=1_048_576,
                                sha256=sha256,
                                storage_key=content_key(sha256),
                            )
                        )
            ArchiveFile.objects.bulk_create(files)
        print(f"\rLoaded {min(start + BATCH - 1, count):,} studies", end="", flush=True)
    print()
    Study.objects.update(search_vector=study_search_vector())
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s, %s)", [ACCESSION_SEQUENCE, count])
        cursor.execute("VACUUM ANALYZE")
    print(f"Loaded and indexed {count:,} studies in {time.perf_counter() - started:.0f} s")
    connection.close()
    return public


def _status(rng: random.Random) -> tuple[str, bool]:
    """A realistic mix: mostly released, a little of everything a visibility filter must skip."""
    roll = rng.random()
    if roll < 0.01:
        return "confidential", True
    if roll < 0.02:
        return "obsolete", True
    if roll < 0.025:
        return "removed", True
    return "released", roll >= 0.03


def measure(base_url: str, accessions: list[str], count: int) -> None:
    rng = random.Random(7)
    pages = {
        "trivial (robots.txt)": lambda: "/robots.txt",
        "search": lambda: f"/search/?q={requests.utils.quote(rng.choice(SEARCHES))}",
        "accession page": lambda: f"/studies/{rng.choice(accessions)}/",
        "API detail": lambda: f"/api/v1/studies/{rng.choice(accessions)}/",
    }
    session = requests.Session()  # keep-alive, as a browser or API client would
    results = {}
    for name, next_path in pages.items():
        status = session.get(base_url + next_path()).status_code
        if status != 200:
            results[name] = f"not measured: HTTP {status}"
            continue
        for _ in range(WARM_UP):
            session.get(base_url + next_path())
        timings, failures = [], 0
        for _ in range(count):
            path = next_path()
            started = time.perf_counter()
            response = session.get(base_url + path)
            timings.append((time.perf_counter() - started) * 1000)
            failures += response.status_code != 200
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        results[name] = (cuts[49], cuts[94], failures)

    trivial = results["trivial (robots.txt)"]
    print(f"\n{'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'p95 ×':>8}{'target':>8}")
    for name, result in results.items():
        if isinstance(result, str):
            print(f"{name:<22}{result}")
            continue
        p50, p95, failures = result
        ratio = f"{p95 / trivial[1]:.1f}" if not isinstance(trivial, str) else "-"
        target = TARGETS.get(name)
        verdict = ""
        if target and ratio != "-":
            verdict = "  ok" if float(ratio) <= target else "  OVER TARGET"
        note = f"  ({failures} non-200 answers)" if failures else ""
        print(f"{name:<22}{p50:>9.1f}{p95:>9.1f}{ratio:>8}{(f'≤{target}' if target else ''):>8}{verdict}{note}")


if __name__ == "__main__":
    sys.exit(main())
