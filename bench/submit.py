"""Benchmark submitting (P-MOVE-ON-SUBMIT) on PostgreSQL: up to 1,000,000 files submitted and moved.

Not a test: it fills an upload area (files of 1 KB to 1 MB, or of 0 to 64
bytes with `--tiny`), then times `submission_submit` and
`submission_files_move` (the move task's service) end to end against the
target, counts their queries per batch of MOVE_BATCH files, samples the
process's resident memory while they run, and prints a baseline measured in
the same run (`cp` + `sha256sum` of the same files: `cp -al` with `--tiny`,
as the move hard-links). See bench/README.md.

    .venv/bin/python bench/submit.py [--files 2000,10000] [--dir /tmp]
    .venv/bin/python bench/submit.py --tiny --files 100000,1000000 --target 600
"""

import argparse
import hashlib
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from harness import django_setup, recreate_database, temp_folder

DB_NAME = "bench_submit"
SECRET_KEY = "bench-submit-not-a-secret-" + "x" * 32
MIN_BYTES, MAX_BYTES = 1024, 1024 * 1024
TINY_MAX_BYTES = 64
ROWS_PER_INSERT = 10_000  # upload rows built and inserted at a time while filling, so the setup stays flat too
FILES_PER_TOP_FOLDER = 100_000  # the draft chooses whole top folders: ten at a million files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--files", default="2000,10000", help="submission sizes to run, comma-separated (default 2000,10000)"
    )
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where the upload area and archive go")
    parser.add_argument("--tiny", action="store_true", help="files of 0 to 64 bytes (for 100,000 and more files)")
    parser.add_argument(
        "--target", type=float, default=30, help="seconds the largest size must take at most (default 30)"
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server to create the benchmark database on",
    )
    args = parser.parse_args()
    with temp_folder(args.dir, prefix="bench-submit-") as work:
        return run(args, work)


