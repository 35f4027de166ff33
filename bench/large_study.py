"""One released study of 1,000 to 2,400,000 files on PostgreSQL: its accession page, folder pages, search inside
it and the files API, first, middle and last page, under gunicorn, against the trivial view (issue 13).

Run from the repository root with PostgreSQL on 127.0.0.1:5432 (see bench/README.md):

    .venv/bin/python bench/large_study.py --files 1000000
    .venv/bin/python bench/large_study.py --files 1000 --files 100000 --files 1000000 --requests 200

Each measurement is a function from the loaded study to the next URL to ask (MEASUREMENTS); add one there
(a ZIP, a new version) and it is timed and printed with the others. The manifest is streamed whole and timed
against PostgreSQL's own COPY of the same two columns (`measure_manifest`).
"""

import argparse
import base64
import datetime
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psycopg
import requests

from bench.harness import django_setup, gunicorn, portal_env, recreate_database

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "bench_large_study"
SECRET_KEY = "bench-large-study-not-secret"
FILES_PER_FOLDER = 100  # plate_0001/well_01/field_001.tif: 100 fields a well, 10 wells a plate
WELLS_PER_PLATE = 10
COPY_ROWS = 100_000
WARM_UP = 10
TARGETS = {"page": 8, "API": 5}


def file_path(index: int) -> str:
    """The path of file number `index`, so that measurements can name any file without asking the database."""
    plate, rest = divmod(index, FILES_PER_FOLDER * WELLS_PER_PLATE)
    well, field = divmod(rest, FILES_PER_FOLDER)
    return f"plate_{plate + 1:04}/well_{well + 1:02}/field_{field + 1:03}.tif"


@dataclass(frozen=True)
class Loaded:
    accession: str
    files: int

    def path(self, fraction: float) -> str:
        return file_path(min(self.files - 1, int(self.files * fraction)))

    @property
    def middle_plate(self) -> str:
        return self.path(0.5).split("/")[0] + "/"


def load(database_url: str, files: int) -> Loaded:
    """Bulk-load one released study with `files` files (COPY), then count its folders as the service does."""
    django_setup(portal_env(database_url, SECRET_KEY))
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from archive.models import Study, StudyStatus, StudyVersion
    from archive.services.accession import ACCESSION_SEQUENCE, study_search_vector
    from archive.services.file_tree import study_totals_mirror, version_folders_build
    from archive.storage import content_key
    from licensing.models import Licence
    from tests.factories import study_metadata

    now = timezone.now()
    metadata = study_metadata(f"A screen of {files:,} images")
    with transaction.atomic():
        study = Study.objects.create(
            accession="S-BIAD1",
            number=1,
            owner=get_user_model().objects.create_user("bench", "bench@example.org"),
            status=StudyStatus.RELEASED,
            release_date=datetime.date.today(),
            released_at=now,
            licence=Licence.objects.get(spdx_id="CC0-1.0"),
            created_at=now,
            title=metadata["title"],
        )
        version = StudyVersion.objects.create(study=study, number=1, metadata=metadata, created_at=now)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY archive_archivefile (version_id, path, size, sha256, storage_key, status, status_reason, attributes)"
            " FROM STDIN"
        )
        for start in range(0, files, COPY_ROWS):
            buffer = io.StringIO()
            for index in range(start, min(start + COPY_ROWS, files)):
                sha256 = hashlib.sha256(index.to_bytes(8, "big")).hexdigest()
                buffer.write(f"{version.pk}\t{file_path(index)}\t{1_000_000 + index}\t{sha256}\t")
                buffer.write(f"{content_key(sha256)}\tactive\t\t{{}}\n")
            with cursor.connection.cursor().copy(copy_sql) as copy:
                copy.write(buffer.getvalue())
            print(f"\rCopied {min(start + COPY_ROWS, files):,} file rows", end="", flush=True)
    print(f" in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with transaction.atomic():
        version_folders_build(version)
        study_totals_mirror(study)
    print(f"Counted {version.folders.count():,} folders in {time.perf_counter() - started:.1f} s")
    Study.objects.filter(pk=study.pk).update(search_vector=study_search_vector())
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s, %s)", [ACCESSION_SEQUENCE, 1])
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return Loaded(accession=study.accession, files=files)


def _cursor(direction: str, path: str) -> str:
    return quote(base64.urlsafe_b64encode(json.dumps([direction, path]).encode()).decode())


def _page(study: Loaded, query: str = "") -> str:
    return f"/studies/{study.accession}/{query}"


def _api(study: Loaded, query: str = "") -> str:
    return f"/api/v1/studies/{study.accession}/files/{query}"


