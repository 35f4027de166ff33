"""Benchmark submitting (P-MOVE-ON-SUBMIT) on PostgreSQL: 10,000 files of 1 KB to 1 MB, submitted and moved.

Not a test: it fills an upload area, then times `submission_submit` and
`submission_files_move` (the move task's service) end to end against the 30 s
target, counts their queries per batch of MOVE_BATCH files, and prints a
baseline measured in the same run (`cp` + `sha256sum` of the same files).
See bench/README.md.

    .venv/bin/python bench/submit.py [--files 2000,10000] [--dir /tmp]
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
import time
import uuid
from pathlib import Path

from harness import django_setup, recreate_database, temp_folder

DB_NAME = "bench_submit"
SECRET_KEY = "bench-submit-not-a-secret-" + "x" * 32
TARGET_SECONDS = 30
MIN_BYTES, MAX_BYTES = 1024, 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--files", default="2000,10000", help="submission sizes to run, comma-separated (default 2000,10000)"
    )
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where the upload area and archive go")
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
    results = [measure(n, work) for n in (int(n) for n in args.files.split(","))]
    print()
    print(
        f"{'files':>7} {'MB':>7} {'baseline s':>10} {'submit s':>9} {'move s':>7} {'total s':>8} {'ratio':>6} "
        f"{'queries':>8} {'per batch':>9} {'per 1,000':>9}"
    )
    for r in results:
        batches = math.ceil(r["files"] / MOVE_BATCH)
        print(
            f"{r['files']:>7,} {r['bytes'] / 1e6:>7,.0f} {r['baseline']:>10.2f} {r['submit']:>9.2f} {r['move']:>7.2f} "
            f"{r['total']:>8.2f} {r['total'] / r['baseline']:>6.2f} {r['queries']:>8,} "
            f"{r['queries'] / batches:>9.1f} {r['queries'] * 1000 / r['files']:>9.1f}"
        )
    biggest = max(results, key=lambda r: r["files"])
    ok = biggest["total"] < TARGET_SECONDS and all(r["checks"] for r in results)
    print(
        f"\n{biggest['files']:,} files submitted and moved in {biggest['total']:.2f} s "
        f"(target < {TARGET_SECONDS} s): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


class Phases:
    """Time the move's steps through its `fault` hook, which it calls after each step with the step's name."""

    STEPS = {"verified": "verify", "stored": "store", "done": "release", "study_created": "study"}

    def __init__(self):
        self.totals = dict.fromkeys(self.STEPS.values(), 0.0)
        self.last = time.perf_counter()

    def mark(self, step: str) -> None:
        if step in self.STEPS:  # per-file steps fall inside their batch's step
            now = time.perf_counter()
            self.totals[self.STEPS[step]] += now - self.last
            self.last = now


def fill_upload_area(owner, n: int, seed: int):
    """Write n complete uploads of 1 KB to 1 MB, log-uniform: mostly small, as image tiles and metadata are."""
    from django.utils import timezone

    from uploads.models import UploadFile, UploadState
    from uploads.services.retention import upload_expiry_after
    from uploads.services.upload import upload_area_get_or_create
    from uploads.storage import upload_storage_path

    rng = random.Random(seed)
    area = upload_area_get_or_create(owner=owner)
    now = timezone.now()
    rows = []
    for i in range(n):
        size = int(math.exp(rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES))))
        data = os.urandom(size)
        upload_id = uuid.uuid4()
        storage_name = f"{area.pk}/{upload_id}"
        path = upload_storage_path(storage_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        rows.append(
            UploadFile(
                area=area,
                upload_id=upload_id,
                relative_path=f"plate{i // 100:03d}/well{i % 100:02d}/img{i:05d}.tif",
                size=size,
                offset=size,
                sha256=hashlib.sha256(data).hexdigest(),
                state=UploadState.COMPLETE,
                created_at=now,
                last_data_at=now,
                uploaded_at=now,
                expires_at=upload_expiry_after(now),
                storage_name=storage_name,
            )
        )
    UploadFile.objects.bulk_create(rows, batch_size=2000)
    subprocess.run(["sync"], check=True)
    return area, rows


def baseline(source: Path, work: Path) -> float:
    """Time `cp` of the files to the same disk and `sha256sum` of the copies: the least a move must do."""
    target = work / "baseline"
    started = time.perf_counter()
    subprocess.run(["cp", "-r", "--reflink=never", str(source), str(target)], check=True)
    subprocess.run(f"find {target} -type f -print0 | xargs -0 -n 500 sha256sum > /dev/null", shell=True, check=True)
    elapsed = time.perf_counter() - started
    shutil.rmtree(target)
    return elapsed


def measure(n: int, work: Path) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
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
    from uploads.models import UploadFile
    from uploads.storage import upload_storage_path

    print(f"\n{n:,} files: writing the upload area...", flush=True)
    owner = get_user_model().objects.create(username=f"bench{n}", email=f"bench{n}@example.org")
    area, uploads = fill_upload_area(owner, n, seed=n)
    total_bytes = sum(u.size for u in uploads)
    area_folder = upload_storage_path(f"{area.pk}/x").parent
    baseline_seconds = baseline(area_folder, work)
    print(f"  {total_bytes / 1e6:,.0f} MB; baseline cp + sha256sum {baseline_seconds:.2f} s", flush=True)

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
    submission_files_set(submission=submission, actor=owner, upload_file_ids=[u.pk for u in uploads])

    with CaptureQueriesContext(connection) as submit_queries:
        started = time.perf_counter()
        submission = submission_submit(submission=submission, actor=owner)
        submitted = time.perf_counter()
    phases = Phases()
    with CaptureQueriesContext(connection) as move_queries:
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
    print(
        f"  submit {submitted - started:.2f} s ({len(submit_queries)} queries), "
        f"move {moved - submitted:.2f} s ({len(move_queries)} queries)",
        flush=True,
    )
    print("  move phases: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.totals.items()))
    slowest = sorted(move_queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for query in slowest:
        print(f"  slow move query {float(query['time']):.2f} s: {query['sql'][:110]}")
    return {
        "files": n,
        "bytes": total_bytes,
        "baseline": baseline_seconds,
        "submit": submitted - started,
        "move": moved - submitted,
        "total": moved - started,
        "queries": len(submit_queries) + len(move_queries),
        "checks": all(checks.values()),
    }


if __name__ == "__main__":
    sys.exit(main())
