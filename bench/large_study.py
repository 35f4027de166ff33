"""One released study of 1,000 to 2,400,000 files on PostgreSQL, under gunicorn (issue 13): its accession page,
folder pages, search inside it and the files API, first, middle and last page, against the trivial view; the
manifest against COPY; a streamed ZIP of 2 GiB of real files against `cat`; the serving workers' memory growth
over the whole run; and the time to make version 2 with one file changed.

Run from the repository root with PostgreSQL on 127.0.0.1:5432 (see bench/README.md):

    .venv/bin/python bench/large_study.py --files 1000000
    .venv/bin/python bench/large_study.py --files 1000 --files 100000 --files 1000000 --requests 100

Each page measurement is a function from the loaded study to the next URL to ask (MEASUREMENTS). The manifest
is streamed whole and timed against PostgreSQL's own COPY of the same two columns (`measure_manifest`), the
ZIP of the study's folder of real files against `cat` of them (`measure_zip`, zip_download.py's timers), and
version 2 is made through the services a new-version submission goes through (`measure_version_2`).
"""

import argparse
import base64
import datetime
import hashlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psycopg
import requests

from bench.harness import django_setup, gunicorn, portal_env, recreate_database, stored_random_file, temp_folder
from bench.zip_download import TARGET_RATIO as ZIP_TARGET
from bench.zip_download import _timed, _timed_in_process, _timed_loopback, _timed_zip

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "bench_large_study"
SECRET_KEY = "bench-large-study-not-secret"
FILES_PER_FOLDER = 100  # plate_0001/well_01/field_001.tif: 100 fields a well, 10 wells a plate
WELLS_PER_PLATE = 10
COPY_ROWS = 100_000
WARM_UP = 10
TARGETS = {"page": 8, "API": 5}
MEMORY_TARGET_MB = 50
MIB = 1024 * 1024
ZIP_FOLDER = "zip_sample/"  # real files, in archive storage under their content keys; every other row has no bytes


@dataclass(frozen=True)
class SampleFile:
    """One real file of the ZIP sample: its path in the study, where its bytes are, their size and SHA-256."""

    path: str
    stored: Path
    size: int
    sha256: str


def zip_sample_write(archive_root: Path, total_mib: int, count: int) -> list[SampleFile]:
    """Write `count` random files of `total_mib` MiB in all straight under their content keys (once for every size)."""
    size = total_mib * MIB // count
    sample = []
    for number in range(count):
        stored, sha256 = stored_random_file(archive_root, size)
        sample.append(SampleFile(f"{ZIP_FOLDER}part_{number:03}.bin", stored, size, sha256))
    return sample


def bench_env(database_url: str, work: Path) -> dict[str, str]:
    """The portal's settings for this run: local archive storage and upload area in the run's temp folder."""
    return portal_env(
        database_url,
        SECRET_KEY,
        VAR_DIR=str(work / "var"),
        ARCHIVE_STORAGE="local",
        ARCHIVE_ROOT=str(work / "archive"),
        UPLOAD_ROOT=str(work / "uploads"),
        EMAIL_URL="dummy://",
    )


def file_path(index: int) -> str:
    """The path of file number `index`, so that measurements can name any file without asking the database."""
    plate, rest = divmod(index, FILES_PER_FOLDER * WELLS_PER_PLATE)
    well, field = divmod(rest, FILES_PER_FOLDER)
    return f"plate_{plate + 1:04}/well_{well + 1:02}/field_{field + 1:03}.tif"


@dataclass(frozen=True)
class Loaded:
    accession: str
    files: int  # the generated rows, plate_…; the ZIP sample's files come on top
    sample: tuple[SampleFile, ...]

    def path(self, fraction: float) -> str:
        return file_path(min(self.files - 1, int(self.files * fraction)))

    @property
    def middle_plate(self) -> str:
        return self.path(0.5).split("/")[0] + "/"


def load(database_url: str, work: Path, files: int, sample: list[SampleFile]) -> Loaded:
    """Bulk-load one released study with `files` files and the ZIP sample (COPY), then count its folders as the
    service does."""
    django_setup(bench_env(database_url, work))
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
            if start + COPY_ROWS >= files:
                for real in sample:
                    buffer.write(f"{version.pk}\t{real.path}\t{real.size}\t{real.sha256}\t")
                    buffer.write(f"{content_key(real.sha256)}\tactive\t\t{{}}\n")
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
    return Loaded(accession=study.accession, files=files, sample=tuple(sample))


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


def warm_up(base_url: str, study: Loaded) -> None:
    """Ask each measurement's URL WARM_UP times, so that both workers have imported and cached what they need."""
    session = requests.Session()
    for url_of in MEASUREMENTS.values():
        for _ in range(WARM_UP):
            session.get(base_url + url_of(study))
    session.head(base_url + _zip_path(study))


