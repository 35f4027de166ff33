"""Benchmark the upload purge (P-UPLOAD-RETENTION) on PostgreSQL: 1,000,000 upload files, 100,000 of them due.

Not a test: it loads the rows, times `uploads.services.retention.uploads_purge_due()` to
completion against the 30 s target and checks what is left. See bench/README.md.

    .venv/bin/python bench/purge.py [--rows 1000000] [--due 100000] [--areas 1000]
"""

import argparse
import datetime
import logging
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from harness import django_setup, recreate_database, temp_folder

DB_NAME = "bench_purge"
SECRET_KEY = "bench-purge-not-a-secret-" + "x" * 32
TARGET_SECONDS = 30
FILE_BYTES = 100


class BatchCounter(logging.Handler):
    """Keeps the purge's batch log lines, to show that each batch was logged."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="upload-file rows in all (default 1000000)")
    parser.add_argument("--due", type=int, default=100_000, help="rows past their deletion time (default 100000)")
    parser.add_argument("--areas", type=int, default=1_000, help="users, each with one upload area (default 1000)")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server to create the benchmark database on",
    )
    args = parser.parse_args()
    with temp_folder(tempfile.gettempdir(), prefix="bench-purge-uploads-") as upload_root:
        return run(args, upload_root)


def run(args, upload_root: Path) -> int:
    database_url = recreate_database(args.server, DB_NAME)
    print(f"Upload files under {upload_root}")
    django_setup(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "UPLOAD_ROOT": str(upload_root),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    now = datetime.datetime.now(datetime.UTC)
    load(args, upload_root, now)

    from uploads.models import UploadFile
    from uploads.services.retention import uploads_purge_due

    batches = BatchCounter()
    retention_log = logging.getLogger("uploads.retention")
    retention_log.setLevel(logging.INFO)
    retention_log.addHandler(batches)
    retention_log.propagate = False  # counted here rather than printed, one line per batch
    files_before = count_files(upload_root)
    # Due files are months old, their blocks long allocated and written. Unlinking files still in the
    # page cache (delayed allocation) is several times cheaper, so the files are written out first.
    os.sync()

    started = time.perf_counter()
    purged = uploads_purge_due()
    elapsed = time.perf_counter() - started

    files_after = count_files(upload_root)
    remaining = UploadFile.objects.count()
    overdue = UploadFile.objects.filter(expires_at__lte=now).count()
    fresh = args.rows - args.due
    checks = {
        f"purged exactly the {args.due:,} due rows": purged == args.due,
        f"exactly the {fresh:,} fresh rows remain": remaining == fresh and overdue == 0,
        f"all {files_before:,} due files are gone from disk": files_before == args.due and files_after == 0,
        f"every batch was logged ({len(batches.messages)} batches)": len(batches.messages) == -(-args.due // 1000),
    }
    print()
    print(f"purged rows       {purged:,}")
    print(f"files removed     {files_before - files_after:,} of {files_before:,}")
    print(f"elapsed           {elapsed:.2f} s")
    print(f"throughput        {purged / elapsed:,.0f} rows/s")
    print(f"rows left         {remaining:,} (none past their deletion time: {overdue == 0})")
    if batches.messages:
        print(f"first batch log   {batches.messages[0]}")
        print(f"last batch log    {batches.messages[-1]}")
    for name, ok in checks.items():
        print(f"check             {'ok  ' if ok else 'FAIL'} {name}")
    passed = elapsed < TARGET_SECONDS and all(checks.values())
    print(
        f"\n{'PASS' if passed else 'FAIL'}: purge of {purged:,} rows in {elapsed:.1f} s (target < {TARGET_SECONDS} s)"
    )
    return 0 if passed else 1


def load(args, upload_root: Path, now: datetime.datetime) -> None:
    """Users and areas through the ORM; the file rows by COPY, due ones interleaved with fresh ones."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from uploads.models import UploadArea, UploadFile, UploadState

    started = time.perf_counter()
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{n:05}", email=f"bench{n:05}@example.org", password="!", date_joined=now)
        for n in range(args.areas)
    )
    areas = UploadArea.objects.bulk_create(
        UploadArea(owner=user, quota_bytes=1024**4, created_at=now) for user in users
    )
    area_ids = [area.pk for area in areas]
    rng = random.Random(20260601)
    due_rows = set(rng.sample(range(args.rows), args.due))
    fields = [field for field in UploadFile._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    for area_id in area_ids:
        (upload_root / str(area_id)).mkdir()
    content = b"p" * FILE_BYTES
    sha256 = "0" * 64
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY uploads_uploadfile ({columns}) FROM STDIN") as copy:
        for n in range(args.rows):
            area_id = area_ids[n % len(area_ids)]
            upload_id = uuid.uuid4()
            storage_name = f"{area_id}/{upload_id}"
            if n in due_rows:
                finished = now - datetime.timedelta(days=92 + rng.random() * 30)
                expires_at = now - datetime.timedelta(minutes=1 + rng.random() * 30 * 24 * 60)
                (upload_root / storage_name).write_bytes(content)
            else:
                finished = now - datetime.timedelta(days=rng.random() * 85)
                expires_at = now + datetime.timedelta(days=1 + rng.random() * 89)
            complete = n % 10 != 0  # every tenth upload is unfinished
            row = {
                "area_id": area_id,
                "upload_id": upload_id,
                "relative_path": f"plate{n // 5000}/well{n % 5000:04}.tif",
                "tus_metadata": "",
                "size": FILE_BYTES,
                "offset": FILE_BYTES if complete else FILE_BYTES // 2,
                "sha256": sha256 if complete else "",
                "state": UploadState.COMPLETE if complete else UploadState.UPLOADING,
                "created_at": finished,
                "last_data_at": finished,
                "uploaded_at": finished if complete else None,
                "expires_at": expires_at,
                "held_by_submission": False,
                "warned_first_at": None,
                "warned_second_at": None,
                "storage_name": storage_name,
            }
            copy.write_row([row[field.attname] for field in fields])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE uploads_uploadfile")
    print(
        f"Loaded {args.rows:,} upload-file rows over {args.areas:,} areas, {args.due:,} due with "
        f"{FILE_BYTES}-byte files on disk, in {time.perf_counter() - started:.1f} s"
    )


def count_files(upload_root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(upload_root))


if __name__ == "__main__":
    sys.exit(main())