def run(args, work: Path) -> int:
    database_url = recreate_database(args.server, DB_NAME)
    os.environ.pop("Q_SYNC", None)  # the move is timed by calling its service, not from the queue
    django_setup(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "UPLOAD_ROOT": str(work / "uploads"),
            "ARCHIVE_ROOT": str(work / "archive"),
            "ARCHIVE_STORAGE": "local",
            "EMAIL_URL": "dummy://",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    from submissions.services import MOVE_BATCH

    print(f"Upload area and archive under {work}; MOVE_BATCH = {MOVE_BATCH}")
    results = [measure(n, work, tiny=args.tiny) for n in (int(n) for n in args.files.split(","))]
    print()
    print(
        f"{'files':>9} {'MB':>7} {'baseline s':>10} {'submit s':>9} {'move s':>7} {'total s':>8} {'ratio':>6} "
        f"{'queries':>8} {'per batch':>9} {'peak RSS +MB':>12}"
    )
    for r in results:
        print(
            f"{r['files']:>9,} {r['bytes'] / 1e6:>7,.0f} {r['baseline']:>10.2f} {r['submit']:>9.2f} {r['move']:>7.2f} "
            f"{r['total']:>8.2f} {r['total'] / r['baseline']:>6.2f} {r['queries']:>8,} "
            f"{r['per_batch']:>9} {r['rss_growth'] / 1e6:>12.1f}"
        )
    biggest = max(results, key=lambda r: r["files"])
    ok = biggest["total"] < args.target and all(r["checks"] for r in results)
    print(
        f"\n{biggest['files']:,} files submitted and moved in {biggest['total']:.2f} s "
        f"(target < {args.target:g} s): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


class Queries:
    """Count the queries run on the connection, and keep the three slowest, without storing them all.

    CaptureQueriesContext keeps every query's SQL: tens of megabytes at a million files, which would be
    counted as the move's own memory.
    """

    def __init__(self):
        self.count = 0
        self.slowest: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.slowest = sorted([*self.slowest, (time.perf_counter() - started, sql[:110])], reverse=True)[:3]


class PeakRss:
    """Sample the process's resident memory every 50 ms while in use; `growth` is the peak above the start."""

    def __init__(self):
        self.start = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._rss())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def growth(self) -> int:
        return self.peak - self.start


class Phases:
    """Time the move's steps through its `fault` hook, which it calls after each step with the step's name,
    and count the queries of each batch (from one batch's "done" to the next's)."""

    STEPS = {"verified": "verify", "stored": "store", "done": "release", "study_created": "study"}

    def __init__(self, queries: Queries):
        self.totals = dict.fromkeys(self.STEPS.values(), 0.0)
        self.last = time.perf_counter()
        self.queries = queries
        self.batch_started = 0
        self.per_batch: set[int] = set()

    def mark(self, step: str) -> None:
        if step == "verified":
            self.batch_started = self.queries.count
        elif step == "done":
            self.per_batch.add(self.queries.count - self.batch_started)
            self.batch_started = self.queries.count
        if step in self.STEPS:  # per-file steps fall inside their batch's step
            now = time.perf_counter()
            self.totals[self.STEPS[step]] += now - self.last
            self.last = now


def fill_upload_area(owner, n: int, seed: int, *, tiny: bool):
    """Write n complete uploads under ten-thousand-row inserts; return the area and the bytes written.

    Sizes are 1 KB to 1 MB, log-uniform (mostly small, as image tiles and metadata are), or 0 to 64 bytes
    with `tiny`. Paths are `run<k>/plate<p>/well<w>/img<i>.tif`, FILES_PER_TOP_FOLDER files a run.
    """
    from django.db import connection
    from django.utils import timezone

    from uploads.models import UploadFile, UploadState
    from uploads.services.retention import upload_expiry_after
    from uploads.services.upload import upload_area_get_or_create
    from uploads.storage import upload_storage_path

    rng = random.Random(seed)
    area = upload_area_get_or_create(owner=owner)
    folder = upload_storage_path(f"{area.pk}/x").parent
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    expires_at = upload_expiry_after(now)
    total_bytes = 0
    for start in range(0, n, ROWS_PER_INSERT):
        rows = []
        for i in range(start, min(start + ROWS_PER_INSERT, n)):
            if tiny:
                size = rng.randint(0, TINY_MAX_BYTES)
            else:
                size = int(math.exp(rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES))))
            # The index makes even empty and tiny files distinct contents, as real files are.
            data = i.to_bytes(4, "big") + os.urandom(max(size - 4, 0)) if size >= 4 else os.urandom(size)
            upload_id = uuid.uuid4()
            (folder / str(upload_id)).write_bytes(data)
            total_bytes += size
            rows.append(
                UploadFile(
                    area=area,
                    upload_id=upload_id,
                    relative_path=f"run{i // FILES_PER_TOP_FOLDER:02d}/plate{i // 1000 % 100:02d}/"
                    f"well{i // 10 % 100:02d}/img{i:07d}.tif",
                    size=size,
                    offset=size,
                    sha256=hashlib.sha256(data).hexdigest(),
                    state=UploadState.COMPLETE,
                    created_at=now,
                    last_data_at=now,
                    uploaded_at=now,
                    expires_at=expires_at,
                    storage_name=f"{area.pk}/{upload_id}",
                )
            )
        UploadFile.objects.bulk_create(rows, batch_size=2000)
    # An upload area filled over days has been analysed by autovacuum (off on some servers, CI's among them).
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {UploadFile._meta.db_table}")
    subprocess.run(["sync"], check=True)
    return area, total_bytes


def baseline(source: Path, work: Path, *, link: bool) -> float:
    """Time `cp` of the files to the same disk and `sha256sum` of the copies: the least a move must do.

    With `link` the copy is `cp -al` (hard links, as the move stores tiny files on local storage).
    """
    target = work / "baseline"
    started = time.perf_counter()
    subprocess.run(["cp", "-al" if link else "-r", "--reflink=never", str(source), str(target)], check=True)
    subprocess.run(f"find {target} -type f -print0 | xargs -0 -n 500 sha256sum > /dev/null", shell=True, check=True)
    elapsed = time.perf_counter() - started
    shutil.rmtree(target)
    return elapsed