def measure(base_url: str, study: Loaded, count: int) -> dict[str, tuple[float, float] | str]:
    """Time `count` requests to each measurement (after `warm_up`); return p50 and p95 in ms by name."""
    session = requests.Session()
    results = {}
    for name, url_of in MEASUREMENTS.items():
        url = base_url + url_of(study)
        response = session.get(url)
        if response.status_code != 200:
            results[name] = f"not measured: HTTP {response.status_code}"
            continue
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            session.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        results[name] = (cuts[49], cuts[94])
    return results


def workers_memory_kb(master_pid: int, field: str = "VmRSS") -> dict[int, int]:
    """A /proc status figure (kB) of each gunicorn worker by pid: VmRSS now, VmHWM its peak so far."""
    sizes = {}
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                sizes[int(child)] = int(line.split()[1])
    return sizes


def measure_manifest(base_url: str, database_url: str, study: Loaded, runs: int = 3) -> None:
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
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(["psql", database_url, "-qc", copy_sql], check=True)
        best_copy = min(best_copy, time.perf_counter() - started)
        started, size = time.perf_counter(), 0
        with requests.get(f"{base_url}/studies/{study.accession}/manifest.sha256", stream=True) as response:
            for chunk in response.iter_content(1 << 20):
                size += len(chunk)
        best_manifest = min(best_manifest, time.perf_counter() - started)
    ratio = best_copy / best_manifest
    print(
        f"manifest.sha256: {size / 1e6:.1f} MB in {best_manifest:.2f} s ({size / best_manifest / 1e6:.0f} MB/s); "
        f"COPY of (sha256, path) {best_copy:.2f} s; speed ratio {ratio:.2f} (target ≥ 0.5) "
        f"{'ok' if ratio >= 0.5 else 'UNDER TARGET'}",
        flush=True,
    )


def _zip_path(study: Loaded) -> str:
    return f"/studies/{study.accession}/download.zip?folder={quote(ZIP_FOLDER)}"


def measure_zip(base_url: str, study: Loaded, runs: int = 3) -> None:
    """The streamed ZIP of the sample folder against `cat` of its files, interleaved, best of `runs` (as
    zip_download.py): produced in process (the target figure: the portal's own pipeline) and over HTTP."""
    stored = [str(real.stored) for real in study.sample]
    size_mb = sum(real.size for real in study.sample) / 1e6
    subprocess.run(["cat", *stored], stdout=subprocess.DEVNULL, check=True)  # both sides read the page cache
    cat_runs, local_runs, http_runs, loopback_runs = [], [], [], []
    for _ in range(runs):
        cat_runs.append(_timed(["cat", *stored]))
        local_runs.append(_timed_in_process(_zip_path(study)))
        http_runs.append(_timed_zip(base_url + _zip_path(study)))
        loopback_runs.append(_timed_loopback([real.stored for real in study.sample]))
    cat_seconds = min(cat_runs)
    print(f"ZIP of {ZIP_FOLDER} ({size_mb:,.0f} MB in {len(stored)} files), best of {runs}:")
    print(f"  cat > /dev/null {cat_seconds:.2f} s ({size_mb / cat_seconds:.0f} MB/s)")
    for name, timings in (("in process (target figure)", local_runs), ("over HTTP, gunicorn → curl", http_runs)):
        seconds, size = min(timings)
        ratio = cat_seconds / seconds
        verdict = "ok" if ratio >= ZIP_TARGET else "UNDER TARGET"
        shown = f"(target ≥ {ZIP_TARGET}) {verdict}" if "target" in name else ""
        print(f"  ZIP {name}: {seconds:.2f} s ({size / 1e6 / seconds:.0f} MB/s), ratio to cat {ratio:.2f} {shown}")
    if loopback_runs[0] is not None:
        loopback = min(loopback_runs)
        print(f"  network ceiling, cat | socat over 127.0.0.1: {loopback:.2f} s ({size_mb / loopback:.0f} MB/s)")
    sys.stdout.flush()


def report_memory(before: dict[int, int], peaks: dict[int, int]) -> None:
    """Each worker's peak resident memory over the whole run less its resident memory after the warm-up."""
    growth = max(peaks[pid] - rss for pid, rss in before.items() if pid in peaks) / 1024
    verdict = "ok" if growth < MEMORY_TARGET_MB else "OVER TARGET"
    shown = ", ".join(f"{rss / 1024:.0f} → peak {peaks.get(pid, 0) / 1024:.0f} MB" for pid, rss in before.items())
    print(f"serving workers' memory over the run: {shown}; growth {growth:.1f} MB (target < 50 MB) {verdict}")


