"""Benchmark the streamed whole-study ZIP (`/studies/<acc>/v1/download.zip`) against `cat` of the same files.

Not a test: it prints throughputs, their ratio against the target of issue 13 (ZIP ≥ 0.8× `cat`) and the
serving worker's memory growth. See bench/README.md.

    .venv/bin/python bench/zip_download.py [--size-mib 2048] [--files 20] [--runs 3] [--sqlite] [--dir /tmp]
"""

import shutil
import subprocess
import sys
import time
from pathlib import Path

from fixity import archive_arguments, archive_folders, archive_make
from harness import django_setup, free_port, gunicorn, portal_env

DB_NAME = "bench_zip_download"
SECRET_KEY = "bench-zip-download-not-a-secret-" + "x" * 40
MIB = 1024 * 1024
TARGET_RATIO = 0.8


def main() -> int:
    args = archive_arguments(__doc__, db_name=DB_NAME, files=20).parse_args()

    with archive_folders(args, db_name=DB_NAME, prefix="bench-zip-") as (var_dir, archive_root, database_url):
        env = portal_env(
            database_url, SECRET_KEY, VAR_DIR=str(var_dir), ARCHIVE_STORAGE="local", ARCHIVE_ROOT=str(archive_root)
        )
        django_setup(env)
        print(f"Writing {args.size_mib} MiB of random bytes in {args.files} files to {archive_root} ...", flush=True)
        paths, _digests = archive_make(archive_root, args.size_mib * MIB, args.files)
        from django.db import connections

        from archive.models import Study

        accession = Study.objects.get().accession
        # Both sides read from the page cache (2 GiB fits); dropping it needs root and slows everyone else down.
        subprocess.run(["cat", *map(str, paths)], stdout=subprocess.DEVNULL, check=True)

        zip_path = f"/studies/{accession}/v1/download.zip"
        cat_runs, local_runs, http_runs, loopback_runs = [], [], [], []
        with gunicorn(env, name="zip-download", ready_path="/robots.txt") as (url, master):
            subprocess.run(["curl", "-sf", "-o", "/dev/null", f"{url}/studies/{accession}/"], check=True)
            rss_before = {pid: _memory(pid, "VmRSS") for pid in _workers(master)}
            for run in range(1, args.runs + 1):  # interleaved, so a slower phase of the machine favours neither
                cat_runs.append(_timed(["cat", *map(str, paths)]))
                local_runs.append(_timed_in_process(zip_path))
                http_runs.append(_timed_zip(url + zip_path))
                loopback_runs.append(_timed_loopback(paths))
                print(
                    f"  run {run}: cat {cat_runs[-1]:.2f} s · ZIP in process {local_runs[-1][0]:.2f} s · "
                    f"ZIP over HTTP {http_runs[-1][0]:.2f} s · socat {loopback_runs[-1] or 0:.2f} s",
                    flush=True,
                )
            growth = max(_memory(pid, "VmHWM") - rss for pid, rss in rss_before.items())
        connections.close_all()
        database = "SQLite" if args.sqlite else "PostgreSQL"
        report(args, cat_runs, local_runs, http_runs, loopback_runs, growth, database=database)
    return 0


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _memory(pid: int, field: str) -> int:
    """A /proc/<pid>/status figure in bytes: VmRSS now, VmHWM its peak so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise SystemExit(f"no {field} for process {pid}")


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def _timed_in_process(zip_path: str) -> tuple[float, int]:
    """Seconds for the portal to produce the whole ZIP response (Django's handler, no socket), and its size."""
    from django.test import Client

    response = Client(HTTP_HOST="127.0.0.1").get(zip_path)
    started = time.perf_counter()
    size = sum(len(chunk) for chunk in response.streaming_content)
    return time.perf_counter() - started, size


def _timed_loopback(paths: list[Path]) -> float | None:
    """Seconds to push the same files through a 127.0.0.1 TCP connection with socat: what the network stack allows."""
    if shutil.which("socat") is None:
        return None
    port = free_port()
    receiver = subprocess.Popen(["socat", "-b", "1048576", "-u", f"TCP-LISTEN:{port},reuseaddr", "OPEN:/dev/null"])
    time.sleep(0.3)
    started = time.perf_counter()
    cat = subprocess.Popen(["cat", *map(str, paths)], stdout=subprocess.PIPE)
    subprocess.run(["socat", "-b", "1048576", "-u", "STDIN", f"TCP:127.0.0.1:{port}"], stdin=cat.stdout, check=True)
    cat.wait()
    receiver.wait()
    return time.perf_counter() - started


def _timed_zip(zip_url: str) -> tuple[float, int]:
    """Seconds for curl to receive the whole ZIP into /dev/null, and its size (checked against Content-Length)."""
    started = time.perf_counter()
    result = subprocess.run(
        ["curl", "-sf", "-o", "/dev/null", "-w", "%{size_download} %header{content-length}", zip_url],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    received, announced = result.stdout.split()
    if received != announced:
        raise SystemExit(f"The ZIP was {received} bytes but announced {announced}")
    return seconds, int(received)


def report(args, cat_runs, local_runs, http_runs, loopback_runs, growth: int, *, database: str) -> None:
    size_mb = args.size_mib * MIB / 1e6
    cat_seconds = min(cat_runs)
    print(f"\n{args.size_mib} MiB in {args.files} files, page cache warm, best of {args.runs} runs, {database}")
    print(f"{'':<52}{'seconds':>9}{'MB/s':>8}{'ratio':>7}")
    print(f"{'baseline: cat of the files > /dev/null':<52}{cat_seconds:>9.2f}{size_mb / cat_seconds:>8.0f}")
    for name, runs in (
        ("ZIP produced in process (Django handler)", local_runs),
        ("ZIP over HTTP: gunicorn → curl", http_runs),
    ):
        seconds, size = min(runs)
        print(f"{name:<52}{seconds:>9.2f}{size / 1e6 / seconds:>8.0f}{cat_seconds / seconds:>7.2f}")
    if loopback_runs[0] is not None:
        loopback = min(loopback_runs)
        name = "network ceiling: cat | socat over 127.0.0.1"
        print(f"{name:<52}{loopback:>9.2f}{size_mb / loopback:>8.0f}{cat_seconds / loopback:>7.2f}")
        print(f"ZIP over HTTP ÷ the same bytes through socat: {loopback / min(http_runs)[0]:.2f}")
    ratio = cat_seconds / min(local_runs)[0]  # throughputs of the same file bytes
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print(f"throughput ratio ZIP (in process)/cat: {ratio:.2f} (target ≥ {TARGET_RATIO}) {verdict}")
    print(f"serving worker's memory growth (peak RSS − RSS before): {growth / 1e6:.1f} MB (target < 50 MB)")


if __name__ == "__main__":
    sys.exit(main())