def measure(n: int, work: Path, *, tiny: bool) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from archive.models import ArchiveFile, Study
    from submissions import scope
    from submissions.models import SubmissionState
    from submissions.services import (
        submission_acknowledge,
        submission_certify_scope,
        submission_create_draft,
        submission_files_move,
        submission_files_set,
        submission_submit,
    )
    from submissions.services.move import MOVE_BATCH
    from uploads.models import UploadFile
    from uploads.storage import upload_storage_path

    print(f"\n{n:,} files: writing the upload area...", flush=True)
    owner = get_user_model().objects.create(username=f"bench{n}", email=f"bench{n}@example.org")
    filling = time.perf_counter()
    area, total_bytes = fill_upload_area(owner, n, seed=n, tiny=tiny)
    print(f"  written and inserted in {time.perf_counter() - filling:.1f} s (not timed)", flush=True)
    area_folder = upload_storage_path(f"{area.pk}/x").parent
    baseline_seconds = baseline(area_folder, work, link=tiny)
    copy = "cp -al" if tiny else "cp"
    print(f"  {total_bytes / 1e6:,.0f} MB; baseline {copy} + sha256sum {baseline_seconds:.2f} s", flush=True)

    metadata = {
        "title": f"Benchmark screen of {n} images",
        "description": "Synthetic files for the submit benchmark.",
        "authors": [{"name": "Bench Mark"}],
        "organism": "Homo sapiens",
        "imaging_method": "confocal microscopy",
        "publication_doi": "10.1038/s41592-021-01234-5",
    }
    submission = submission_create_draft(owner=owner, metadata=metadata, release_date=timezone.localdate())
    answers = {
        "human_material": "no",
        "primary_medical_use": "no",
        "identifiable_individual": "not_applicable",
        "identifying_phenotypic_data": "not_applicable",
        "publication_consent": "not_applicable",
        "public_release_consent": "yes",
    }
    submission_certify_scope(submission=submission, actor=owner, form_version=scope.SCOPE_FORM_VERSION, answers=answers)
    submission_acknowledge(submission=submission, actor=owner, public_disclosure=True, right_to_submit=True)
    chosen_at = time.perf_counter()
    top_folders = [f"run{k:02d}" for k in range(math.ceil(n / FILES_PER_TOP_FOLDER))]
    submission_files_set(submission=submission, actor=owner, folders=top_folders)
    print(f"  chose the files by {len(top_folders)} folders in {time.perf_counter() - chosen_at:.2f} s (not timed)")

    submit_queries, move_queries = Queries(), Queries()
    phases = Phases(move_queries)
    with PeakRss() as memory:
        with connection.execute_wrapper(submit_queries):
            started = time.perf_counter()
            submission = submission_submit(submission=submission, actor=owner)
            submitted = time.perf_counter()
        with connection.execute_wrapper(move_queries):
            submission = submission_files_move(submission_id=submission.pk, fault=phases.mark)
            moved = time.perf_counter()

    study = Study.objects.filter(pk=submission.study_id).first()
    checks = {
        "accepted": submission.state == SubmissionState.ACCEPTED,
        "all files in the study": study is not None
        and ArchiveFile.objects.filter(version__study=study).count() == n
        and study.total_size == total_bytes,
        "upload area empty": not UploadFile.objects.filter(area=area).exists()
        and not any(p.is_file() for p in area_folder.rglob("*")),
    }
    for name, passed in checks.items():
        print(f"  check {name}: {'ok' if passed else 'FAILED'}")
    per_batch = "/".join(str(count) for count in sorted(phases.per_batch))
    print(
        f"  submit {submitted - started:.2f} s ({submit_queries.count} queries), "
        f"move {moved - submitted:.2f} s ({move_queries.count} queries; per batch of {MOVE_BATCH}: {per_batch}); "
        f"peak RSS {memory.peak / 1e6:.0f} MB, {memory.growth / 1e6:+.1f} MB from the start",
        flush=True,
    )
    print("  move phases: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.totals.items()))
    for seconds, sql in move_queries.slowest:
        print(f"  slow move query {seconds:.2f} s: {sql}")
    return {
        "files": n,
        "bytes": total_bytes,
        "baseline": baseline_seconds,
        "submit": submitted - started,
        "move": moved - submitted,
        "total": moved - started,
        "queries": submit_queries.count + move_queries.count,
        "per_batch": per_batch,
        "rss_growth": memory.growth,
        "checks": all(checks.values()),
    }


if __name__ == "__main__":
    sys.exit(main())
