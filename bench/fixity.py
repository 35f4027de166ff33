"""Benchmark the fixity re-hash of a local archive against `openssl dgst -sha256` of the same files.

Not a test: it prints throughputs and their ratio against the target of issue #6
(ratio ≥ 0.8). See bench/README.md.

    .venv/bin/python bench/fixity.py [--size-mib 2048] [--files 16] [--runs 3] [--sqlite] [--dir /tmp]
"""

import argparse
import contextlib
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from harness import children_cpu, django_setup, recreate_database, stored_random_file, temp_folder

DB_NAME = "bench_fixity"
SECRET_KEY = "bench-fixity-not-a-secret-" + "x" * 40
MIB = 1024 * 1024
TARGET_RATIO = 0.8


def archive_arguments(doc: str, *, db_name: str, files: int) -> argparse.ArgumentParser:
    """The options of a benchmark over a local archive of random files; the caller may add its own."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=2048, help="bytes in the archive (default 2048 = 2 GiB)")
    parser.add_argument(
        "--files", type=int, default=files, help=f"number of files they are split into (default {files})"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; the best counts (default 3)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite in the temp folder instead of PostgreSQL")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help=f"PostgreSQL server URL; database {db_name} is dropped and recreated",
    )
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="parent of the temp folder (its disk is read)")
    return parser


@contextlib.contextmanager
def archive_folders(args, *, db_name: str, prefix: str) -> Iterator[tuple[Path, Path, str]]:
    """Yield (var dir, archive root, database URL) in a new temp folder, removed on exit, Ctrl-C or SIGTERM."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind (remove the 2 GiB) as on Ctrl-C
    with temp_folder(args.dir, prefix=prefix) as folder:
        var_dir = folder / "var"
        archive_root = var_dir / "archive"
        archive_root.mkdir(parents=True)
        database_url = (
            f"sqlite:///{var_dir / 'db.sqlite3'}" if args.sqlite else recreate_database(args.postgres, db_name)
        )
        yield var_dir, archive_root, database_url


def main() -> int:
    parser = archive_arguments(__doc__, db_name=DB_NAME, files=16)
    parser.add_argument(
        "--buffers-mib",
        default="8,32",
        help="other read buffers (MiB) to time for comparison, comma-separated; '' for none (default 8,32)",
    )
    args = parser.parse_args()

    with archive_folders(args, db_name=DB_NAME, prefix="bench-fixity-") as (var_dir, archive_root, database_url):
        setup_django(database_url, var_dir, archive_root)
        print(f"Writing {args.size_mib} MiB of random bytes in {args.files} files to {archive_root} ...", flush=True)
        paths, digests = archive_make(archive_root, args.size_mib * MIB, args.files)
        disk = subprocess.run(["df", "--output=source,fstype", str(var_dir)], capture_output=True, text=True)
        print(f"Disk: {disk.stdout.splitlines()[-1].split()} · CPUs: {os.cpu_count()}")
        # Both sides read from the page cache (2 GiB fits); dropping it needs root and slows everyone else down.
        subprocess.run(["cat", *map(str, paths)], stdout=subprocess.DEVNULL, check=True)

        from curation.services import fixity

        default_buffer = fixity.READ_BUFFER
        buffers = [default_buffer] + [int(b) * MIB for b in args.buffers_mib.split(",") if b.strip()]
        baseline_runs, portal_runs = [], {buffer: [] for buffer in buffers}
        for run in range(1, args.runs + 1):  # interleaved, so a slower phase of the machine favours neither side
            baseline_runs.append(measure_openssl(paths, digests))
            seconds, cpu = baseline_runs[-1]
            print(f"  run {run}: openssl dgst -sha256      {seconds:.2f} s (CPU {cpu:.2f} s)")
            for buffer in buffers:
                portal_runs[buffer].append(measure_portal(fixity, buffer, args.files))
                seconds, cpu = portal_runs[buffer][-1]
                print(f"  run {run}: fixity_run, {buffer // MIB:>2} MiB reads  {seconds:.2f} s (CPU {cpu:.2f} s)")
            sys.stdout.flush()
        report(args, baseline_runs, portal_runs, default_buffer)
        from django.db import connections

        connections.close_all()
    return 0