def measure_version_2(study: Loaded) -> None:
    """Make version 2 with one file changed as its owner does: start the new-version draft (the newest version's
    files kept), choose one upload at an existing path, certify and acknowledge, submit, then run the move task's
    service, which makes the version. Print each step's time and queries, and this process's peak memory growth."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from archive.models import ArchiveFile, Study
    from submissions import scope
    from submissions.models import SubmissionState
    from submissions.services import (
        submission_acknowledge,
        submission_certify_scope,
        submission_files_move,
        submission_files_set,
        submission_submit,
        submission_version_start,
    )
    from tests.submissions.move_helpers import ACCEPTED_ANSWERS
    from uploads.services.upload import upload_file_put

    record = Study.objects.get(accession=study.accession)
    owner, changed = record.owner, study.path(0.5)
    upload = upload_file_put(owner=owner, relative_path=changed, content=os.urandom(MIB))
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    steps: dict[str, tuple[float, int]] = {}

    def step(name: str, call: Callable):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = call()
            steps[name] = (time.perf_counter() - started, len(queries))
        return result

    draft = step("start the draft", lambda: submission_version_start(study=record, actor=owner))
    step(
        "choose the changed file",
        lambda: submission_files_set(submission=draft, actor=owner, upload_file_ids=[upload.pk]),
    )
    step(
        "certify and acknowledge",
        lambda: (
            submission_certify_scope(
                submission=draft, actor=owner, form_version=scope.SCOPE_FORM_VERSION, answers=ACCEPTED_ANSWERS
            ),
            submission_acknowledge(submission=draft, actor=owner, public_disclosure=True, right_to_submit=True),
        ),
    )
    submitted = step("submit", lambda: submission_submit(submission=draft, actor=owner))
    if submitted.state != SubmissionState.SUBMITTED:
        print(f"version 2: the submission is {submitted.state} ({submitted.review_reasons}), not submitted")
        return
    moved = step("move (makes version 2)", lambda: submission_files_move(submission_id=draft.pk))
    version = record.versions.get(number=2)
    rows = ArchiveFile.objects.filter(version=version)
    ok = (
        moved.state == SubmissionState.ACCEPTED
        and rows.count() == study.files + len(study.sample)
        and rows.get(path=changed).sha256 == upload.sha256
    )
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    total = sum(seconds for seconds, _queries in steps.values())
    print(f"version 2 with one file changed: {total:.2f} s in all; checked {'ok' if ok else 'FAILED'}")
    for name, (seconds, queries) in steps.items():
        print(f"  {name:<26}{seconds:>8.2f} s {queries:>6} queries")
    print(f"  peak memory growth of this process (the services' caller): {growth:.0f} MB", flush=True)


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


def run_size(work: Path, files: int, sample: list[SampleFile], count: int) -> None:
    """Load one study of `files` files and take every measurement of it."""
    database_url = recreate_database(SERVER, DATABASE)
    study = load(database_url, work, files, sample)
    with gunicorn(bench_env(database_url, work), name="large-study", ready_path="/robots.txt") as (base_url, master):
        warm_up(base_url, study)
        memory_before = workers_memory_kb(master)
        report(files, measure(base_url, study, count))
        measure_manifest(base_url, database_url, study)
        measure_zip(base_url, study)
        report_memory(memory_before, workers_memory_kb(master, "VmHWM"))
    measure_version_2(study)
    print(f"load average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} / {os.getloadavg()[2]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, action="append", help="Files in the study (repeat for several runs).")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per measurement.")
    parser.add_argument("--zip-mib", type=int, default=2048, help="MiB of real files in the ZIP sample (2 GiB)")
    parser.add_argument("--zip-files", type=int, default=64, help="files the ZIP sample is split into (64)")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="parent of the temp folder of real files")
    args = parser.parse_args()
    with temp_folder(args.dir, prefix="bench-large-study-") as work:
        (work / "archive").mkdir()
        (work / "var" / "staticfiles").mkdir(parents=True)  # whitenoise warns of a missing static root
        print(f"Writing the ZIP sample, {args.zip_mib} MiB in {args.zip_files} files, to {work} ...", flush=True)
        sample = zip_sample_write(work / "archive", args.zip_mib, args.zip_files)
        for files in args.files or [1_000_000]:
            # Each size runs in its own process: Django is set up once per process.
            pid = os.fork()
            if pid == 0:
                try:
                    run_size(work, files, sample, args.requests)
                except BaseException:
                    traceback.print_exc()
                    os._exit(1)
                os._exit(0)
            _pid, status = os.waitpid(pid, 0)
            if status:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