# Name → the URL to ask for the loaded study. Names starting with "page"/"API" are held to their target.
MEASUREMENTS: dict[str, Callable[[Loaded], str]] = {
    "trivial (robots.txt)": lambda study: "/robots.txt",
    "page: first": lambda study: _page(study),
    "page: middle": lambda study: _page(study, f"?after={quote(study.path(0.5))}"),
    "page: last": lambda study: _page(study, "?last=1"),
    "page: folder": lambda study: _page(study, f"?folder={quote(study.middle_plate)}"),
    "page: folder, last": lambda study: _page(study, f"?folder={quote(study.middle_plate)}well_05/&last=1"),
    "page: search, one file": lambda study: _page(study, f"?q={quote(study.path(0.7))}"),
    "page: search, many": lambda study: _page(study, "?q=field_042"),
    "API: first": lambda study: _api(study, "?page_size=100"),
    "API: middle": lambda study: _api(study, f"?page_size=100&cursor={_cursor('after', study.path(0.5))}"),
    "API: last": lambda study: _api(study, f"?page_size=100&cursor={_cursor('after', study.path(0.99995))}"),
    "API: folder": lambda study: _api(study, f"?page_size=100&folder={quote(study.middle_plate)}"),
    "API: search, one file": lambda study: _api(study, f"?q={quote(study.path(0.3))}"),
    "API: search, many": lambda study: _api(study, "?q=well_07/field_01"),
    "API: folders": lambda study: f"/api/v1/studies/{study.accession}/folders/?page_size=100",
}


def measure(base_url: str, study: Loaded, count: int) -> dict[str, tuple[float, float] | str]:
    """Time `count` requests to each measurement (after WARM_UP); return p50 and p95 in ms by name."""
    session = requests.Session()
    results = {}
    for name, url_of in MEASUREMENTS.items():
        url = base_url + url_of(study)
        response = session.get(url)
        if response.status_code != 200:
            results[name] = f"not measured: HTTP {response.status_code}"
            continue
        for _ in range(WARM_UP):
            session.get(url)
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            session.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        results[name] = (cuts[49], cuts[94])
    return results


def _worker_rss_kb(master_pid: int) -> dict[int, int]:
    """Resident memory (kB) of each gunicorn worker, by pid."""
    sizes = {}
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for child in children:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes[int(child)] = int(line.split()[1])
    return sizes


def measure_manifest(base_url: str, database_url: str, study: Loaded, master_pid: int, runs: int = 3) -> None:
    """Stream the manifest against PostgreSQL's own COPY of the same two columns; report the best of `runs`."""
    with psycopg.connect(database_url) as conn:
        (version_id,) = conn.execute(
            "SELECT v.id FROM archive_studyversion v JOIN archive_study s ON s.id = v.study_id WHERE s.accession = %s",
            [study.accession],
        ).fetchone()
    copy_sql = (
        f"\\copy (SELECT sha256, path FROM archive_archivefile WHERE version_id = {version_id} "
        "AND status <> 'removed' ORDER BY path) TO '/dev/null'"
    )
    best_copy = best_manifest = float("inf")
    size = growth = 0
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(["psql", database_url, "-qc", copy_sql], check=True)
        best_copy = min(best_copy, time.perf_counter() - started)
        before = _worker_rss_kb(master_pid)
        started, size = time.perf_counter(), 0
        with requests.get(f"{base_url}/studies/{study.accession}/manifest.sha256", stream=True) as response:
            for chunk in response.iter_content(1 << 20):
                size += len(chunk)
        best_manifest = min(best_manifest, time.perf_counter() - started)
        after = _worker_rss_kb(master_pid)
        growth = max([growth] + [after[pid] - before.get(pid, after[pid]) for pid in after])
    print(
        f"manifest.sha256: {size / 1e6:.1f} MB in {best_manifest:.2f} s ({size / best_manifest / 1e6:.0f} MB/s); "
        f"COPY of (sha256, path) {best_copy:.2f} s; speed ratio {best_copy / best_manifest:.2f} (target ≥ 0.5); "
        f"worker memory growth {growth / 1024:.1f} MB"
    )


def report(files: int, results: dict) -> None:
    trivial = results["trivial (robots.txt)"][1]
    print(f"\n{files:,} files\n{'measurement':<26}{'p50 ms':>9}{'p95 ms':>9}{'p95 ×':>8}{'target':>8}")
    for name, result in results.items():
        if isinstance(result, str):
            print(f"{name:<26}{result}")
            continue
        p50, p95 = result
        target = TARGETS.get(name.split(":")[0])
        verdict = "" if target is None else ("  ok" if p95 / trivial <= target else "  OVER TARGET")
        shown = f"≤{target}" if target else ""
        print(f"{name:<26}{p50:>9.1f}{p95:>9.1f}{p95 / trivial:>8.1f}{shown:>8}{verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, action="append", help="Files in the study (repeat for several runs).")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per measurement.")
    args = parser.parse_args()
    for files in args.files or [1_000_000]:
        database_url = recreate_database(SERVER, DATABASE)
        # Each size loads in its own process: Django is set up once per process.
        pid = os.fork()
        if pid == 0:
            study = load(database_url, files)
            env = portal_env(database_url, SECRET_KEY)
            with gunicorn(env, name="large-study", ready_path="/robots.txt") as (base_url, master_pid):
                report(files, measure(base_url, study, args.requests))
                measure_manifest(base_url, database_url, study, master_pid)
            os._exit(0)
        _pid, status = os.waitpid(pid, 0)
        if status:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