def setup_django(database_url: str, var_dir: Path, archive_root: Path) -> None:
    django_setup(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(var_dir),
            "ARCHIVE_STORAGE": "local",
            "ARCHIVE_ROOT": str(archive_root),
        }
    )


def archive_make(archive_root: Path, total: int, count: int) -> tuple[list[Path], list[str]]:
    """Write `count` random files straight under their content keys and accession one study listing them."""
    import datetime

    from django.contrib.auth import get_user_model

    from archive.services.accession import FileEntry, study_create
    from archive.storage import content_key

    size = total // count
    paths, digests, entries = [], [], []
    for number in range(count):
        path, sha256 = stored_random_file(archive_root, size)
        paths.append(path)
        digests.append(sha256)
        entries.append(
            FileEntry(path=f"data/{number:03}.bin", size=size, sha256=sha256, storage_key=content_key(sha256))
        )
    owner = get_user_model().objects.create_user(username="bench-owner", email="bench@example.org")
    study_create(
        owner=owner,
        metadata={
            "title": "Fixity benchmark",
            "description": "Random files to time fixity checks.",
            "authors": [{"name": "Bench"}],
            "organism": "none",
            "imaging_method": "none",
        },
        files=entries,
        release_date=datetime.date.today(),
    )
    return paths, digests


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_openssl(paths: list[Path], digests: list[str]) -> tuple[float, float]:
    """Seconds and CPU seconds for one `openssl dgst -sha256` of every file."""
    cpu = children_cpu()
    started = time.perf_counter()
    output = subprocess.run(
        ["openssl", "dgst", "-sha256", "-r", *map(str, paths)], capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - started
    if [line.split()[0] for line in output.stdout.splitlines()] != digests:
        raise SystemExit("openssl's SHA-256 differs from the files'")
    return seconds, children_cpu() - cpu


def measure_portal(fixity, buffer: int, count: int) -> tuple[float, float]:
    """Seconds and CPU seconds for the fixity service re-hashing every object (as `fixity_check --all`)."""
    fixity.READ_BUFFER = buffer
    cpu = _own_cpu()
    started = time.perf_counter()
    summary = fixity.fixity_run(byte_budget=None)
    seconds = time.perf_counter() - started
    if (summary.checked, summary.ok) != (count, count):
        raise SystemExit(f"The fixity run did not find every object intact: {summary.as_dict()}")
    return seconds, _own_cpu() - cpu


def report(args, baseline_runs, portal_runs, default_buffer: int) -> None:
    size_mb = args.size_mib * MIB / 1e6
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"\n{args.size_mib} MiB in {args.files} files, page cache warm, best of {args.runs} runs each, {database}")
    print(f"{'':<44}{'seconds':>9}{'MB/s':>8}{'CPU s':>8}{'ratio':>7}")
    baseline, baseline_cpu = min(baseline_runs)
    print(f"{'baseline: openssl dgst -sha256':<44}{baseline:>9.2f}{size_mb / baseline:>8.0f}{baseline_cpu:>8.2f}")
    for buffer, runs in portal_runs.items():
        seconds, cpu = min(runs)
        name = f"fixity_run, {buffer // MIB} MiB reads" + (" (the service's)" if buffer == default_buffer else "")
        print(f"{name:<44}{seconds:>9.2f}{size_mb / seconds:>8.0f}{cpu:>8.2f}{baseline / seconds:>7.2f}")
    ratio = baseline / min(portal_runs[default_buffer])[0]  # throughputs of the same bytes
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print(f"throughput ratio fixity/openssl: {ratio:.2f} (target ≥ {TARGET_RATIO}) {verdict}")


if __name__ == "__main__":
    sys.exit(main())
